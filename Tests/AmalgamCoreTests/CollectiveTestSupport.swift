@testable import AmalgamCore

/// Parameters that make every registered algorithm runnable on `p` ranks, chosen
/// to exercise the non-trivial cases (uneven weights, interleaved nodes, a root
/// other than 0, several channels with different orders).
enum CollectiveFixtures {
    /// Largest divisor of `p` that is at most 8 (ranks per node for hierarchical_2d).
    static func ranksPerNode(_ p: Int) -> Int { (1...min(8, p)).last { p % $0 == 0 } ?? 1 }

    static func parameters(_ algorithm: String, p: Int) -> AlgorithmParameters {
        var params = AlgorithmParameters()
        switch algorithm {
        case "recursive_doubling": params.foldNonPowerOfTwo = true
        case "hierarchical_2d":
            // Interleaved: node = rank % N, so node members are not contiguous ranks.
            let g = ranksPerNode(p), nodes = p / g
            params.nodeOfRank = (0..<p).map { $0 % nodes }
        case "ring", "nccl_tree":
            // Interleaved nodes (node = rank % N), two ranks per NIC: several
            // rail-aligned channels whenever a node has 3 or more ranks.
            let g = ranksPerNode(p), nodes = p / g
            params.nodeOfRank = (0..<p).map { $0 % nodes }
            params.nicOfRank = (0..<p).map { ($0 / nodes) / 2 }
            if algorithm == "nccl_tree" { params.pipelineChunks = 3 }
        case "multi_ring":
            params.channels = 3
            let evensThenOdds = (0..<p).filter { $0 % 2 == 0 } + (0..<p).filter { $0 % 2 == 1 }
            params.ringOrders = [Array(0..<p), evensThenOdds, Array((0..<p).reversed())]
        case "weighted_ring": params.rankWeights = (0..<p).map { 1 + Double($0 % 3) * 4 }
        case "blink_trees" where p > 64:
            // Sparse for large p: a ring of 20 GB/s plus chords to rank+p/2 of 5 GB/s.
            params.edges = (0..<p).map { WeightedEdge($0, ($0 + 1) % p, gbs: 20) }
                + (0..<(p / 2)).map { WeightedEdge($0, $0 + p / 2, gbs: 5) }
            params.pipelineChunks = 3
        case "blink_trees":
            params.bandwidthGBs = (0..<p).map { a -> [Double] in (0..<p).map { b -> Double in
                if a == b { return 0 }
                return a / 4 == b / 4 ? 100 : 10 + Double((a + b) % 3)
            } }
            params.pipelineChunks = 3
        case "double_binary_tree", "binary_tree": params.pipelineChunks = 3
        default: break
        }
        return params
    }

    /// Every (algorithm, collective) pair the registry offers that runs on `p` ranks.
    static func pairs(p: Int) -> [(String, CollectiveKind)] {
        var out: [(String, CollectiveKind)] = []
        for a in CollectiveAlgorithms.all {
            for c in a.collectives {
                if a.powerOfTwo == .required || (a.powerOfTwo == .requiredUnlessFolded && c != .allReduce) {
                    if p & (p - 1) != 0 { continue }
                }
                out.append((a.name, c))
            }
        }
        return out
    }

    static func schedule(_ algorithm: String, _ c: CollectiveKind, p: Int, n: Int) throws -> Schedule {
        try CollectiveAlgorithms.schedule(c, algorithm: algorithm, rankCount: p, elementCount: n,
                                          root: c.hasRoot ? p / 2 : 0, parameters: parameters(algorithm, p: p))
    }
}
