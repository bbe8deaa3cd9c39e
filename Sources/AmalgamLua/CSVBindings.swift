import AmalgamCore
import AmalgamIO
import CLua
import CLuaShims
import Foundation

/// A CSV being written row by row; appears atomically on `close`.
final class CSVSink {
    let displayPath: String
    let columns: [String]
    private var file: AtomicFileWriter?
    private var toStdout: Bool
    private(set) var rowsWritten = 0
    private(set) var closed = false

    init(path: String, resolved: String, columns: [String]) throws {
        displayPath = path
        self.columns = columns
        toStdout = path == "-"
        if !toStdout { file = try AtomicFileWriter(path: resolved) }
        try emit(CSV.header(columns))
    }

    private func emit(_ text: String) throws {
        if toStdout { print(text, terminator: "") } else { try file?.write(text) }
    }

    func write(_ values: [CSVValue]) throws {
        guard !closed else { throw LuaError.message("csv writer for '\(displayPath)' is closed") }
        try emit(CSV.line(values))
        rowsWritten += 1
    }

    func close() throws {
        guard !closed else { return }
        closed = true
        try file?.commit()
    }

    func discard() {
        closed = true
        file?.discard()
    }
}

/// `am.csv`: write, stream and read CSV files.
enum CSVBindings {
    /// Built once; each runtime registers its metatable from it.
    static let writerClass: LuaClass<CSVSink> = {
        let writerClass = LuaClass<CSVSink>("amalgam.CSVWriter")
        return writerClass
            .field("path", "the path as given") { .string($0.displayPath) }
            .field("columns", "the column names") { .array($0.columns.map { .string($0) }) }
            .field("rows", "rows written so far") { .integer($0.rowsWritten) }
            .method("write", FunctionDoc(
                "CSVWriter:write", "w:write(row)",
                "Appends one row: a table keyed by column name (missing keys are empty cells) or an array in column order.",
                arguments: [("row", "table")], example: "w:write{ algo = \"ring\", time_s = 0.25 }"
            )) { call in
                let sink = try call.object(1, writerClass)
                try call.table(2)
                try sink.write(try rowValues(call.L, call.slot(2), columns: sink.columns, rowNumber: sink.rowsWritten + 1))
                return 0
            }
            .method("close", FunctionDoc(
                "CSVWriter:close", "w:close()",
                "Finishes the file: it appears at its path only now, whole. Also runs when a `<close>` variable goes out of scope.",
                example: "w:close()"
            )) { call in
                try call.object(1, writerClass).close()
                return 0
            }
            .describe { "CSVWriter(\($0.displayPath), \($0.rowsWritten) rows\($0.closed ? ", closed" : ""))" }
            .closable { sink in try sink.close() }
    }()

    static func register(_ rt: LuaRuntime) {
        rt.define(writerClass)

        rt.function(FunctionDoc(
            "am.csv.write", "am.csv.write(path, rows [, {columns = {...}}])",
            "Writes rows to a CSV file atomically (a temporary file renamed into place), so a failing script never leaves half a file. Relative paths go under --out (default results/); \"-\" is stdout. Numbers use the shortest round-trip form; NaN and infinities are written nan, inf, -inf; nil cells are empty.",
            arguments: [
                ("path", "file path, relative to --out, or \"-\" for stdout"),
                ("rows", "array of rows: tables keyed by column name, or arrays in column order"),
                ("columns", "column names in order (default: the order carried by rows from am.* functions such as am.catalog_rows(), else the sorted union of the rows' keys)"),
            ],
            returns: "the resolved path written",
            example: "am.csv.write(\"sweep.csv\", { { gbps = 100, time_s = 1.5 }, { gbps = 400, time_s = 0.5 } },\n             { columns = { \"gbps\", \"time_s\" } })"
        )) { call in
            let path = try call.string(1)
            let rowsIndex = try call.table(2)
            var columns: [String]? = nil
            if !call.isNil(3) {
                let opts = try call.options(3, context: "csv.write")
                columns = try opts.table("columns") { t in try stringArray(t) }
                try opts.finish()
            }
            let L = call.L
            let n = Int(lua_rawlen(L, rowsIndex))
            if columns == nil { columns = LuaValue.columns(ofRows: rowsIndex, L) }
            if columns == nil { columns = try inferColumns(L, rowsIndex, count: n) }
            let cols = columns ?? []
            guard !cols.isEmpty else { throw LuaError.message("csv.write: no columns (give {columns = {...}} or rows with named fields)") }
            var text = CSV.header(cols)
            for i in 1...max(n, 1) where i <= n {
                guard lua_rawgeti(L, rowsIndex, lua_Integer(i)) == LUA_TTABLE else {
                    throw LuaError.message("csv.write: row \(i) must be a table (got \(LuaCall.typeName(L, -1)))")
                }
                text += CSV.line(try rowValues(L, lua_gettop(L), columns: cols, rowNumber: i))
                am_pop(L, 1)
            }
            if path == "-" {
                print(text, terminator: "")
                return call.push(string: "-")
            }
            let resolved = resolveOutput(call.runtime, path)
            try AtomicFileWriter.write(text, to: resolved)
            return call.push(string: resolved)
        }

        rt.function(FunctionDoc(
            "am.csv.open", "am.csv.open(path, columns) -> CSVWriter",
            "Opens a streaming CSV writer. Rows go to a temporary file that appears at `path` only on `close` (or when a `<close>` variable leaves scope, or when the script ends successfully); if the script fails it is removed.",
            arguments: [("path", "file path, relative to --out, or \"-\""), ("columns", "array of column names")],
            returns: "a CSVWriter with :write(row) and :close()",
            example: "local w <close> = am.csv.open(\"log.csv\", { \"step\", \"time_s\" })\nfor i = 1, 3 do w:write{ step = i, time_s = i * 0.1 } end"
        )) { call in
            let path = try call.string(1)
            try call.table(2)
            let cols = try stringArray(LuaOptions(L: call.L, index: call.slot(2), context: "csv.open columns"))
            guard !cols.isEmpty else { throw LuaError.argument(2, "at least one column expected") }
            let sink = try CSVSink(path: path, resolved: resolveOutput(call.runtime, path), columns: cols)
            call.runtime.openSinks.append(Weak(sink))
            return call.push(sink, as: writerClass)
        }

        rt.function(FunctionDoc(
            "am.csv.read", "am.csv.read(path) -> rows, columns",
            "Reads a CSV file with a header. Unquoted numeric fields become numbers (nan/inf too), empty fields are nil, everything else is a string. A relative path is looked up in the current directory, then under --out.",
            arguments: [("path", "file path")],
            returns: "an array of rows keyed by column name, and the array of column names",
            example: "local rows, cols = am.csv.read(\"sweep.csv\")\nprint(#rows, cols[1], rows[1].time_s)"
        )) { call in
            let path = try call.string(1)
            let (columns, rows) = try readCSV(call.runtime, path)
            call.push(.array(rows.map { row in
                .record(zip(columns, row).compactMap { name, value in
                    switch value {
                    case .missing: return nil
                    case .integer(let i): return (name, .integer(Int(i)))
                    case .number(let d): return (name, .number(d))
                    case .text(let s): return (name, .string(s))
                    }
                })
            }))
            call.push(.array(columns.map { .string($0) }))
            return 2
        }
    }

