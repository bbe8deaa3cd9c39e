extension Schedule {
    /// Largest schedule `checkDataflow` accepts (it keeps an ancestor bit set per transfer).
    public static let maxCheckedTransfers = 20_000

    /// Checks that the dependencies alone determine every result, so that any
    /// interpreter honouring them (the executor's steps, the network model's
    /// event order) sees the same data. For every rank's buffer:
    ///
    /// - a transfer reading a range written in an earlier step depends on that
    ///   write (directly or through others) — otherwise the network model could
    ///   send it before the data arrived;
    /// - a write in a later step into a range a transfer reads waits for that
    ///   transfer — otherwise it could overwrite the data before it is sent;
    /// - two overlapping writes of which one is a copy are ordered by dependencies.
    ///
    /// Reads and writes of the same range in the same step are allowed: a transfer
    /// carries its sender's range as it stood when the step began (send-receive
    /// semantics, as in recursive doubling's exchanges). Throws an `AmalgamError`
    /// naming the first offending pair.
    public func checkDataflow() throws {
        let n = count
        guard n <= Self.maxCheckedTransfers else {
            throw AmalgamError("checkDataflow handles at most \(Self.maxCheckedTransfers) transfers (this schedule has \(n))")
        }
        let level = steps()
        let words = (n + 63) / 64
        var anc = [UInt64](repeating: 0, count: n * words)
        for i in 0..<n {
            for k in depStart[i]..<depStart[i + 1] {
                let d = Int(deps[k])
                anc[i * words + d / 64] |= 1 << UInt64(d % 64)
                for w in 0..<words { anc[i * words + w] |= anc[d * words + w] }
            }
        }
        func precedes(_ a: Int, _ b: Int) -> Bool { anc[b * words + a / 64] & (1 << UInt64(a % 64)) != 0 }
        func range(_ seg: Int32) -> (Int, Int) {
            let s = segmentStart[Int(seg)]; return (s, s + segmentLength[Int(seg)])
        }
        func overlap(_ x: (Int, Int), _ y: (Int, Int)) -> Bool { x.0 < x.1 && y.0 < y.1 && x.0 < y.1 && y.0 < x.1 }
        var reads = Array(repeating: [Int](), count: rankCount), writes = reads
        for i in 0..<n { reads[Int(src[i])].append(i); writes[Int(dst[i])].append(i) }
        func describe(_ i: Int) -> String {
            let (a, b) = range(srcSegment[i]), (c, d) = range(dstSegment[i])
            return "transfer \(i) (step \(level[i]), rank \(src[i])[\(a)..<\(b)] -> rank \(dst[i])[\(c)..<\(d)], \(op[i] == .reduce ? "sum" : "copy"))"
        }
        for x in 0..<rankCount {
            for t in reads[x] {
                let r = range(srcSegment[t])
                for w in writes[x] where w != t && overlap(r, range(dstSegment[w])) {
                    if level[w] < level[t] && !precedes(w, t) {
                        throw AmalgamError("\(algorithm): \(describe(t)) reads data written by \(describe(w)) without depending on it")
                    }
                    if level[w] > level[t] && !precedes(t, w) {
                        throw AmalgamError("\(algorithm): \(describe(w)) overwrites data read by \(describe(t)) without waiting for it")
                    }
                }
            }
            let ws = writes[x]
            for (i, w1) in ws.enumerated() {
                for w2 in ws[(i + 1)...] where (op[w1] == .copy || op[w2] == .copy)
                    && overlap(range(dstSegment[w1]), range(dstSegment[w2])) && !precedes(w1, w2) && !precedes(w2, w1) {
                    throw AmalgamError("\(algorithm): \(describe(w1)) and \(describe(w2)) write the same range in no fixed order")
                }
            }
        }
    }
}
