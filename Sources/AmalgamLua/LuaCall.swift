import CLua
import CLuaShims

/// The arguments and results of one call from Lua into Swift.
///
/// Every reader uses non-raising Lua API calls only (`lua_type`, `lua_tonumberx`,
/// `luaL_testudata`, raw table access), so nothing here can `longjmp` across Swift.
/// Readers throw `LuaError.argument`, which the trampoline turns into Lua's
/// standard `bad argument #n to 'f' (...)` message.
public struct LuaCall {
    public let L: OpaquePointer
    /// The owning runtime, unretained: a call never outlives it, and retaining it
    /// on every Lua->Swift call was most of the call's cost.
    let runtimePointer: UnsafeMutableRawPointer
    let functionIndex: Int

    /// The runtime that owns the state.
    public var runtime: LuaRuntime { Unmanaged<LuaRuntime>.fromOpaque(runtimePointer).takeUnretainedValue() }
    /// Stack slots before argument #1 (1 when called through a table's `__call`).
    var argumentOffset: Int32 = 0

    init(L: OpaquePointer, runtimePointer: UnsafeMutableRawPointer, functionIndex: Int) {
        self.L = L; self.runtimePointer = runtimePointer; self.functionIndex = functionIndex
    }

    /// The name the function was registered under (e.g. `am.chip`).
    public var functionName: String { runtime.functionNames[functionIndex] }

    /// Number of arguments passed.
    public var count: Int32 { lua_gettop(L) - argumentOffset }

    /// Stack index of argument `n` (1-based).
    public func slot(_ n: Int32) -> Int32 { n + argumentOffset }

    /// A copy of this call seen from a table's `__call` (argument #1 is the table).
    func droppingCallee() -> LuaCall {
        var c = self
        c.argumentOffset += 1
        return c
    }

    // MARK: Types

    /// Lua's type name for argument `n`, using `__name` for userdata (as luaL_typeerror).
    public func typeName(_ n: Int32) -> String { LuaCall.typeName(L, slot(n)) }

    static func typeName(_ L: OpaquePointer, _ index: Int32) -> String {
        let t = lua_type(L, index)
        if t == LUA_TUSERDATA, lua_getmetatable(L, index) != 0 {
            lua_pushstring(L, "__name")
            lua_rawget(L, -2)
            defer { am_pop(L, 2) }
            if lua_type(L, -1) == LUA_TSTRING { return string(L, -1) }
        }
        if t == LUA_TLIGHTUSERDATA { return "light userdata" }
        if t == LUA_TNUMBER { return "number" }
        return String(cString: lua_typename(L, t))
    }

    public func isNil(_ n: Int32) -> Bool { lua_type(L, slot(n)) <= LUA_TNIL }
    public func isTable(_ n: Int32) -> Bool { lua_type(L, slot(n)) == LUA_TTABLE }
    public func isString(_ n: Int32) -> Bool { lua_type(L, slot(n)) == LUA_TSTRING }
    public func isNumber(_ n: Int32) -> Bool { lua_type(L, slot(n)) == LUA_TNUMBER }

    func typeError(_ n: Int32, _ expected: String) -> LuaError {
        .argument(Int(n), "\(expected) expected, got \(isNil(n) && n > count ? "no value" : typeName(n))")
    }

    // MARK: Reading arguments

    /// Argument `n` as a number.
    public func number(_ n: Int32) throws -> Double {
        var ok: Int32 = 0
        guard lua_type(L, slot(n)) == LUA_TNUMBER else { throw typeError(n, "number") }
        let v = lua_tonumberx(L, slot(n), &ok)
        return v
    }

    /// Argument `n` as an integer (floats with an exact integer value accepted).
    public func integer(_ n: Int32) throws -> Int {
        guard lua_type(L, slot(n)) == LUA_TNUMBER else { throw typeError(n, "number") }
        var ok: Int32 = 0
        let v = lua_tointegerx(L, slot(n), &ok)
        guard ok != 0 else { throw LuaError.argument(Int(n), "number has no integer representation") }
        return Int(v)
    }

    /// Argument `n` as a string (numbers are not converted).
    public func string(_ n: Int32) throws -> String {
        guard lua_type(L, slot(n)) == LUA_TSTRING else { throw typeError(n, "string") }
        return LuaCall.string(L, slot(n))
    }

    /// Argument `n` as a boolean (must be a boolean).
    public func bool(_ n: Int32) throws -> Bool {
        guard lua_type(L, slot(n)) == LUA_TBOOLEAN else { throw typeError(n, "boolean") }
        return lua_toboolean(L, slot(n)) != 0
    }

    /// Argument `n` must be a table; returns its absolute stack index.
    @discardableResult
    public func table(_ n: Int32) throws -> Int32 {
        guard lua_type(L, slot(n)) == LUA_TTABLE else { throw typeError(n, "table") }
        return slot(n)
    }

    public func optionalNumber(_ n: Int32) throws -> Double? { isNil(n) ? nil : try number(n) }
    public func optionalInteger(_ n: Int32) throws -> Int? { isNil(n) ? nil : try integer(n) }
    public func optionalString(_ n: Int32) throws -> String? { isNil(n) ? nil : try string(n) }

    /// The Swift object in argument `n`, which must be a userdata of class `cls`.
    public func object<T>(_ n: Int32, _ cls: LuaClass<T>) throws -> T {
        guard let box = LuaClass<T>.box(L, slot(n), cls.cName) else { throw typeError(n, cls.name) }
        return box.value
    }

    /// The box holding the object in argument `n` (to mutate it in place).
    public func box<T>(_ n: Int32, _ cls: LuaClass<T>) throws -> LuaBox<T> {
        guard let box = LuaClass<T>.box(L, slot(n), cls.cName) else { throw typeError(n, cls.name) }
        return box
    }

    /// An options reader for the table in argument `n`.
    public func options(_ n: Int32, context: String? = nil) throws -> LuaOptions {
        let index = try table(n)
        return LuaOptions(L: L, index: index, context: context ?? functionName.replacingOccurrences(of: "am.", with: ""))
    }

    // MARK: Results

    /// Pushes `value`; returns 1 for convenient `return call.push(...)`.
    @discardableResult
    public func push(_ value: LuaValue) -> Int32 {
        value.push(L, runtime)
        return 1
    }

    @discardableResult
    public func push(string s: String) -> Int32 {
        LuaValue.pushString(L, s)
        return 1
    }

    @discardableResult
    public func push(number d: Double) -> Int32 { lua_pushnumber(L, d); return 1 }

    @discardableResult
    public func push(integer i: Int) -> Int32 { lua_pushinteger(L, lua_Integer(i)); return 1 }

    @discardableResult
    public func pushNil() -> Int32 { lua_pushnil(L); return 1 }

    /// Pushes argument `n` again (methods returning their receiver for chaining).
    @discardableResult
    public func pushArgument(_ n: Int32) -> Int32 { lua_pushvalue(L, slot(n)); return 1 }

    /// Pushes a new userdata of class `cls` holding `value`.
    @discardableResult
    public func push<T>(_ value: T, as cls: LuaClass<T>) -> Int32 {
        cls.push(L, value)
        return 1
    }

    // MARK: Raw helpers

    static func string(_ L: OpaquePointer, _ index: Int32) -> String {
        var len = 0
        guard let p = lua_tolstring(L, index, &len) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }
}
