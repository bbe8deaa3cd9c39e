/// One-shot algorithms for full-bisection fabrics (switches): every rank talks to
/// every other rank directly, so there are only one or two steps but `p(p-1)`
/// transfers per step.
enum DirectAlgorithm {
    /// Reduce-scatter: every rank sends its shard `i` to rank `i`, which sums the
    /// `p-1` arrivals (applied one after another, in sender order).
    static func reduceScatterPhase(_ b: inout ScheduleBuilder, shards: [Int32], p: Int) -> [[Int32]] {
        var into = Array(repeating: [Int32](), count: p)
        for i in 0..<p {
            for j in 0..<p where j != i {
                into[i].append(b.add(Int32(j), Int32(i), shards[i], shards[i], .reduce, after: -1))
            }
        }
        return into
    }

    /// All-gather: rank `i` copies its shard to every other rank, after `ready[i]`.
    static func allGatherPhase(_ b: inout ScheduleBuilder, shards: [Int32], p: Int, ready: [[Int32]]) {
        for i in 0..<p {
            for j in 0..<p where j != i {
                b.add(Int32(i), Int32(j), shards[i], shards[i], .copy, after: ready[i])
            }
        }
    }

    /// All-reduce: direct reduce-scatter then direct all-gather. Each shard's
    /// broadcast waits for all `p-1` sums into its owner, so the schedule holds
    /// `p(p-1)^2` dependencies (17M at 257 ranks): meant for switch-sized groups.
    static func allReduce(_ r: CollectiveRequest) throws -> Schedule {
        let p = r.rankCount
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: p, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        b.reserve(transfers: 2 * p * (p - 1), dependencies: p * (p - 1) * p)
        let shards = Chunking.segments(&b, Chunking.even(0, r.elementCount, p))
        let into = reduceScatterPhase(&b, shards: shards, p: p)
        allGatherPhase(&b, shards: shards, p: p, ready: into)
        return try b.finish()
    }

    /// Reduce-scatter in one step.
    static func reduceScatter(_ r: CollectiveRequest) throws -> Schedule {
        var b = ScheduleBuilder(collective: .reduceScatter, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let shards = Chunking.segments(&b, Chunking.even(0, r.elementCount, r.rankCount))
        _ = reduceScatterPhase(&b, shards: shards, p: r.rankCount)
        return try b.finish()
    }

    /// All-gather in one step.
    static func allGather(_ r: CollectiveRequest) throws -> Schedule {
        var b = ScheduleBuilder(collective: .allGather, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let shards = Chunking.segments(&b, Chunking.even(0, r.elementCount, r.rankCount))
        allGatherPhase(&b, shards: shards, p: r.rankCount, ready: Array(repeating: [], count: r.rankCount))
        return try b.finish()
    }

    /// All-to-all, staggered: rank `r`'s `s`-th transfer goes to rank `r+s`, so at
    /// every position of the sequence each rank receives from exactly one sender
    /// (no incast). `s = 0` is the local copy of the rank's own block. With
    /// `pairwise`, rank `r`'s `s`-th send also waits for its `(s-1)`-th receive
    /// (the MPI pairwise-exchange algorithm: `p-1` rounds); without, all go at once.
    static func allToAll(_ r: CollectiveRequest, pairwise: Bool) throws -> Schedule {
        let p = r.rankCount, m = r.elementCount
        var b = ScheduleBuilder(collective: .allToAll, algorithm: r.algorithm, rankCount: p, elementCount: m)
        guard m > 0 else { return try b.finish() }
        b.reserve(transfers: p * p, dependencies: pairwise ? p * p : 0)
        let input = (0..<p).map { b.segment($0 * m, m) }
        let output = (0..<p).map { b.segment(p * m + $0 * m, m) }
        for s in 0..<p {
            for src in 0..<p {
                let dst = (src + s) % p
                let prev: Int32 = pairwise && s > 0 ? Int32((s - 1) * p + (src - s + 1 + p) % p) : -1
                b.add(Int32(src), Int32(dst), input[dst], output[src], .copy, after: prev)
            }
        }
        return try b.finish()
    }
}
