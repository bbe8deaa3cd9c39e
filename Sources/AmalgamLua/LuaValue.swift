import CLua
import CLuaShims

/// A Swift description of a Lua value to push: results of bound functions are
/// built as `LuaValue`s so bindings never touch the stack by hand.
public indirect enum LuaValue {
    case `nil`
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    /// A sequence `{v1, v2, ...}`.
    case array([LuaValue])
    /// A record with keys in this order (order matters only for iteration-free use).
    case record([(String, LuaValue)])
    /// Anything else: a closure that pushes exactly one value.
    case custom((OpaquePointer, LuaRuntime) -> Void)

    /// `.number` for finite doubles; convenience for optionals.
    public static func number(_ d: Double?) -> LuaValue { d.map { .number($0) } ?? .nil }
    public static func string(_ s: String?) -> LuaValue { s.map { .string($0) } ?? .nil }

    func push(_ L: OpaquePointer, _ rt: LuaRuntime) {
        switch self {
        case .nil: lua_pushnil(L)
        case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s): LuaValue.pushString(L, s)
        case .array(let items):
            lua_createtable(L, Int32(clamping: items.count), 0)
            for (i, item) in items.enumerated() {
                item.push(L, rt)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        case .record(let fields):
            lua_createtable(L, 0, Int32(clamping: fields.count))
            for (key, value) in fields {
                LuaValue.pushString(L, key)
                value.push(L, rt)
                lua_rawset(L, -3)
            }
        case .custom(let f): f(L, rt)
        }
    }

    static func pushString(_ L: OpaquePointer, _ s: String) {
        var copy = s
        copy.withUTF8 { buf in
            _ = buf.withMemoryRebound(to: CChar.self) { lua_pushlstring(L, $0.baseAddress, buf.count) }
        }
    }
}

/// Rows (records with a shared column order) as a Lua array of tables.
public func luaRows(_ columns: [String], _ rows: [[LuaValue]]) -> LuaValue {
    .array(rows.map { row in .record(Array(zip(columns, row))) })
}
