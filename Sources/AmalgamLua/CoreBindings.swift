import AmalgamCore
import CLua
import CLuaShims

/// `help`, `am.seed` and other bindings that belong to no core area.
enum CoreBindings {
    static func register(_ rt: LuaRuntime) {
        rt.function(FunctionDoc(
            "am.seed", "am.seed() -> integer",
            "The seed of this run (from --seed, or chosen at start and printed on stderr). `math.random` is seeded with it.",
            returns: "the seed as an integer",
            example: "print(am.seed())"
        )) { call in
            call.push(integer: Int(Int64(bitPattern: call.runtime.options.seed)))
        }

        // `help` itself is a prelude function over `am._help` (it prints through Lua's
        // print so output order is kept); documented here for help() and the reference.
        rt.docs.add(FunctionDoc(
            "help", "help() / help(f) / help \"name\"",
            "Lists the API, or documents one function (pass the function itself or its name).",
            arguments: [("f", "a bound function, callable table or name such as \"am.chip\" (optional)")],
            returns: "nothing; prints the help text",
            example: "help(am.csv.write)"
        ))

        rt.function(FunctionDoc(
            "am._help", "am._help(x) -> string",
            "The text `help(x)` prints (internal; used by the global `help`).",
            example: "local text = am._help(am.chip)"
        )) { call in
            call.push(string: try helpText(call, 1))
        }
    }

    static func helpText(_ call: LuaCall, _ n: Int32) throws -> String {
        let rt = call.runtime
        let L = call.L
        var name: String?
        if call.isNil(n) {
            var out = "Amalgam \(AmalgamModule.version) — Lua API (help(f) or help \"name\" for details)\n"
            for doc in rt.docs.all where !doc.name.hasPrefix("am._") && !doc.name.contains(".__") {
                out += "  \(doc.signature)\n"
            }
            return out
        }
        if call.isString(n) {
            let s = try call.string(n)
            name = rt.docs.doc(named: s) != nil ? s : (rt.docs.doc(named: "am." + s) != nil ? "am." + s : nil)
            if name == nil {
                let all = rt.docs.all.map(\.name)
                return "no help for '\(s)'" + Suggestions.closestName(s, all)
            }
        } else {
            lua_getfield(L, am_registryindex(), "amalgam.docindex")
            lua_pushvalue(L, call.slot(n))
            if lua_rawget(L, -2) == LUA_TSTRING { name = LuaCall.string(L, -1) }
            am_pop(L, 2)
        }
        guard let name, let doc = rt.docs.doc(named: name) else {
            return "no help for this \(call.typeName(n)) (help() lists the API)"
        }
        return doc.text
    }
}
