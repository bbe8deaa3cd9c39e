/// One bandwidth-weighted undirected link between two ranks, for tree packing.
public struct WeightedEdge: Sendable, Equatable {
    /// One end (rank).
    public var a: Int
    /// The other end (rank).
    public var b: Int
    /// Capacity per direction, GB/s.
    public var gbs: Double
    /// A link between ranks `a` and `b` of `gbs` GB/s each way.
    public init(_ a: Int, _ b: Int, gbs: Double) { self.a = a; self.b = b; self.gbs = gbs }
}

/// Per-algorithm knobs. Every field is optional; an algorithm reads only the ones
/// its registry entry lists in `CollectiveAlgorithmInfo.parameters` and ignores the rest.
public struct AlgorithmParameters: Sendable, Equatable {
    /// Chunks each tree/pipeline splits its data into (`double_binary_tree`,
    /// `binary_tree`, `blink_trees`, ring `broadcast`/`reduce`). Default 8 — an
    /// assumption: enough to overlap the levels of a tree, few enough to keep
    /// per-chunk latency small; tune it per message size.
    public var pipelineChunks: Int?
    /// `recursive_doubling` on a non-power-of-two rank count: fold the extra ranks
    /// into partners first (as `rabenseifner` does) instead of failing.
    public var foldNonPowerOfTwo: Bool
    /// `hierarchical_2d`, `ring`, `nccl_tree`: the node of every rank (ranks on one
    /// node share a fast fabric). Filled from the topology when timed.
    public var nodeOfRank: [Int]?
    /// `ring`, `nccl_tree`: the scale-out NIC (rail) of every rank, an index within
    /// its node; ranks of a node with equal values share a NIC. With `nodeOfRank`,
    /// several nodes and several NICs per node, `ring` runs one rail-aligned ring
    /// per NIC (NCCL's channels). Filled from the topology when timed.
    public var nicOfRank: [Int]?
    /// `multi_ring`: number of channels (rings), each carrying `1/channels` of the data. Default 2.
    public var channels: Int?
    /// `ring`, `multi_ring`, `weighted_ring`: ring orders (permutations of the ranks);
    /// `multi_ring` channel `c` uses `ringOrders[c % count]`.
    public var ringOrders: [[Int]]?
    /// `weighted_ring`: bandwidth of each rank (any unit); a link runs at its slower end.
    public var rankWeights: [Double]?
    /// `weighted_ring`: bandwidth of each ring link, entry `q` for position `q` -> `q+1`
    /// of the ring order (both directions assumed equal).
    public var linkWeights: [Double]?
    /// `blink_trees`: symmetric bandwidth matrix in GB/s (0 = no direct link).
    public var bandwidthGBs: [[Double]]?
    /// `blink_trees`: the links as an edge list (alternative to `bandwidthGBs`).
    public var edges: [WeightedEdge]?
    /// `blink_trees`: most spanning trees to pack. Default 4 (assumption; Blink reports
    /// a handful of trees capture nearly all of the packing bandwidth on DGX-1 topologies).
    public var maxTrees: Int?

    /// Parameters; everything left out takes the algorithm's default.
    public init(pipelineChunks: Int? = nil, foldNonPowerOfTwo: Bool = false, nodeOfRank: [Int]? = nil,
                channels: Int? = nil, ringOrders: [[Int]]? = nil, rankWeights: [Double]? = nil,
                linkWeights: [Double]? = nil, bandwidthGBs: [[Double]]? = nil, edges: [WeightedEdge]? = nil,
                maxTrees: Int? = nil, nicOfRank: [Int]? = nil) {
        self.pipelineChunks = pipelineChunks; self.foldNonPowerOfTwo = foldNonPowerOfTwo
        self.nodeOfRank = nodeOfRank; self.channels = channels; self.ringOrders = ringOrders
        self.rankWeights = rankWeights; self.linkWeights = linkWeights
        self.bandwidthGBs = bandwidthGBs; self.edges = edges; self.maxTrees = maxTrees
        self.nicOfRank = nicOfRank
    }
}

/// What to build: a collective, its size, and the algorithm to use.
public struct CollectiveRequest: Sendable, Equatable {
    public var collective: CollectiveKind
    /// Number of ranks, 1 or more.
    public var rankCount: Int
    /// Elements (see `CollectiveKind` for what they count), 0 or more.
    public var elementCount: Int
    /// Registry name, e.g. `"ring"` (see `CollectiveAlgorithms.all`).
    public var algorithm: String
    /// Root rank for broadcast and reduce.
    public var root: Int
    /// Algorithm-specific knobs.
    public var parameters: AlgorithmParameters

    /// A request; `root` matters only for broadcast and reduce.
    public init(_ collective: CollectiveKind, rankCount: Int, elementCount: Int, algorithm: String,
                root: Int = 0, parameters: AlgorithmParameters = AlgorithmParameters()) {
        self.collective = collective; self.rankCount = rankCount; self.elementCount = elementCount
        self.algorithm = algorithm; self.root = root; self.parameters = parameters
    }

    /// Largest rank count accepted (keeps index arithmetic far from overflow).
    public static let maxRanks = 1 << 20
    /// Largest element count accepted (2^40, 4 TiB of Float32).
    public static let maxElements = 1 << 40

    static func checkShape(rankCount: Int, elementCount: Int, root: Int, collective: CollectiveKind) throws {
        guard rankCount >= 1 && rankCount <= maxRanks else {
            throw AmalgamError("rank count \(rankCount) is out of range 1...\(maxRanks)")
        }
        guard elementCount >= 0 && elementCount <= maxElements else {
            throw AmalgamError("element count \(elementCount) is out of range 0...\(maxElements)")
        }
        if collective == .allToAll && elementCount > maxElements / (2 * rankCount) {
            throw AmalgamError("all_to_all block of \(elementCount) elements on \(rankCount) ranks exceeds the \(maxElements)-element buffer limit")
        }
        guard root >= 0 && root < rankCount else {
            throw AmalgamError("root \(root) is out of range 0..<\(rankCount)")
        }
    }

    /// Pipeline chunk count, validated (default 8).
    func chunks() throws -> Int {
        let k = parameters.pipelineChunks ?? 8
        guard k >= 1 && k <= 1 << 16 else {
            throw AmalgamError("pipeline_chunks \(k) is out of range 1...\(1 << 16)")
        }
        return k
    }

    /// Checks that `order` is a permutation of `0..<rankCount`; `what` names it in errors.
    static func checkPermutation(_ order: [Int], rankCount: Int, what: String) throws -> [Int32] {
        guard order.count == rankCount else {
            throw AmalgamError("\(what) has \(order.count) ranks; it must list each of the \(rankCount) ranks once")
        }
        var seen = [Bool](repeating: false, count: rankCount)
        for r in order {
            guard r >= 0 && r < rankCount else { throw AmalgamError("\(what): rank \(r) is out of range 0..<\(rankCount)") }
            guard !seen[r] else { throw AmalgamError("\(what): rank \(r) appears twice") }
            seen[r] = true
        }
        return order.map { Int32($0) }
    }
}
