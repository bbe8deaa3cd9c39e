/// Whether an algorithm needs a power-of-two rank count.
public enum PowerOfTwoRule: String, Sendable {
    /// Any rank count works.
    case any
    /// Only powers of two; other counts are an error.
    case required
    /// Powers of two, or any count with `foldNonPowerOfTwo` set.
    case requiredUnlessFolded = "required_unless_folded"
}

/// A registry entry: what an algorithm is called, what it implements and which
/// parameters it reads.
public struct CollectiveAlgorithmInfo: Sendable {
    /// Registry name (`"ring"`, `"rabenseifner"`, ...).
    public let name: String
    /// One-line description for help text.
    public let summary: String
    /// Collectives it implements.
    public let collectives: [CollectiveKind]
    /// Whether it needs a power-of-two rank count.
    public let powerOfTwo: PowerOfTwoRule
    /// Names (snake_case, as scripts spell them) of the `AlgorithmParameters` it reads.
    public let parameters: [String]
    let build: @Sendable (CollectiveRequest) throws -> Schedule
    /// Upper bound on transfers for `p` ranks (guards against runaway generation).
    let transfers: @Sendable (CollectiveRequest) -> Double
}

/// The algorithm registry: look-ups, schedule construction and the candidate list
/// the `auto` choice times.
public enum CollectiveAlgorithms {
    static func quadratic(_ factor: Double) -> @Sendable (CollectiveRequest) -> Double {
        { r in factor * Double(r.rankCount) * Double(r.rankCount) }
    }
    static let pipelined: @Sendable (CollectiveRequest) -> Double = { r in
        2 * Double(r.rankCount) * Double(r.parameters.pipelineChunks ?? 8) * Double(r.parameters.maxTrees ?? 2)
    }

    /// One ring (the given order or rank order) for every collective.
    static let singleRing: @Sendable (CollectiveRequest) throws -> Schedule = { r in
        switch r.collective {
        case .allReduce: return try RingAlgorithm.allReduce(r)
        case .reduceScatter: return try RingAlgorithm.reduceScatter(r)
        case .allGather: return try RingAlgorithm.allGather(r)
        default: return try RingAlgorithm.chain(r)
        }
    }

