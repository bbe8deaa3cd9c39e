import AmalgamCore
import CLua
import CLuaShims

/// Reads an options table (`am.cluster{ name = ..., sites = ... }`), checking each
/// field's type, and rejects keys nobody asked for, naming them:
/// a misspelt `latency_sm = 10` is an error, not silently ignored.
public final class LuaOptions {
    let L: OpaquePointer
    /// Absolute stack index of the table.
    public let index: Int32
    /// Where the table sits, for messages: `cluster`, `sites[2]`, ...
    public let context: String
    private var known: Set<String> = []
    private var allowsPositional = 0

    init(L: OpaquePointer, index: Int32, context: String) {
        self.L = L; self.index = lua_absindex(L, index); self.context = context
    }

    private func fieldError(_ key: String, _ expected: String) -> LuaError {
        let got = LuaCall.typeName(L, -1)
        am_pop(L, 1)
        return .message("\(context): option '\(key)' must be \(expected) (got \(got))")
    }

    /// Pushes `t[key]` (raw) and returns its Lua type.
    private func fetch(_ key: String) -> Int32 {
        known.insert(key)
        LuaValue.pushString(L, key)
        return lua_rawget(L, index)
    }

    /// Whether `key` is present (and marks it known).
    public func has(_ key: String) -> Bool {
        let t = fetch(key)
        am_pop(L, 1)
        return t != LUA_TNIL
    }

    public func number(_ key: String) throws -> Double? {
        let t = fetch(key)
        if t == LUA_TNIL { am_pop(L, 1); return nil }
        guard t == LUA_TNUMBER else { throw fieldError(key, "a number") }
        defer { am_pop(L, 1) }
        return lua_tonumberx(L, -1, nil)
    }

    public func number(_ key: String, default value: Double) throws -> Double { try number(key) ?? value }

    public func requiredNumber(_ key: String) throws -> Double {
        guard let v = try number(key) else { throw LuaError.message("\(context): option '\(key)' is required (a number)") }
        return v
    }

    public func integer(_ key: String) throws -> Int? {
        let t = fetch(key)
        if t == LUA_TNIL { am_pop(L, 1); return nil }
        guard t == LUA_TNUMBER else { throw fieldError(key, "an integer") }
        var ok: Int32 = 0
        let v = lua_tointegerx(L, -1, &ok)
        guard ok != 0 else {
            let d = lua_tonumberx(L, -1, nil)
            am_pop(L, 1)
            throw LuaError.message("\(context): option '\(key)' must be an integer (got \(d))")
        }
        am_pop(L, 1)
        return Int(v)
    }

    public func integer(_ key: String, default value: Int) throws -> Int { try integer(key) ?? value }

    public func requiredInteger(_ key: String) throws -> Int {
        guard let v = try integer(key) else { throw LuaError.message("\(context): option '\(key)' is required (an integer)") }
        return v
    }

    public func string(_ key: String) throws -> String? {
        let t = fetch(key)
        if t == LUA_TNIL { am_pop(L, 1); return nil }
        guard t == LUA_TSTRING else { throw fieldError(key, "a string") }
        defer { am_pop(L, 1) }
        return LuaCall.string(L, -1)
    }

    public func string(_ key: String, default value: String) throws -> String { try string(key) ?? value }

    public func requiredString(_ key: String) throws -> String {
        guard let v = try string(key) else { throw LuaError.message("\(context): option '\(key)' is required (a string)") }
        return v
    }

    public func bool(_ key: String) throws -> Bool? {
        let t = fetch(key)
        if t == LUA_TNIL { am_pop(L, 1); return nil }
        guard t == LUA_TBOOLEAN else { throw fieldError(key, "a boolean") }
        defer { am_pop(L, 1) }
        return lua_toboolean(L, -1) != 0
    }

