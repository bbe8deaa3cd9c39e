/// NCCL's rings on multi-node clusters: one ring per channel, each aligned to a
/// NIC rail (NCCL `src/graph/search.cc` searches ring graphs whose channels use
/// different NICs; `NCCL_CROSS_NIC=0` keeps each on its rail). Channel `c` leaves
/// every node through the node's `c`-th NIC: the node's segment of ring `c` starts
/// at the rank after the first rank on that NIC (in node order, wrapping) and ends
/// at that rank, so inside the node it runs over the scale-up links and the only
/// inter-node hop out of the node is on NIC `c`. With one NIC per chip the ring
/// enters the next node on NIC `c+1`; with shared NICs it enters on NIC `c` too.
/// The data is split evenly over the channels; NCCL runs as many ring channels as
/// the node has NICs (at least; it may double them, which changes nothing here).
enum RailRings {
    /// Node groups (distinct nodes in order of first appearance, members in rank
    /// order) and each group's distinct NICs (in member order), checked.
    static func layout(_ r: CollectiveRequest) throws -> (groups: [[Int32]], nics: [[Int]])? {
        guard let nodeOf = r.parameters.nodeOfRank else { return nil }
        // Without NICs, one per node.
        let nicOf = r.parameters.nicOfRank ?? Array(repeating: 0, count: nodeOf.count)
        for (what, v) in [("node_of_rank", nodeOf), ("nic_of_rank", nicOf)] {
            guard v.count == r.rankCount else {
                throw AmalgamError("\(what) has \(v.count) entries; it needs one per rank (\(r.rankCount))")
            }
            if let bad = v.firstIndex(where: { $0 < 0 }) {
                throw AmalgamError("\(what)[\(bad + 1)] is \(v[bad]); it must be 0 or more")
            }
        }
        var slot: [Int: Int] = [:], groups: [[Int32]] = []
        for (rank, node) in nodeOf.enumerated() {
            if let s = slot[node] { groups[s].append(Int32(rank)) } else { slot[node] = groups.count; groups.append([Int32(rank)]) }
        }
        let nics = groups.map { members -> [Int] in
            var seen = Set<Int>(), out: [Int] = []
            for m in members where seen.insert(nicOf[Int(m)]).inserted { out.append(nicOf[Int(m)]) }
            return out
        }
        return (groups, nics)
    }

    /// The channels' ring orders, or nil when NCCL runs a single ring: explicit
    /// `ringOrders`, no layout, one node, or a node with one NIC.
    static func orders(_ r: CollectiveRequest) throws -> [[Int32]]? {
        guard r.parameters.ringOrders == nil, let (groups, nics) = try layout(r), groups.count > 1 else { return nil }
        let k = nics.map(\.count).min() ?? 1
        guard k > 1 else { return nil }
        let nicOf = r.parameters.nicOfRank ?? Array(repeating: 0, count: r.rankCount)
        return (0..<k).map { c in
            groups.indices.flatMap { g -> [Int32] in
                let members = groups[g]
                let exit = members.firstIndex { nicOf[Int($0)] == nics[g][c] }!
                return (1...members.count).map { members[(exit + $0) % members.count] }
            }
        }
    }

    /// Channels `ring` would use (1 when a single ring applies); for transfer estimates.
    static func channelCount(_ r: CollectiveRequest) -> Int {
        ((try? orders(r)) ?? nil)?.count ?? 1
    }

    /// Reduce-scatter or all-gather over several channel rings: each rank's shard is
    /// cut into one piece per channel, and channel `c` moves piece `c` of every shard.
    static func shardPhase(_ r: CollectiveRequest, orders: [[Int32]]) throws -> Schedule {
        var b = ScheduleBuilder(collective: r.collective, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let shards = Chunking.even(0, r.elementCount, r.rankCount)
        let none = Array(repeating: [Int32](), count: r.rankCount)
        let k = orders.count
        for (c, order) in orders.enumerated() {
            let chunks = order.map { rank -> Int32 in
                let piece = Chunking.even(shards[Int(rank)], shards[Int(rank) + 1], k)
                return b.segment(piece[c], piece[c + 1] - piece[c])
            }
            if r.collective == .reduceScatter {
                _ = RingPhases.reduceScatter(&b, order: order, chunks: chunks, initial: none)
            } else {
                _ = RingPhases.allGather(&b, order: order, chunks: chunks, initial: none)
            }
        }
        return try b.finish()
    }
}

/// NCCL's tree all-reduce (NCCL 2.4+, `src/graph/trees.cc`, `src/graph/connect.cc`):
/// a double binary tree across nodes and a chain inside each node. Per channel
/// (one per NIC of the node, like `ring`) the node's chain starts at the first rank
/// on the channel's NIC (the one that talks to the network) and runs through the
/// node's other ranks in node order; half of the channel's data is reduced and
/// broadcast on the first node tree, half on the second (NCCL's mirror/shift of
/// `ncclGetBtree`). On one node it is a chain (what NCCL's tree is there).
/// Pipelined in `pipelineChunks` chunks per tree and channel, default 1: the
/// network model's slices (`NetworkOptions.sliceBytes`, NCCL's steps) already
/// pipeline every transfer through the tree, and extra chunks only add start-up
/// contention (measured: +0.2% of the 4x8 closed form per chunk). Set it when
/// slicing is off.
enum NcclTree {
    static func allReduce(_ r: CollectiveRequest) throws -> Schedule {
        let p = r.rankCount
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: p, elementCount: r.elementCount)
        guard r.elementCount > 0 && p > 1 else { return try b.finish() }
        var defaulted = r
        if defaulted.parameters.pipelineChunks == nil { defaulted.parameters.pipelineChunks = 1 }
        let k = try defaulted.chunks()
        let groups: [[Int32]], nics: [[Int]]
        if let l = try RailRings.layout(r) { (groups, nics) = l } else {
            (groups, nics) = ([(0..<p).map { Int32($0) }], [[0]])   // no layout: one node
        }
        let nicOf = r.parameters.nicOfRank ?? Array(repeating: 0, count: p)
        let channels = nics.map(\.count).min() ?? 1
        let n = groups.count
        let (t1, t2) = DoubleBinaryTree.trees(rankCount: n)
        let slices = Chunking.even(0, r.elementCount, channels)
        for c in 0..<channels {
            // Chain of each node for this channel; the head talks to the network.
            let chains = groups.indices.map { g -> [Int32] in
                let members = groups[g]
                let head = members.firstIndex { nicOf[Int($0)] == nics[g][c % nics[g].count] }!
                return (0..<members.count).map { members[(head + $0) % members.count] }
            }
            let mid = slices[c] + (slices[c + 1] - slices[c]) / 2
            for (tree, lo, hi) in [(t1, slices[c], mid), (t2, mid, slices[c + 1])] {
                var parent = [Int32](repeating: -1, count: p)
                for g in 0..<n {
                    let chain = chains[g]
                    for i in 1..<max(1, chain.count) { parent[Int(chain[i])] = chain[i - 1] }
                    let up = Int(tree.parent[g])
                    if up >= 0 { parent[Int(chain[0])] = chains[up][0] }
                }
                guard let t = RootedTree(parent: parent) else {
                    throw AmalgamError("nccl_tree: internal error building the tree of channel \(c)")
                }
                TreePhases.allReduce(&b, t, lo: lo, hi: hi, k: k)
            }
        }
        return try b.finish()
    }
}