    /// Every algorithm, in a stable order.
    public static let all: [CollectiveAlgorithmInfo] = [
        .init(name: "ring", summary: "NCCL's ring: on several nodes with several NICs, one ring per NIC rail (channel c leaves each node through NIC c, data split over channels); else one bandwidth-optimal ring (reduce-scatter then all-gather); pipelined chain for broadcast/reduce",
              collectives: [.allReduce, .reduceScatter, .allGather, .broadcast, .reduce], powerOfTwo: .any,
              parameters: ["ring_orders", "pipeline_chunks", "node_of_rank", "nic_of_rank"],
              build: { r in
                  if r.collective != .broadcast && r.collective != .reduce, let orders = try RailRings.orders(r) {
                      return r.collective == .allReduce
                          ? try MultiRingAlgorithm.build(r, orders: orders, channels: orders.count)
                          : try RailRings.shardPhase(r, orders: orders)
                  }
                  return try singleRing(r)
              }, transfers: { r in
                  Double(RailRings.channelCount(r)) * 2 * Double(r.rankCount) * Double(r.rankCount)
                      + Double(r.rankCount) * Double(r.parameters.pipelineChunks ?? 8)
              }),
        .init(name: "bidir_ring", summary: "two rings in opposite directions, half the data each",
              collectives: [.allReduce], powerOfTwo: .any, parameters: ["ring_orders"],
              build: MultiRingAlgorithm.bidirectional, transfers: quadratic(4)),
        .init(name: "multi_ring", summary: "several ring channels splitting the data, optionally with different rank orders",
              collectives: [.allReduce], powerOfTwo: .any, parameters: ["channels", "ring_orders"],
              build: MultiRingAlgorithm.multiRing,
              transfers: { r in 2 * Double(r.rankCount) * Double(r.rankCount) * Double(r.parameters.channels ?? 2) }),
        .init(name: "recursive_doubling", summary: "log2(p) whole-buffer exchanges (latency-optimal)",
              collectives: [.allReduce, .allGather], powerOfTwo: .requiredUnlessFolded, parameters: ["fold_non_power_of_two"],
              build: { r in
                  r.collective == .allReduce ? try RecursiveAlgorithm.recursiveDoublingAllReduce(r)
                                             : try RecursiveAlgorithm.recursiveDoublingAllGather(r)
              }, transfers: { r in Double(r.rankCount) * (Double(r.rankCount.bitWidth) + 2) }),
        .init(name: "recursive_halving", summary: "recursive-halving reduce-scatter, log2(p) steps",
              collectives: [.reduceScatter], powerOfTwo: .required, parameters: [],
              build: RecursiveAlgorithm.recursiveHalvingReduceScatter,
              transfers: { r in Double(r.rankCount) * Double(r.rankCount.bitWidth) }),
        .init(name: "rabenseifner", summary: "recursive halving reduce-scatter + recursive doubling all-gather; folds non-powers of two",
              collectives: [.allReduce], powerOfTwo: .any, parameters: [],
              build: RecursiveAlgorithm.rabenseifner,
              transfers: { r in Double(r.rankCount) * (2 * Double(r.rankCount.bitWidth) + 2) }),
        .init(name: "double_binary_tree", summary: "two complementary binary trees over the ranks (NCCL's btree rule, not node-aware; see nccl_tree), half the data each, pipelined",
              collectives: [.allReduce], powerOfTwo: .any, parameters: ["pipeline_chunks"],
              build: DoubleBinaryTree.allReduce, transfers: pipelined),
        .init(name: "binary_tree", summary: "one pipelined binary tree rooted at the root",
              collectives: [.allReduce, .broadcast, .reduce], powerOfTwo: .any, parameters: ["pipeline_chunks"],
              build: BinaryTreeAlgorithm.build, transfers: pipelined),
        .init(name: "direct", summary: "one-shot: every rank exchanges shards with every rank (for switches)",
              collectives: [.allReduce, .reduceScatter, .allGather, .allToAll], powerOfTwo: .any, parameters: [],
              build: { r in
                  switch r.collective {
                  case .allReduce: return try DirectAlgorithm.allReduce(r)
                  case .reduceScatter: return try DirectAlgorithm.reduceScatter(r)
                  case .allGather: return try DirectAlgorithm.allGather(r)
                  default: return try DirectAlgorithm.allToAll(r, pairwise: false)
                  }
              }, transfers: { r in
                  // All-reduce also carries p(p-1)^2 dependencies; count them too.
                  let p = Double(r.rankCount)
                  return r.collective == .allReduce ? 2 * p * p + p * p * p / 4 : p * p
              }),
        .init(name: "pairwise", summary: "staggered pairwise exchange, p-1 rounds, one peer per round",
              collectives: [.allToAll], powerOfTwo: .any, parameters: [],
              build: { r in try DirectAlgorithm.allToAll(r, pairwise: true) }, transfers: quadratic(1)),
        .init(name: "hierarchical_2d", summary: "intra-node reduce-scatter, per-rail inter-node ring all-reduce, intra-node all-gather",
              collectives: [.allReduce], powerOfTwo: .any, parameters: ["node_of_rank"],
              build: Hierarchical2D.allReduce, transfers: quadratic(4)),
        .init(name: "weighted_ring", summary: "ring with chunk sizes weighted by link bandwidth so every link finishes together",
              collectives: [.allReduce], powerOfTwo: .any, parameters: ["rank_weights", "link_weights", "ring_orders"],
              build: WeightedRing.allReduce, transfers: quadratic(2)),
        .init(name: "blink_trees", summary: "Blink-style packing of spanning trees over mixed links, data split by tree rate",
              collectives: [.allReduce], powerOfTwo: .any, parameters: ["bandwidth_gbs", "edges", "max_trees", "pipeline_chunks"],
              build: BlinkTrees.allReduce, transfers: pipelined),
        .init(name: "nccl_tree", summary: "NCCL's tree: double binary tree across nodes, chain inside each node, one channel per NIC, pipelined",
              collectives: [.allReduce], powerOfTwo: .any, parameters: ["pipeline_chunks", "node_of_rank", "nic_of_rank"],
              build: NcclTree.allReduce,
              transfers: { r in 2 * Double(r.rankCount) * Double(r.parameters.pipelineChunks ?? 1) * 2 * Double(RailRings.channelCount(r)) }),
        .init(name: "nvls", summary: "NVLink SHARP: the switch reduces; each chip sends its data once and receives the result once (one node whose chip has nvls = 1)",
              collectives: [.allReduce], powerOfTwo: .any, parameters: [],
              build: NvlsAlgorithm.allReduce, transfers: { r in
                  let p = Double(r.rankCount)
                  return 2 * p * p + p * p * p / 4
              }),
        .init(name: "single_ring", summary: "one ring through every rank in order (the pre-channel 'ring'): reduce-scatter then all-gather; pipelined chain for broadcast/reduce",
              collectives: [.allReduce, .reduceScatter, .allGather, .broadcast, .reduce], powerOfTwo: .any,
              parameters: ["ring_orders", "pipeline_chunks"],
              build: singleRing,
              transfers: { r in 2 * Double(r.rankCount) * Double(r.rankCount) + Double(r.rankCount) * Double(r.parameters.pipelineChunks ?? 8) }),
    ]

