/// Splitting an element range into chunks without losing elements.
enum Chunking {
    /// Boundaries of `k` near-equal chunks of `[lo, hi)`: chunk `i` is
    /// `[b[i], b[i+1])` with `b[i] = lo + i*(hi-lo)/k`, so sizes differ by at most one.
    static func even(_ lo: Int, _ hi: Int, _ k: Int) -> [Int] {
        let n = hi - lo
        return (0...k).map { lo + $0 * n / k }
    }

    /// Boundaries of chunks of `[lo, hi)` with sizes proportional to `weights`
    /// (non-negative, positive sum), rounded by largest remainder so they sum to
    /// the range exactly; ties go to the lower index (deterministic).
    static func weighted(_ lo: Int, _ hi: Int, _ weights: [Double]) -> [Int] {
        let n = hi - lo
        let total = weights.reduce(0, +)
        let exact = weights.map { total > 0 ? Double(n) * $0 / total : Double(n) / Double(weights.count) }
        var sizes = exact.map { Int($0.rounded(.down)) }
        var left = n - sizes.reduce(0, +)
        let order = exact.indices.sorted { a, b in
            let ra = exact[a] - Double(sizes[a]), rb = exact[b] - Double(sizes[b])
            return ra != rb ? ra > rb : a < b
        }
        var k = 0
        while left > 0 && !order.isEmpty {
            sizes[order[k % order.count]] += 1; left -= 1; k += 1
        }
        var b = [lo]
        for s in sizes { b.append(b.last! + s) }
        return b
    }

    /// Segment ids for the chunks between consecutive `boundaries`.
    static func segments(_ b: inout ScheduleBuilder, _ boundaries: [Int]) -> [Int32] {
        (0..<(boundaries.count - 1)).map { b.segment(boundaries[$0], boundaries[$0 + 1] - boundaries[$0]) }
    }
}
