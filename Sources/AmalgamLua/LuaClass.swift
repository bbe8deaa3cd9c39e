import AmalgamCore
import Foundation
import CLua
import CLuaShims

/// The Swift side of a Lua userdata: a reference box around a (usually value-type)
/// core object. The userdata holds one retained pointer to the box; `__gc` releases it.
public final class LuaBox<T> {
    public var value: T
    public init(_ value: T) { self.value = value }
}

/// A method of a Lua class: the receiver is argument #1.
public struct LuaMethod {
    public let name: String
    public let doc: FunctionDoc
    public let body: LuaFunction
    public init(_ name: String, _ doc: FunctionDoc, _ body: @escaping LuaFunction) {
        self.name = name; self.doc = doc; self.body = body
    }
}

/// A userdata type exposed to Lua, with metatable `name` (e.g. `amalgam.Chip`)
/// carrying `__name`, `__index` (methods, then computed fields), `__tostring`,
/// `__eq`, `__len` and `__gc`.
public final class LuaClass<T> {
    /// The metatable name, also the type name in error messages.
    public let name: String
    /// The short name used in docs (`Cluster` for `amalgam.Cluster`).
    public var shortName: String { String(name.split(separator: ".").last ?? Substring(name)) }
    var fieldGetters: [(borrowing T) -> LuaValue] = []
    var fieldDocs: [(String, String)] = []
    var methods: [LuaMethod] = []
    var tostring: ((T) -> String)?
    var equals: ((T, T) -> Bool)?
    var length: ((T) -> Int)?
    var close: ((T) throws -> Void)?

    /// `name` as a C string, made once: bridging a Swift String on every type
    /// check allocated.
    let cName: UnsafeMutablePointer<CChar>

    public init(_ name: String) {
        self.name = name
        cName = strdup(name)
    }

    /// A read-only field `obj.key` computed from the object.
    @discardableResult
    public func field(_ key: String, _ doc: String, _ get: @escaping (borrowing T) -> LuaValue) -> Self {
        fieldGetters.append(get)
        fieldDocs.append((key, doc))
        return self
    }

    /// A method `obj:key(...)`.
    @discardableResult
    public func method(_ key: String, _ doc: FunctionDoc, _ body: @escaping LuaFunction) -> Self {
        methods.append(LuaMethod(key, doc, body))
        return self
    }

    @discardableResult public func describe(_ f: @escaping (T) -> String) -> Self { tostring = f; return self }
    @discardableResult public func equatable(_ f: @escaping (T, T) -> Bool) -> Self { equals = f; return self }
    @discardableResult public func countable(_ f: @escaping (T) -> Int) -> Self { length = f; return self }
    /// `__close` (to-be-closed variables); also what `__gc` runs if never closed.
    @discardableResult public func closable(_ f: @escaping (T) throws -> Void) -> Self { close = f; return self }

