/// A user-facing error from the core: the message says what is wrong in the
/// user's terms (names, units, the offending value) and, where it helps, what
/// would be right. The Lua layer prefixes it with `script.lua:LINE:`.
public struct AmalgamError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// "unknown chip 'a100' (did you mean 'nvidia_a100_sxm4_80g', ...?)"
    public static func unknown(_ what: String, _ name: String, among candidates: [String]) -> AmalgamError {
        let close = Suggestions.closest(to: name, in: candidates)
        if close.isEmpty {
            return AmalgamError("unknown \(what) '\(name)' (valid: \(candidates.sorted().joined(separator: ", ")))")
        }
        return AmalgamError("unknown \(what) '\(name)' (did you mean \(close.map { "'\($0)'" }.joined(separator: ", "))?)")
    }
}

/// Close-match suggestions for misspelt names.
public enum Suggestions {
    /// Up to `limit` candidates closest to `name`: substring matches first, then by
    /// edit distance (at most about a third of the longer name), ties by name.
    public static func closest(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
        let lower = name.lowercased()
        var scored: [(Int, String)] = []
        for c in candidates {
            let lc = c.lowercased()
            if lc.contains(lower) || (lower.count >= 3 && lower.contains(lc)) {
                scored.append((0, c)); continue
            }
            let d = editDistance(lower, lc)
            if d <= max(2, max(lower.count, lc.count) / 3) { scored.append((d, c)) }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return scored.prefix(limit).map(\.1)
    }

    /// Levenshtein distance over Unicode scalars.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count), cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }
}

extension RawRepresentable where Self: CaseIterable, RawValue == String {
    /// The case spelt `text`; anything else is an `AmalgamError` naming `what` and the
    /// closest valid spellings. Every user-facing choice enum parses through this.
    public static func choice(_ text: String, what: String) throws -> Self {
        guard let value = Self(rawValue: text) else {
            throw AmalgamError.unknown(what, text, among: allCases.map(\.rawValue))
        }
        return value
    }
}
