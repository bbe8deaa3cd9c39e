/// Recursive doubling and recursive halving-doubling (Rabenseifner), after Thakur,
/// Rabenseifner & Gropp, "Optimization of Collective Communication Operations in
/// MPICH" (IJHPCA 2005), including their fold for non-power-of-two rank counts.
///
/// Dependencies: a rank's send carries everything it has received so far in the
/// collective (its buffer range has been summed into or filled by each of those
/// receives), and partners' chains do not imply each other, so every send waits for
/// all earlier receives into its sender — `log2 p` of them at most.
enum RecursiveAlgorithm {
    static func isPowerOfTwo(_ p: Int) -> Bool { p > 0 && p & (p - 1) == 0 }

    /// Largest power of two `<= p`.
    static func floorPowerOfTwo(_ p: Int) -> Int { 1 << (Int.bitWidth - 1 - p.leadingZeroBitCount) }

    /// The fold of non-power-of-two rank counts: with `p' = floorPow2(p)` and
    /// `extra = p - p'`, even ranks `< 2*extra` hand their data to the next odd rank
    /// and sit out; the `p'` remaining ranks form the core, numbered `v`.
    struct Fold {
        let p: Int, core: Int, extra: Int
        init(_ p: Int) { self.p = p; core = RecursiveAlgorithm.floorPowerOfTwo(p); extra = p - core }
        /// Rank of core member `v`.
        func rank(_ v: Int) -> Int32 { Int32(v < extra ? 2 * v + 1 : v + extra) }
    }

    /// Tracks every receive into each rank, the dependency set of its next send.
    struct Receipts {
        var byRank: [[Int32]]
        init(_ p: Int) { byRank = Array(repeating: [], count: p) }
    }

    /// Extra ranks sum their whole buffer into their odd partner.
    static func foldIn(_ b: inout ScheduleBuilder, _ f: Fold, _ all: Int32, _ rec: inout Receipts) {
        for i in 0..<f.extra {
            let t = b.add(Int32(2 * i), Int32(2 * i + 1), all, all, .reduce, after: -1)
            rec.byRank[2 * i + 1].append(t)
        }
    }

    /// Odd partners copy the result back to the extra ranks.
    static func foldOut(_ b: inout ScheduleBuilder, _ f: Fold, _ all: Int32, _ rec: Receipts) {
        for i in 0..<f.extra {
            b.add(Int32(2 * i + 1), Int32(2 * i), all, all, .copy, after: rec.byRank[2 * i + 1])
        }
    }

    /// Recursive doubling over the core: step `k` exchanges whole buffers with
    /// `v xor 2^k` and sums; `log2 p'` steps, each rank sends `log2(p') * n` elements.
    /// Unlike the halving/doubling phases (whose two directions move disjoint
    /// halves), both directions read and write the whole buffer.
    static func doublingAllReduceCore(_ b: inout ScheduleBuilder, _ f: Fold, _ all: Int32, _ rec: inout Receipts) {
        // Every transfer each rank has sent or received so far.
        var touched = rec.byRank
        var d = 1
        while d < f.core {
            var landed: [(Int, Int32)] = []
            for v in 0..<f.core {
                // An exchange is a send-receive: the partner's data may land only once
                // this rank has finished the previous step, its send included (else it
                // would overwrite data not yet sent, or forward the partner's own
                // contribution back), so both directions wait for every earlier
                // transfer of both ranks.
                let s = f.rank(v), t = f.rank(v ^ d)
                landed.append((Int(t), b.add(s, t, all, all, .reduce, after: touched[Int(s)] + touched[Int(t)])))
            }
            for (r, t) in landed { rec.byRank[r].append(t) }
            for (r, t) in landed { touched[r].append(t); touched[Int(b.schedule.src[Int(t)])].append(t) }
            d <<= 1
        }
    }

    /// Recursive halving reduce-scatter over the core's `p'` blocks: at the step with
    /// distance `d = p'/2, p'/4, ..., 1` each member keeps the half of its current
    /// block range on its side of bit `d` and sends the other half to `v xor d`, which
    /// sums it in. Member `v` ends owning block `v`.
    static func halvingReduceScatterCore(_ b: inout ScheduleBuilder, _ f: Fold, blocks: [Int], _ rec: inout Receipts) {
        var lo = [Int](repeating: 0, count: f.core), hi = [Int](repeating: f.core, count: f.core)
        var d = f.core / 2
        while d >= 1 {
            var landed: [(Int, Int32)] = []
            for v in 0..<f.core {
                let mid = (lo[v] + hi[v]) / 2
                let (sendLo, sendHi) = v & d == 0 ? (mid, hi[v]) : (lo[v], mid)
                let seg = b.segment(blocks[sendLo], blocks[sendHi] - blocks[sendLo])
                let s = f.rank(v), t = f.rank(v ^ d)
                landed.append((Int(t), b.add(s, t, seg, seg, .reduce, after: rec.byRank[Int(s)])))
            }
            for v in 0..<f.core {
                let mid = (lo[v] + hi[v]) / 2
                if v & d == 0 { hi[v] = mid } else { lo[v] = mid }
            }
            for (r, t) in landed { rec.byRank[r].append(t) }
            d /= 2
        }
    }