    /// Names of every algorithm.
    public static var names: [String] { all.map(\.name) }

    /// Names of the algorithms implementing `collective`.
    public static func names(for collective: CollectiveKind) -> [String] {
        all.filter { $0.collectives.contains(collective) }.map(\.name)
    }

    /// The registry entry for `name`; unknown names list the valid ones.
    public static func info(named name: String) throws -> CollectiveAlgorithmInfo {
        if let a = all.first(where: { $0.name == name }) { return a }
        let close = Suggestions.closest(to: name, in: names)
        let hint = close.isEmpty ? "" : " (did you mean \(close.map { "'\($0)'" }.joined(separator: ", "))?)"
        throw AmalgamError("unknown algorithm '\(name)'\(hint); valid: \(names.joined(separator: ", "))")
    }

    /// Builds the schedule for `request`, validating sizes, root, algorithm name,
    /// collective support and parameters.
    public static func schedule(_ request: CollectiveRequest) throws -> Schedule {
        try CollectiveRequest.checkShape(rankCount: request.rankCount, elementCount: request.elementCount,
                                         root: request.root, collective: request.collective)
        let a = try info(named: request.algorithm)
        guard a.collectives.contains(request.collective) else {
            throw AmalgamError("algorithm '\(a.name)' does not implement \(request.collective.rawValue) (algorithms for \(request.collective.rawValue): \(names(for: request.collective).joined(separator: ", ")))")
        }
        if request.elementCount > 0 {
            let estimate = a.transfers(request)
            guard estimate <= Double(ScheduleBuilder.maxTransfers) else {
                throw AmalgamError("\(a.name) \(request.collective.rawValue) on \(request.rankCount) ranks needs about \(Int(estimate)) transfers (limit \(ScheduleBuilder.maxTransfers)); use fewer ranks, fewer pipeline chunks or 'hierarchical_2d'")
            }
        }
        return try a.build(request)
    }

    /// Convenience: `schedule(CollectiveRequest(...))`.
    public static func schedule(_ collective: CollectiveKind, algorithm: String, rankCount: Int, elementCount: Int,
                                root: Int = 0, parameters: AlgorithmParameters = AlgorithmParameters()) throws -> Schedule {
        try schedule(CollectiveRequest(collective, rankCount: rankCount, elementCount: elementCount,
                                       algorithm: algorithm, root: root, parameters: parameters))
    }

