/// A CSV cell: empty (missing), a number, an integer or text.
public enum CSVValue: Equatable, Sendable {
    case missing
    case integer(Int64)
    case number(Double)
    case text(String)

    /// The encoded field, quoted per RFC 4180 when it needs to be.
    public var field: String {
        switch self {
        case .missing: return ""
        case .integer(let i): return NumberFormat.format(i)
        case .number(let d): return NumberFormat.format(d)
        case .text(let s): return CSV.quote(s)
        }
    }

    public static func == (a: CSVValue, b: CSVValue) -> Bool {
        switch (a, b) {
        case (.missing, .missing): return true
        case let (.integer(x), .integer(y)): return x == y
        case let (.number(x), .number(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.text(x), .text(y)): return x == y
        default: return false
        }
    }
}

/// RFC 4180 encoding and decoding.
public enum CSV {
    /// Quotes `text` when it is empty or holds a comma, quote, CR or LF, or has surrounding spaces.
    public static func quote(_ text: String) -> String {
        // An empty string is quoted so it reads back as text, not as a missing cell.
        if text.isEmpty { return "\"\"" }
        let needs = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            || text.first == " " || text.last == " "
        guard needs else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One encoded record, CRLF-free (rows end with "\n").
    public static func line(_ values: [CSVValue]) -> String {
        values.map(\.field).joined(separator: ",") + "\n"
    }

    /// The header line for `columns`.
    public static func header(_ columns: [String]) -> String {
        line(columns.map { .text($0) })
    }

    /// Splits CSV text into records of raw fields. Quoted fields may hold commas,
    /// doubled quotes and newlines. Returns nil with a message for malformed input.
    public static func parseRecords(_ text: String) throws(CSVError) -> [[(String, quoted: Bool)]] {
        var records: [[(String, quoted: Bool)]] = []
        var record: [(String, quoted: Bool)] = []
        var field = ""
        var quoted = false
        var inQuotes = false
        var line = 1
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        var atRecordStart = true
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" {
                        field.unicodeScalars.append("\""); i += 2; continue
                    }
                    inQuotes = false
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case "\"":
                if !field.isEmpty { throw CSVError(line: line, message: "quote inside an unquoted field") }
                inQuotes = true; quoted = true
            case ",":
                record.append((field, quoted)); field = ""; quoted = false
            case "\r":
                break
            case "\n":
                record.append((field, quoted)); field = ""; quoted = false
                records.append(record); record = []
                line += 1
                atRecordStart = true
                i += 1
                continue
            default:
                if quoted { throw CSVError(line: line, message: "text after a closing quote") }
                field.unicodeScalars.append(c)
            }
            atRecordStart = false
            i += 1
        }
        if inQuotes { throw CSVError(line: line, message: "unterminated quoted field") }
        if !atRecordStart || !field.isEmpty || !record.isEmpty {
            record.append((field, quoted)); records.append(record)
        }
        return records
    }

    /// Parses CSV text with a header into rows of typed values: unquoted numbers
    /// (and `nan`/`inf`) become numbers, empty unquoted fields are missing.
    public static func parse(_ text: String) throws(CSVError) -> (columns: [String], rows: [[CSVValue]]) {
        let records = try parseRecords(text)
        guard let head = records.first else { return ([], []) }
        let columns = head.map(\.0)
        var rows: [[CSVValue]] = []
        for (n, rec) in records.dropFirst().enumerated() {
            if rec.count == 1 && rec[0].0.isEmpty && !rec[0].quoted { continue }
            guard rec.count == columns.count else {
                throw CSVError(line: n + 2, message: "record has \(rec.count) fields, header has \(columns.count)")
            }
            rows.append(rec.map { field, quoted in
                if quoted { return .text(field) }
                if field.isEmpty { return .missing }
                if let i = Int64(field) { return .integer(i) }
                if let d = NumberFormat.parse(field[...]) { return .number(d) }
                return .text(field)
            })
        }
        return (columns, rows)
    }
}

/// A malformed CSV input.
public struct CSVError: Error, CustomStringConvertible, Sendable {
    /// 1-based line where the problem was seen.
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}
