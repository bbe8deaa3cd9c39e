/// Two-level all-reduce for clusters of `N` nodes with `G` ranks each (as in
/// NCCL's and Horovod's hierarchical modes): reduce-scatter inside each node over
/// its fast fabric, then all-reduce of each `1/G` shard across nodes among the ranks
/// with the same local index (one "rail" per local index, each on its own NIC),
/// then all-gather inside each node. Inter-node traffic per rank is `2(N-1)/N * n/G`
/// instead of a flat ring's crossing of the slow links with the whole buffer.
enum Hierarchical2D {
    /// The node groups: distinct node ids in increasing order, members in rank order.
    static func groups(_ r: CollectiveRequest) throws -> [[Int32]] {
        guard let nodeOf = r.parameters.nodeOfRank else {
            throw AmalgamError("hierarchical_2d needs node_of_rank (the node of each of the \(r.rankCount) ranks)")
        }
        guard nodeOf.count == r.rankCount else {
            throw AmalgamError("node_of_rank has \(nodeOf.count) entries; it needs one per rank (\(r.rankCount))")
        }
        if let bad = nodeOf.firstIndex(where: { $0 < 0 }) {
            throw AmalgamError("node_of_rank[\(bad + 1)] is \(nodeOf[bad]); node ids must be 0 or more")
        }
        let ids = Array(Set(nodeOf)).sorted()
        let slot = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($0.element, $0.offset) })
        var groups = Array(repeating: [Int32](), count: ids.count)
        for (rank, node) in nodeOf.enumerated() { groups[slot[node]!].append(Int32(rank)) }
        let g = groups[0].count
        if let uneven = groups.firstIndex(where: { $0.count != g }) {
            throw AmalgamError("hierarchical_2d needs the same number of ranks on every node (node \(ids[0]) has \(g), node \(ids[uneven]) has \(groups[uneven].count)); use 'ring' or 'rabenseifner'")
        }
        return groups
    }

    static func allReduce(_ r: CollectiveRequest) throws -> Schedule {
        let groups = try groups(r)
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let nodes = groups.count, g = groups[0].count
        let shardBounds = Chunking.even(0, r.elementCount, g)
        let shards = Chunking.segments(&b, shardBounds)
        var written = Array(repeating: [Int32](), count: r.rankCount)
        // 1. Intra-node reduce-scatter: local index l ends with node-sum of shard l.
        for members in groups {
            let done = RingPhases.reduceScatter(&b, order: members, chunks: shards, initial: Array(repeating: [], count: g))
            for (l, rank) in members.enumerated() { written[Int(rank)] = done[l] }
        }
        // 2. Per rail l: ring all-reduce of shard l across nodes.
        for l in 0..<g {
            let rail = groups.map { $0[l] }
            let chunks = Chunking.segments(&b, Chunking.even(shardBounds[l], shardBounds[l + 1], nodes))
            let rs = RingPhases.reduceScatter(&b, order: rail, chunks: chunks, initial: rail.map { written[Int($0)] })
            let ag = RingPhases.allGather(&b, order: rail, chunks: chunks, initial: rs, collect: true)
            for (j, rank) in rail.enumerated() { written[Int(rank)] = ag[j] }
        }
        // 3. Intra-node all-gather of the G reduced shards.
        for members in groups {
            _ = RingPhases.allGather(&b, order: members, chunks: shards, initial: members.map { written[Int($0)] })
        }
        return try b.finish()
    }
}