    /// Recursive doubling all-gather over the core: at distance `d = 1, 2, ...` member
    /// `v` sends its aligned run of `d` blocks (which contains block `v`) to `v xor d`.
    static func doublingAllGatherCore(_ b: inout ScheduleBuilder, _ f: Fold, blocks: [Int], _ rec: inout Receipts) {
        var d = 1
        while d < f.core {
            var landed: [(Int, Int32)] = []
            for v in 0..<f.core {
                let first = (v / d) * d
                let seg = b.segment(blocks[first], blocks[first + d] - blocks[first])
                let s = f.rank(v), t = f.rank(v ^ d)
                landed.append((Int(t), b.add(s, t, seg, seg, .copy, after: rec.byRank[Int(s)])))
            }
            for (r, t) in landed { rec.byRank[r].append(t) }
            d <<= 1
        }
    }

    static func requirePowerOfTwo(_ r: CollectiveRequest, name: String, suggestion: String) throws {
        guard isPowerOfTwo(r.rankCount) else {
            throw AmalgamError("\(name) needs a power-of-two rank count (got \(r.rankCount)); \(suggestion)")
        }
    }

    /// Recursive doubling all-reduce: `log2 p` steps of whole-buffer exchanges
    /// (latency-optimal, `log2 p` times the bandwidth of a ring). Non-powers of two
    /// fail unless `foldNonPowerOfTwo` is set, which adds a fold step before and after.
    static func recursiveDoublingAllReduce(_ r: CollectiveRequest) throws -> Schedule {
        if !r.parameters.foldNonPowerOfTwo {
            try requirePowerOfTwo(r, name: "recursive doubling",
                                  suggestion: "use 'rabenseifner', which folds the extra ranks, or set fold_non_power_of_two = true")
        }
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let f = Fold(r.rankCount), all = b.segment(0, r.elementCount)
        var rec = Receipts(r.rankCount)
        foldIn(&b, f, all, &rec)
        doublingAllReduceCore(&b, f, all, &rec)
        foldOut(&b, f, all, rec)
        return try b.finish()
    }

    /// Rabenseifner all-reduce: recursive-halving reduce-scatter then
    /// recursive-doubling all-gather, `2 log2 p` steps, each rank sending
    /// `2(p-1)/p * n` elements; other rank counts fold first (2 more steps).
    static func rabenseifner(_ r: CollectiveRequest) throws -> Schedule {
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let f = Fold(r.rankCount), all = b.segment(0, r.elementCount)
        let blocks = Chunking.even(0, r.elementCount, f.core)
        var rec = Receipts(r.rankCount)
        foldIn(&b, f, all, &rec)
        halvingReduceScatterCore(&b, f, blocks: blocks, &rec)
        doublingAllGatherCore(&b, f, blocks: blocks, &rec)
        foldOut(&b, f, all, rec)
        return try b.finish()
    }

    /// Recursive halving reduce-scatter (power-of-two rank counts): rank `v` ends with shard `v`.
    static func recursiveHalvingReduceScatter(_ r: CollectiveRequest) throws -> Schedule {
        try requirePowerOfTwo(r, name: "recursive halving", suggestion: "use 'ring' or 'direct' for reduce_scatter")
        var b = ScheduleBuilder(collective: .reduceScatter, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        var rec = Receipts(r.rankCount)
        halvingReduceScatterCore(&b, Fold(r.rankCount), blocks: Chunking.even(0, r.elementCount, r.rankCount), &rec)
        return try b.finish()
    }

    /// Recursive doubling all-gather (power-of-two rank counts), `log2 p` steps.
    static func recursiveDoublingAllGather(_ r: CollectiveRequest) throws -> Schedule {
        try requirePowerOfTwo(r, name: "recursive doubling", suggestion: "use 'ring' or 'direct' for all_gather")
        var b = ScheduleBuilder(collective: .allGather, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        var rec = Receipts(r.rankCount)
        doublingAllGatherCore(&b, Fold(r.rankCount), blocks: Chunking.even(0, r.elementCount, r.rankCount), &rec)
        return try b.finish()
    }
}
