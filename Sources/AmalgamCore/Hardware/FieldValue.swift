/// One cell of a table the core hands to the scripting and output layers
/// (catalog rows, link rows, chip fields). Kept as a value, not pre-formatted
/// text, so CSV and Lua each format numbers their own way.
public enum FieldValue: Sendable, Equatable, Hashable, Codable {
    /// A measured or specified quantity (units are in the column name).
    case number(Double)
    /// A count.
    case integer(Int)
    /// Names, labels and sources.
    case text(String)

    /// The value as a Double when it is numeric.
    public var number: Double? {
        switch self {
        case .number(let d): return d
        case .integer(let i): return Double(i)
        case .text: return nil
        }
    }

    /// The value as text when it is text.
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}

/// A rectangular table: column names (with units, e.g. `bf16_tflops`) and rows
/// whose cells are nil where a figure is unknown.
public struct FieldTable: Sendable, Equatable {
    /// Column names, snake_case with units.
    public var columns: [String]
    /// One array per row, `columns.count` cells each.
    public var rows: [[FieldValue?]]

    /// A table; rows must have `columns.count` cells (the core builds these itself).
    public init(columns: [String], rows: [[FieldValue?]]) {
        self.columns = columns; self.rows = rows
    }
}
