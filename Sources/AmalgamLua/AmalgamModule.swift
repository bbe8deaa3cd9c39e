import CLua
import CLuaShims

/// Builds the `amalgam` module: the core bindings, `require "amalgam"` and the global.
enum AmalgamModule {
    /// The version printed by `amalgam --version` and `am.version`.
    static let version = AmalgamInfo.version

    static func install(into rt: LuaRuntime) throws {
        let L = rt.L
        lua_createtable(L, 0, 32)
        lua_setfield(L, am_registryindex(), "amalgam.module")
        // Weak-keyed map from bound functions to their doc names, for help(f).
        lua_createtable(L, 0, 64)
        lua_createtable(L, 0, 1)
        lua_pushstring(L, "k")
        lua_setfield(L, -2, "__mode")
        lua_setmetatable(L, -2)
        lua_setfield(L, am_registryindex(), "amalgam.docindex")

        rt.constant("am.version", .string(version))
        CoreBindings.register(rt)
        CSVBindings.register(rt)
        for register in bindingRegistry { register(rt) }

        // package.preload.amalgam and the global `amalgam`.
        rt.pushModuleTable("am")
        lua_pushvalue(L, -1)
        lua_setglobal(L, "amalgam")
        am_pop(L, 1)
        let prelude = """
        local am = amalgam
        _G.am = am  -- short alias for the REPL and one-liners
        package.preload.amalgam = function() return am end
        package.loaded.amalgam = am
        math.randomseed(\(Int64(bitPattern: rt.options.seed)))
        function help(x) print(am._help(x)) end
        """
        if case .failed(let m) = rt.run(string: prelude, name: "=prelude") {
            throw LuaError.message("prelude failed: \(m)")
        }
    }

    /// The bindings of each core area, in the order their docs appear.
    static let bindingRegistry: [(LuaRuntime) -> Void] = [
        HardwareBindings.register,
        ClusterBindings.register,
        WorkloadBindings.register,
        CalibrationBindings.register,
        CollectiveBindings.register,
        PlanBindings.register,
        SchedulerBindings.register,
    ]
}