    /// Creates the metatable in `rt` (once, at runtime start).
    func register(in rt: LuaRuntime) {
        let L = rt.L
        luaL_newmetatable(L, name)
        let meta = lua_gettop(L)
        // Methods table, the first upvalue of __index.
        lua_createtable(L, 0, Int32(methods.count))
        for m in methods {
            rt.docs.add(m.doc)
            rt.pushFunction(named: m.doc.name, m.body)
            rt.indexDoc(function: -1, name: m.doc.name)
            lua_setfield(L, -2, m.name)
        }
        // Field names -> getter index, the second upvalue: lookups stay in Lua
        // (no Swift String per access).
        lua_createtable(L, 0, Int32(fieldDocs.count))
        for (i, (key, _)) in fieldDocs.enumerated() {
            lua_pushinteger(L, lua_Integer(i))
            lua_setfield(L, -2, key)
        }
        let getters = self.fieldGetters
        let name = self.name
        let cName = self.cName
        let allNames = fieldDocs.map(\.0) + methods.map(\.name)
        let indexFunction = rt.functions.append { call in
            let L = call.L
            guard let box = LuaClass.box(L, 1, cName) else { throw LuaError.message("bad self for \(name)") }
            guard lua_type(L, 2) == LUA_TSTRING else { return call.pushNil() }
            lua_pushvalue(L, 2)
            if lua_rawget(L, am_upvalueindex(2)) != LUA_TNIL { return 1 }
            lua_pushvalue(L, 2)
            if lua_rawget(L, am_upvalueindex(3)) == LUA_TNUMBER {
                let i = Int(lua_tointegerx(L, -1, nil))
                return call.push(getters[i](box.value))
            }
            let key = LuaCall.string(L, 2)
            throw LuaError.message("\(name) has no field '\(key)'\(Suggestions.closestName(key, allNames))")
        }
        rt.functionNames.append("\(name).__index")
        am_pushswiftclosure(L, lua_Integer(indexFunction), 2)
        lua_setfield(L, meta, "__index")

        let describe = tostring
        rt.pushFunction(named: "\(name).__tostring") { call in
            guard let box = LuaClass.box(call.L, 1, cName) else { return call.push(string: name) }
            return call.push(string: describe?(box.value) ?? "\(name)")
        }
        lua_setfield(L, meta, "__tostring")

        if let eq = equals {
            rt.pushFunction(named: "\(name).__eq") { call in
                guard let a = LuaClass.box(call.L, 1, cName), let b = LuaClass.box(call.L, 2, cName) else {
                    return call.push(.bool(false))
                }
                return call.push(.bool(a === b || eq(a.value, b.value)))
            }
            lua_setfield(L, meta, "__eq")
        }
        if let len = length {
            rt.pushFunction(named: "\(name).__len") { call in
                guard let box = LuaClass.box(call.L, 1, cName) else { return call.push(integer: 0) }
                return call.push(integer: len(box.value))
            }
            lua_setfield(L, meta, "__len")
        }
        let close = self.close
        if let close {
            rt.pushFunction(named: "\(name).__close") { call in
                guard let box = LuaClass.box(call.L, 1, cName) else { return 0 }
                try close(box.value)
                return 0
            }
            lua_setfield(L, meta, "__close")
        }
        rt.pushFunction(named: "\(name).__gc") { call in
            guard let raw = lua_touserdata(call.L, 1) else { return 0 }
            let slot = raw.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            guard let p = slot.pointee else { return 0 }
            slot.pointee = nil
            let unmanaged = Unmanaged<LuaBox<T>>.fromOpaque(p)
            if let close { try? close(unmanaged.takeUnretainedValue().value) }
            unmanaged.release()
            return 0
        }
        lua_setfield(L, meta, "__gc")
        am_pop(L, 1)
    }

    /// Pushes a new userdata holding `value`.
    func push(_ L: OpaquePointer, _ value: T) {
        let raw = am_newuserdata(L, MemoryLayout<UnsafeMutableRawPointer?>.size)!
        raw.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee =
            Unmanaged.passRetained(LuaBox(value)).toOpaque()
        luaL_setmetatable(L, name)
    }

    /// The box in the userdata at `index`, if it is one of this class.
    static func box(_ L: OpaquePointer, _ index: Int32, _ name: UnsafePointer<CChar>) -> LuaBox<T>? {
        guard let raw = luaL_testudata(L, index, name) else { return nil }
        guard let p = raw.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee else { return nil }
        // The metatable check above proves the type: every userdata with this
        // metatable was made by `push` with a LuaBox<T>.
        return Unmanaged<LuaBox<T>>.fromOpaque(p).takeUnretainedValue()
    }
}

extension Suggestions {
    /// " (did you mean 'x'?)" or "".
    static func closestName(_ key: String, _ candidates: [String]) -> String {
        guard let c = closest(to: key, in: candidates, limit: 1).first else { return "" }
        return " (did you mean '\(c)'?)"
    }
}
