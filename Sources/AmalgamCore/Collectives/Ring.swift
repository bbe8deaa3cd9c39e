/// Ring algorithms (Patarasuk & Yuan 2009): bandwidth-optimal for all-reduce,
/// reduce-scatter and all-gather, latency `2(p-1)` steps; pipelined chains for
/// broadcast and reduce.
enum RingAlgorithm {
    /// The ring order: `ringOrders[0]` if given, else ranks in index order.
    static func order(_ r: CollectiveRequest) throws -> [Int32] {
        if let o = r.parameters.ringOrders?.first {
            return try CollectiveRequest.checkPermutation(o, rankCount: r.rankCount, what: "ring_orders[1]")
        }
        return (0..<r.rankCount).map { Int32($0) }
    }

    /// All-reduce: reduce-scatter then all-gather around one ring. Each rank sends
    /// `2(p-1)` chunks of `n/p` elements.
    static func allReduce(_ r: CollectiveRequest) throws -> Schedule {
        let order = try order(r)
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let p = r.rankCount
        b.reserve(transfers: 2 * p * (p - 1), dependencies: 2 * p * (p - 1))
        RingPhases.allReduce(&b, order: order, lo: 0, hi: r.elementCount)
        return try b.finish()
    }

    /// Ring position q's chunk: the shard of rank `order[q]` (reduce-scatter leaves each
    /// rank its own shard; all-gather starts from it).
    static func shardSegments(_ b: inout ScheduleBuilder, order: [Int32], _ r: CollectiveRequest) -> [Int32] {
        let shards = Chunking.even(0, r.elementCount, r.rankCount)
        return order.map { b.segment(shards[Int($0)], shards[Int($0) + 1] - shards[Int($0)]) }
    }

    /// Reduce-scatter: the ring's first half, chunk of position `q` = shard of rank `order[q]`.
    static func reduceScatter(_ r: CollectiveRequest) throws -> Schedule {
        let order = try order(r)
        var b = ScheduleBuilder(collective: .reduceScatter, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let chunks = shardSegments(&b, order: order, r)
        _ = RingPhases.reduceScatter(&b, order: order, chunks: chunks, initial: Array(repeating: [], count: r.rankCount))
        return try b.finish()
    }

    /// All-gather: the ring's second half, starting from each rank's own shard.
    static func allGather(_ r: CollectiveRequest) throws -> Schedule {
        let order = try order(r)
        var b = ScheduleBuilder(collective: .allGather, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let chunks = shardSegments(&b, order: order, r)
        _ = RingPhases.allGather(&b, order: order, chunks: chunks, initial: Array(repeating: [], count: r.rankCount))
        return try b.finish()
    }

    /// Broadcast or reduce as a pipelined chain: the data is cut into
    /// `pipelineChunks` pieces that follow each other down the chain, so hop `h`
    /// of chunk `c` waits only for hop `h-1` of chunk `c`. Broadcast runs
    /// root -> root+1 -> ... ; reduce runs root+1 -> root+2 -> ... -> root, summing.
    static func chain(_ r: CollectiveRequest) throws -> Schedule {
        let p = r.rankCount, isReduce = r.collective == .reduce
        var b = ScheduleBuilder(collective: r.collective, algorithm: r.algorithm, rankCount: p, elementCount: r.elementCount, root: r.root)
        guard r.elementCount > 0 && p > 1 else { return try b.finish() }
        let k = min(try r.chunks(), r.elementCount)
        let seq: [Int32] = (0..<p).map { Int32((r.root + (isReduce ? 1 + $0 : $0)) % p) }
        let chunks = Chunking.segments(&b, Chunking.even(0, r.elementCount, k))
        b.reserve(transfers: k * (p - 1), dependencies: k * (p - 1))
        for c in 0..<k {
            var prev: Int32 = -1
            for h in 0..<(p - 1) {
                prev = b.add(seq[h], seq[h + 1], chunks[c], chunks[c], isReduce ? .reduce : .copy, after: prev)
            }
        }
        return try b.finish()
    }
}
