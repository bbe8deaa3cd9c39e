import Dispatch

extension ScheduleExecutor {
    struct BlockResult {
        var maxAbsError = 0.0
        var worstRatio = 0.0
        var mismatch: String?
    }

    /// Compares the buffers with a serial Float64 reference recomputed from the
    /// input hash: sums (within `ReductionErrorBound`) where the collective reduces,
    /// exact copies elsewhere. Checked in parallel over blocks of elements.
    static func check<T: ExecutorElement>(_ buf: UnsafeMutablePointer<T>, _ s: Schedule, seed: UInt64,
                                          pattern: InputPattern, unitRoundoff u: Double) -> ExecutionReport {
        let p = s.rankCount, n = s.elementCount, len = s.bufferElements
        let span = s.collective == .allToAll ? p * n : n
        let block = 1 << 14
        let blocks = (span + block - 1) / block
        let results = UnsafeMutablePointer<BlockResult>.allocate(capacity: max(1, blocks))
        results.initialize(repeating: BlockResult(), count: max(1, blocks))
        defer { results.deinitialize(count: max(1, blocks)); results.deallocate() }
        let shared = (buf: SharedBuffer(base: buf), results: SharedBuffer(base: results))
        let shards = Chunking.even(0, n, p)
        @Sendable func x(_ r: Int, _ e: Int) -> Double { T(fromDouble: inputValue(seed: seed, rank: r, index: e, pattern: pattern)).asDouble }
        @Sendable func owner(_ e: Int) -> Int {
            var lo = 0, hi = p - 1   // largest i with shards[i] <= e
            while lo < hi { let mid = (lo + hi + 1) / 2; if shards[mid] <= e { lo = mid } else { hi = mid - 1 } }
            return lo
        }
        DispatchQueue.concurrentPerform(iterations: blocks) { bi in
            var res = BlockResult()
            let data = shared.buf.base
            func record(rank: Int, index e: Int, got: Double, want: Double, bound: Double) {
                let err = abs(got - want)
                if !(err <= bound) {
                    if res.mismatch == nil {
                        res.mismatch = "rank \(rank) element \(e): got \(got), expected \(want) (allowed error \(bound))"
                    }
                    res.maxAbsError = err.isNaN ? .nan : max(res.maxAbsError, err)
                    res.worstRatio = .infinity
                    return
                }
                if !res.maxAbsError.isNaN { res.maxAbsError = max(res.maxAbsError, err) }
                if bound > 0 { res.worstRatio = max(res.worstRatio, err / bound) }
            }
            for e in (bi * block)..<min(span, (bi + 1) * block) {
                switch s.collective {
                case .allReduce, .reduce, .reduceScatter:
                    var sum = 0.0, absSum = 0.0
                    for r in 0..<p { let v = x(r, e); sum += v; absSum += abs(v) }
                    let bound = ReductionErrorBound.bound(terms: p, absSum: absSum, unitRoundoff: u)
                    switch s.collective {
                    case .allReduce: for r in 0..<p { record(rank: r, index: e, got: data[r * len + e].asDouble, want: sum, bound: bound) }
                    case .reduce: record(rank: s.root, index: e, got: data[s.root * len + e].asDouble, want: sum, bound: bound)
                    default: let o = owner(e); record(rank: o, index: e, got: data[o * len + e].asDouble, want: sum, bound: bound)
                    }
                case .allGather, .broadcast:
                    let want = x(s.collective == .broadcast ? s.root : owner(e), e)
                    for r in 0..<p { record(rank: r, index: e, got: data[r * len + e].asDouble, want: want, bound: 0) }
                case .allToAll:
                    let from = e / n, k = e % n
                    for j in 0..<p {
                        record(rank: j, index: p * n + e, got: data[j * len + p * n + e].asDouble, want: x(from, j * n + k), bound: 0)
                    }
                }
            }
            shared.results.base[bi] = res
        }
        var maxErr = 0.0, worst = 0.0
        var mismatch: String?
        for bi in 0..<blocks {
            let r = results[bi]
            maxErr = (maxErr.isNaN || r.maxAbsError.isNaN) ? .nan : max(maxErr, r.maxAbsError)
            worst = max(worst, r.worstRatio)
            if mismatch == nil { mismatch = r.mismatch }
        }
        return ExecutionReport(ok: mismatch == nil, maxAbsError: maxErr, worstErrorToBound: worst,
                               seconds: 0, planSeconds: 0, steps: 0, firstMismatch: mismatch)
    }
}
