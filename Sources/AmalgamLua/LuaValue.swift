import AmalgamCore
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

extension LuaValue {
    /// A core table cell: numbers, integers and text as themselves.
    public init(_ cell: FieldValue) {
        switch cell {
        case .number(let d): self = .number(d)
        case .integer(let i): self = .integer(i)
        case .text(let s): self = .string(s)
        }
    }

    /// A core table as an array of rows keyed by column (unknown cells absent),
    /// remembering its column order in `rows.columns` (through the metatable,
    /// so `pairs` and `#` see only the rows): `am.csv.write` uses it, so CSVs
    /// keep the core's column order instead of sorting names.
    public static func table(_ t: FieldTable) -> LuaValue {
        let columns = t.columns
        let rows: [LuaValue] = t.rows.map { row in
            .record(zip(columns, row).compactMap { name, cell in cell.map { (name, LuaValue($0)) } })
        }
        return .custom { L, rt in
            LuaValue.array(rows).push(L, rt)
            lua_createtable(L, 0, 2)
            LuaValue.array(columns.map { .string($0) }).push(L, rt)
            lua_setfield(L, -2, "columns")
            lua_pushvalue(L, -1)
            lua_setfield(L, -2, "__index")
            lua_setmetatable(L, -2)
        }
    }

    /// The column order a row set made by `table(_:)` carries, if the table at
    /// `index` is one (raw access only).
    static func columns(ofRows index: Int32, _ L: OpaquePointer) -> [String]? {
        guard lua_getmetatable(L, index) != 0 else { return nil }
        defer { am_pop(L, 1) }
        LuaValue.pushString(L, "columns")
        defer { am_pop(L, 1) }
        guard lua_rawget(L, -2) == LUA_TTABLE else { return nil }
        let n = Int(lua_rawlen(L, -1))
        var out: [String] = []
        for i in 0..<n {
            defer { am_pop(L, 1) }
            guard lua_rawgeti(L, -1, lua_Integer(i + 1)) == LUA_TSTRING else { return nil }
            out.append(LuaCall.string(L, -1))
        }
        return out
    }
}
