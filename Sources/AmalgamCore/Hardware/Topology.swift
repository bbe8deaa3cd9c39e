/// The class of a physical link; the network model keys its protocol-efficiency
/// defaults (effective vs line rate) on it.
public enum LinkKind: String, Sendable, CaseIterable, Codable {
    /// A chip's port into a scale-up switch (NVSwitch, UB), one per direction.
    case scaleUp = "scale_up"
    /// A direct chip-to-chip link of a full mesh or ring (HCCS, xGMI, MLU-Link).
    case peer
    /// A PCIe host bridge shared by the chips of a node.
    case pcie
    /// A bounce through host memory between chips of different vendors.
    case crossVendor = "cross_vendor"
    /// A chip's scale-out NIC (IB/RoCE/Ethernet), one per direction.
    case nic
    /// A site's scale-out fabric core (oversubscription lives here).
    case fabric
    /// A wide-area link between two sites.
    case wan
    /// A user-measured override between two nodes, groups or sites.
    case measured
}

/// One direction of a physical link: capacity and the latency it adds.
public struct Link: Sendable, Equatable {
    /// Human-readable name, e.g. `beijing/n0/chip3->nvswitch`.
    public var name: String
    public var kind: LinkKind
    /// Line rate in GB/s (10^9 bytes/s), this direction only.
    public var gbs: Double
    /// Latency added by traversing this link, seconds.
    public var latencySeconds: Double
    /// The hardware's own measured fraction of line rate (a chip's
    /// ``Chip/scaleUpEfficiency``), when known; the network model uses it unless the
    /// user overrides the link or its kind.
    public var efficiency: Double?

    public init(name: String, kind: LinkKind, gbs: Double, latencySeconds: Double, efficiency: Double? = nil) {
        self.name = name; self.kind = kind; self.gbs = gbs; self.latencySeconds = latencySeconds
        self.efficiency = efficiency
    }
}

/// The links a transfer from one rank to another crosses, in order.
public struct Route: Sendable, Equatable {
    /// Indices into the topology's links.
    public var links: [Int]
    /// Sum of the links' latencies, seconds.
    public var latencySeconds: Double
    /// The smallest line rate on the route, GB/s.
    public var bottleneckGBs: Double

    public init(links: [Int], latencySeconds: Double, bottleneckGBs: Double) {
        self.links = links; self.latencySeconds = latencySeconds; self.bottleneckGBs = bottleneckGBs
    }
}

/// What the network model and the simulator need from a compiled cluster: ranks,
/// capacitated directed links, and the route between any two ranks.
///
/// Ranks are numbered deterministically in (site, node, chip) order.
public protocol NetworkTopology {
    /// Number of ranks (chips).
    var rankCount: Int { get }
    /// Every directed link; `Route.links` index into this.
    var links: [Link] { get }
    /// The route from rank `a` to rank `b` (`a != b`).
    func route(from a: Int, to b: Int) -> Route
    /// The node index of a rank (ranks on one node share a scale-up domain).
    func node(ofRank rank: Int) -> Int
    /// The site index of a rank.
    func site(ofRank rank: Int) -> Int
    /// The chip type of a rank.
    func chip(ofRank rank: Int) -> Chip
    /// The measured curve for `kind` over exactly the set of `ranks`, or nil (the
    /// default: topologies without measurements).
    func measuredCollective(_ kind: CollectiveKind, ranks: [Int]) -> MeasuredCollectiveSpec?
    /// The scale-out NIC (index within the rank's node) the rank leaves its node
    /// through; ranks of a node with equal values share a NIC (rail). Default 0:
    /// one NIC per node, which makes `ring` a single ring.
    func nic(ofRank rank: Int) -> Int
}

extension NetworkTopology {
    /// One NIC per node.
    public func nic(ofRank rank: Int) -> Int { 0 }

    /// No measured curves.
    public func measuredCollective(_ kind: CollectiveKind, ranks: [Int]) -> MeasuredCollectiveSpec? { nil }
}