    /// The UTF-8 text of an input file: a relative `path` is looked up in the
    /// current directory, then under --out (as `am.csv.read` documents).
    static func readText(_ rt: LuaRuntime, _ path: String) throws -> String {
        var resolved = path
        if !path.hasPrefix("/") && !FileManager.default.fileExists(atPath: path) {
            let alt = resolveOutput(rt, path)
            if FileManager.default.fileExists(atPath: alt) { resolved = alt }
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw LuaError.message("cannot read '\(path)': no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LuaError.message("cannot read '\(path)': not UTF-8 text")
        }
        return text
    }

    /// Parses the CSV at `path` (resolved as `am.csv.read` documents).
    static func readCSV(_ rt: LuaRuntime, _ path: String) throws -> ([String], [[CSVValue]]) {
        let text = try readText(rt, path)
        do {
            let parsed = try CSV.parse(text)
            return (parsed.columns, parsed.rows)
        } catch {
            throw LuaError.message("\(path): \(error)")
        }
    }

    /// `path` under the output directory unless absolute.
    static func resolveOutput(_ rt: LuaRuntime, _ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let dir = rt.options.outputDirectory
        return dir.isEmpty ? path : (dir.hasSuffix("/") ? dir + path : dir + "/" + path)
    }

    static func stringArray(_ t: LuaOptions) throws -> [String] {
        let L = t.L
        let n = Int(lua_rawlen(L, t.index))
        var out: [String] = []
        for i in 0..<n {
            guard let s = try t.positionalString(i + 1) else { break }
            out.append(s)
        }
        return out
    }

    static func inferColumns(_ L: OpaquePointer, _ rows: Int32, count: Int) throws -> [String] {
        var names = Set<String>()
        for i in 0..<count {
            guard lua_rawgeti(L, rows, lua_Integer(i + 1)) == LUA_TTABLE else { am_pop(L, 1); continue }
            lua_pushnil(L)
            while lua_next(L, -2) != 0 {
                am_pop(L, 1)
                if lua_type(L, -1) == LUA_TSTRING { names.insert(LuaCall.string(L, -1)) }
            }
            am_pop(L, 1)
        }
        return names.sorted()
    }

    /// The cells of the row table at `index` for `columns`.
    static func rowValues(_ L: OpaquePointer, _ index: Int32, columns: [String], rowNumber: Int) throws -> [CSVValue] {
        let positional = lua_rawlen(L, index) > 0
        var values: [CSVValue] = []
        values.reserveCapacity(columns.count)
        for (c, name) in columns.enumerated() {
            if positional {
                lua_rawgeti(L, index, lua_Integer(c + 1))
            } else {
                LuaValue.pushString(L, name)
                lua_rawget(L, index)
            }
            defer { am_pop(L, 1) }
            switch lua_type(L, -1) {
            case LUA_TNIL: values.append(.missing)
            case LUA_TNUMBER:
                if lua_isinteger(L, -1) != 0 { values.append(.integer(Int64(lua_tointegerx(L, -1, nil)))) }
                else { values.append(.number(lua_tonumberx(L, -1, nil))) }
            case LUA_TSTRING: values.append(.text(LuaCall.string(L, -1)))
            case LUA_TBOOLEAN: values.append(.text(lua_toboolean(L, -1) != 0 ? "true" : "false"))
            default:
                throw LuaError.message("csv: row \(rowNumber), column '\(name)' holds a \(LuaCall.typeName(L, -1)) (numbers, strings, booleans or nil only)")
            }
        }
        return values
    }
}

/// A weak reference, for the runtime's list of open CSV writers.
final class Weak<T: AnyObject> {
    weak var value: T?
    init(_ value: T) { self.value = value }
}