    /// A number or a string, as a core `FieldValue` (chip fields by name:
    /// the core checks which kind each field needs).
    public func scalar(_ key: String) throws -> FieldValue? {
        let t = fetch(key)
        defer { am_pop(L, 1) }
        switch t {
        case LUA_TNIL: return nil
        case LUA_TSTRING: return .text(LuaCall.string(L, -1))
        case LUA_TNUMBER:
            if lua_isinteger(L, -1) != 0 { return .integer(Int(lua_tointegerx(L, -1, nil))) }
            return .number(lua_tonumberx(L, -1, nil))
        default:
            let got = LuaCall.typeName(L, -1)
            throw LuaError.message("\(context): option '\(key)' must be a number or a string (got \(got))")
        }
    }

    /// A field holding an object of class `cls` (nil when absent).
    public func object<T>(_ key: String, _ cls: LuaClass<T>) throws -> T? {
        let t = fetch(key)
        if t == LUA_TNIL { am_pop(L, 1); return nil }
        if let box = LuaClass<T>.box(L, -1, cls.cName) { am_pop(L, 1); return box.value }
        throw fieldError(key, "a \(cls.shortName)")
    }

    /// A field holding a string (e.g. a catalog id) or an object of class `cls`.
    public func stringOrObject<T>(_ key: String, _ cls: LuaClass<T>) throws -> StringOr<T>? {
        let t = fetch(key)
        if t == LUA_TNIL { am_pop(L, 1); return nil }
        if t == LUA_TSTRING { defer { am_pop(L, 1) }; return .string(LuaCall.string(L, -1)) }
        if let box = LuaClass<T>.box(L, -1, cls.cName) { am_pop(L, 1); return .object(box.value) }
        throw fieldError(key, "a string or a \(cls.shortName)")
    }

    /// A string that must be one of `choices` (error lists them).
    public func choice(_ key: String, _ choices: [String]) throws -> String? {
        guard let s = try string(key) else { return nil }
        guard choices.contains(s) else {
            throw LuaError.message("\(context): " + AmalgamError.unknown("\(key)", s, among: choices).message)
        }
        return s
    }

    /// Runs `body` with the sub-table at `key` as an options reader (nil if absent).
    public func table<R>(_ key: String, _ body: (LuaOptions) throws -> R) throws -> R? {
        let t = fetch(key)
        if t == LUA_TNIL { am_pop(L, 1); return nil }
        guard t == LUA_TTABLE else { throw fieldError(key, "a table") }
        defer { am_pop(L, 1) }
        let sub = LuaOptions(L: L, index: lua_gettop(L), context: "\(context).\(key)")
        let r = try body(sub)
        try sub.finish()
        return r
    }

    /// The array at `key` (nil if absent), each item read by `body`; items that are
    /// tables get their own reader (context `key[i]`), checked for unknown keys.
    public func array<R>(_ key: String, _ body: (LuaOptions, Int) throws -> R) throws -> [R]? {
        let t = fetch(key)
        if t == LUA_TNIL { am_pop(L, 1); return nil }
        guard t == LUA_TTABLE else { throw fieldError(key, "an array") }
        defer { am_pop(L, 1) }
        let sub = LuaOptions(L: L, index: lua_gettop(L), context: "\(context).\(key)")
        return try sub.items(body)
    }

    /// The positional items `t[1..n]` of this table, each a table read by `body`.
    public func items<R>(_ body: (LuaOptions, Int) throws -> R) throws -> [R] {
        let n = Int(lua_rawlen(L, index))
        var out: [R] = []
        out.reserveCapacity(n)
        for i in 1...max(n, 1) where i <= n {
            let t = lua_rawgeti(L, index, lua_Integer(i))
            guard t == LUA_TTABLE else {
                let got = LuaCall.typeName(L, -1)
                am_pop(L, 1)
                throw LuaError.message("\(context)[\(i)] must be a table (got \(got))")
            }
            let item = LuaOptions(L: L, index: lua_gettop(L), context: "\(context)[\(i)]")
            do {
                out.append(try body(item, i))
                try item.finish()
            } catch {
                am_pop(L, 1)
                throw error
            }
            am_pop(L, 1)
        }
        allowsPositional = max(allowsPositional, n)
        return out
    }