    /// The requests worth timing for `collective` on `rankCount` ranks: every
    /// algorithm that applies, with parameters filled from `hints`. The `auto`
    /// choice times each on the network model and keeps the fastest.
    public static func candidates(for collective: CollectiveKind, rankCount: Int, elementCount: Int, root: Int = 0,
                                  hints: TopologyHints = TopologyHints()) -> [CollectiveRequest] {
        let pow2 = RecursiveAlgorithm.isPowerOfTwo(rankCount)
        var out: [CollectiveRequest] = []
        for a in all where a.collectives.contains(collective) {
            var params = AlgorithmParameters()
            switch a.name {
            case "recursive_doubling", "recursive_halving": if !pow2 { continue }
            case "direct": if !hints.fullBisection || rankCount > 256 { continue }
            case "hierarchical_2d":
                guard let nodes = hints.nodeOfRank else { continue }
                params.nodeOfRank = nodes
                let probe = CollectiveRequest(collective, rankCount: rankCount, elementCount: elementCount, algorithm: a.name, parameters: params)
                guard let g = try? Hierarchical2D.groups(probe), g.count > 1, g[0].count > 1 else { continue }
            case "weighted_ring":
                guard let w = hints.rankWeights, w.count == rankCount, Set(w).count > 1 else { continue }
                params.rankWeights = w
            case "blink_trees":
                guard let m = hints.bandwidthGBs, rankCount <= 256 else { continue }
                params.bandwidthGBs = m
            case "multi_ring": params.channels = 4
            case "ring":
                params.nodeOfRank = hints.nodeOfRank
                params.nicOfRank = hints.nodeOfRank == nil ? nil : hints.nicOfRank
            case "nccl_tree":
                // NCCL's tree needs the node layout (without it, it is a chain).
                guard let nodes = hints.nodeOfRank else { continue }
                params.nodeOfRank = nodes
                params.nicOfRank = hints.nicOfRank
            case "nvls":
                guard hints.nvls, rankCount <= 256 else { continue }
            case "single_ring":
                // The pre-channel ring: asked for by name, never NCCL's choice.
                continue
            default: break
            }
            out.append(CollectiveRequest(collective, rankCount: rankCount, elementCount: elementCount,
                                         algorithm: a.name, root: root, parameters: params))
        }
        return out
    }
}

/// What the candidate list may use about the topology.
public struct TopologyHints: Sendable, Equatable {
    /// Node of each rank (enables `hierarchical_2d`).
    public var nodeOfRank: [Int]?
    /// Per-rank bandwidth, any unit (enables `weighted_ring` when they differ).
    public var rankWeights: [Double]?
    /// Rank x rank bandwidth matrix, GB/s (enables `blink_trees`).
    public var bandwidthGBs: [[Double]]?
    /// Whether all ranks sit behind one non-blocking switch (enables `direct`).
    public var fullBisection: Bool
    /// NIC of each rank within its node (with `nodeOfRank`: rail-aligned `ring`
    /// channels and `nccl_tree`).
    public var nicOfRank: [Int]?
    /// Whether the ranks' scale-up switch reduces in the network (enables `nvls`).
    public var nvls: Bool

    /// Hints; leave out what is unknown.
    public init(nodeOfRank: [Int]? = nil, rankWeights: [Double]? = nil, bandwidthGBs: [[Double]]? = nil, fullBisection: Bool = false,
                nicOfRank: [Int]? = nil, nvls: Bool = false) {
        self.nodeOfRank = nodeOfRank; self.rankWeights = rankWeights
        self.bandwidthGBs = bandwidthGBs; self.fullBisection = fullBisection
        self.nicOfRank = nicOfRank; self.nvls = nvls
    }
}
