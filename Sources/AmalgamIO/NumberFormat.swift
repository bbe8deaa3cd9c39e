/// Text forms of numbers shared by every output format.
///
/// Doubles print as the shortest string that reads back to the same value
/// (Swift's `description`), integral values below 2^53 without a fraction, and
/// non-finite values as `nan`, `inf` and `-inf`, which pandas reads back.
public enum NumberFormat {
    /// The canonical text of `value`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) <= 9.007_199_254_740_992e15 {
            if value == 0 { return value.sign == .minus ? "-0" : "0" }
            return String(Int64(value))
        }
        return value.description
    }

    /// The canonical text of an integer.
    public static func format(_ value: Int64) -> String { String(value) }

    /// Parses what `format` writes (plus ordinary decimal and exponent forms).
    public static func parse(_ text: Substring) -> Double? {
        switch text {
        case "nan", "NaN": return .nan
        case "inf", "+inf", "Inf", "infinity": return .infinity
        case "-inf", "-Inf", "-infinity": return -.infinity
        default: break
        }
        guard let first = text.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        return Double(text)
    }
}