    /// Positional values `t[1..n]` as numbers.
    public func numbers() throws -> [Double] {
        let n = Int(lua_rawlen(L, index))
        var out: [Double] = []
        for i in 0..<n {
            let t = lua_rawgeti(L, index, lua_Integer(i + 1))
            guard t == LUA_TNUMBER else {
                let got = LuaCall.typeName(L, -1)
                am_pop(L, 1)
                throw LuaError.message("\(context)[\(i + 1)] must be a number (got \(got))")
            }
            out.append(lua_tonumberx(L, -1, nil))
            am_pop(L, 1)
        }
        allowsPositional = max(allowsPositional, n)
        return out
    }

    /// Positional value `t[i]` as a string (for `{ "a", "b", gbps = 400 }` forms).
    public func positionalString(_ i: Int) throws -> String? {
        let t = lua_rawgeti(L, index, lua_Integer(i))
        defer { am_pop(L, 1) }
        if t == LUA_TNIL { return nil }
        guard t == LUA_TSTRING else {
            throw LuaError.message("\(context)[\(i)] must be a string (got \(LuaCall.typeName(L, -1)))")
        }
        allowsPositional = max(allowsPositional, i)
        return LuaCall.string(L, -1)
    }

    /// A table mapping integers to numbers at `key` (e.g. `slowdown = { [5] = 2.0 }`), nil if absent.
    public func integerMap(_ key: String) throws -> [Int: Double]? {
        let t = fetch(key)
        if t == LUA_TNIL { am_pop(L, 1); return nil }
        guard t == LUA_TTABLE else { throw fieldError(key, "a table of integer keys to numbers") }
        let table = lua_gettop(L)
        var out: [Int: Double] = [:]
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            var ok: Int32 = 0
            let k = lua_type(L, -2) == LUA_TNUMBER ? lua_tointegerx(L, -2, &ok) : 0
            guard ok != 0, lua_type(L, -1) == LUA_TNUMBER else {
                let kt = LuaCall.typeName(L, -2), vt = LuaCall.typeName(L, -1)
                am_pop(L, 3)
                throw LuaError.message("\(context): option '\(key)' must map integers to numbers (got a \(kt) key with a \(vt) value)")
            }
            out[Int(k)] = lua_tonumberx(L, -1, nil)
            am_pop(L, 1)
        }
        am_pop(L, 1)
        return out
    }

    /// Fails on any key that was never asked for, naming it and the closest valid key.
    public func finish() throws {
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            am_pop(L, 1)
            let kt = lua_type(L, -1)
            if kt == LUA_TSTRING {
                let key = LuaCall.string(L, -1)
                if !known.contains(key) {
                    am_pop(L, 1)
                    let close = Suggestions.closest(to: key, in: Array(known), limit: 1)
                    let hint = close.first.map { " (did you mean '\($0)'?)" } ?? " (valid: \(known.sorted().joined(separator: ", ")))"
                    throw LuaError.message("\(context): unknown option '\(key)'\(hint)")
                }
            } else if kt == LUA_TNUMBER {
                var ok: Int32 = 0
                let i = lua_tointegerx(L, -1, &ok)
                if ok == 0 || i < 1 || i > allowsPositional {
                    am_pop(L, 1)
                    throw LuaError.message("\(context): unexpected positional value at [\(i)]")
                }
            } else {
                let tn = LuaCall.typeName(L, -1)
                am_pop(L, 1)
                throw LuaError.message("\(context): unexpected key of type \(tn)")
            }
        }
    }
}

/// A value given either by name or as an object (`chip = "nvidia_h20"` or
/// `chip = my_chip`).
public enum StringOr<T> {
    case string(String)
    case object(T)
}
