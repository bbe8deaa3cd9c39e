import CLua
import CLuaShims

/// How bindings put functions, classes and tables into the `amalgam` module.
extension LuaRuntime {
    /// Pushes the module table at `path` ("am", "am.csv", ...), creating it if needed.
    func pushModuleTable(_ path: String) {
        let parts = path.split(separator: ".").map(String.init)
        lua_getfield(L, am_registryindex(), "amalgam.module")
        for part in parts.dropFirst() {
            if lua_getfield(L, -1, part) == LUA_TNIL {
                am_pop(L, 1)
                lua_createtable(L, 0, 4)
                lua_pushvalue(L, -1)
                lua_setfield(L, -3, part)
            }
            am_remove(L, -2)
        }
    }

    /// Records in the help index that the value at `index` is documented as `name`.
    func indexDoc(function index: Int32, name: String) {
        let abs = lua_absindex(L, index)
        lua_getfield(L, am_registryindex(), "amalgam.docindex")
        lua_pushvalue(L, abs)
        lua_pushstring(L, name)
        lua_rawset(L, -3)
        am_pop(L, 1)
    }

    /// Binds `body` as the documented function `doc.name` (e.g. `am.csv.write`).
    public func function(_ doc: FunctionDoc, _ body: @escaping LuaFunction) {
        let (table, key) = LuaRuntime.split(doc.name)
        docs.add(doc)
        pushModuleTable(table)
        pushFunction(named: doc.name, body)
        indexDoc(function: -1, name: doc.name)
        lua_setfield(L, -2, key)
        am_pop(L, 1)
    }

    /// Binds `body` as a callable table `doc.name`, so the name can also hold
    /// functions of its own (`am.cluster{...}` and `am.cluster.from_json(...)`).
    public func callableTable(_ doc: FunctionDoc, _ body: @escaping LuaFunction) {
        docs.add(doc)
        pushModuleTable(doc.name)
        lua_createtable(L, 0, 1)
        pushFunction(named: doc.name) { call in try body(call.droppingCallee()) }
        lua_setfield(L, -2, "__call")
        lua_setmetatable(L, -2)
        indexDoc(function: -1, name: doc.name)
        am_pop(L, 1)
    }

    /// Registers an object class (metatable, methods, their docs).
    public func define<T>(_ cls: LuaClass<T>) {
        cls.register(in: self)
        docs.classFields.append((cls.shortName, cls.fieldDocs))
    }

    /// Sets a plain value in a module table (constants such as `am.version`).
    public func constant(_ path: String, _ value: LuaValue) {
        let (table, key) = LuaRuntime.split(path)
        pushModuleTable(table)
        value.push(L, self)
        lua_setfield(L, -2, key)
        am_pop(L, 1)
    }

    static func split(_ name: String) -> (String, String) {
        guard let dot = name.lastIndex(of: ".") else { return ("am", name) }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }
}
