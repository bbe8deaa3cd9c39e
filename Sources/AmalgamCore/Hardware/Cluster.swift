/// A site of a compiled cluster.
public struct ClusterSite: Sendable, Equatable {
    /// Position in `Cluster.sites` (also the `site(ofRank:)` value).
    public let index: Int
    /// Site name.
    public let name: String
    /// Indices into `Cluster.groups`.
    public let groups: Range<Int>
    /// Indices into `Cluster.nodes`.
    public let nodes: Range<Int>
    /// Ranks of the site's chips.
    public let ranks: Range<Int>
    /// The site's scale-out fabric as specified.
    public let scaleOut: ScaleOutSpec
    /// The site's cross-vendor path as specified.
    public let crossVendor: CrossVendorSpec
    /// Whether the site holds chips of more than one vendor.
    public let mixesVendors: Bool
}

/// A node group of a compiled cluster, with its resolved node design.
public struct ClusterGroup: Sendable, Equatable {
    /// Position in `Cluster.groups`.
    public let index: Int
    /// Name within the site.
    public let name: String
    /// Index into `Cluster.sites`.
    public let site: Int
    /// The chip with the group's overrides applied (chips per node, scale-up,
    /// topology, NIC): what `chip(ofRank:)` returns for its ranks.
    public let chip: Chip
    /// Indices into `Cluster.nodes`.
    public let nodes: Range<Int>
    /// Ranks of the group's chips.
    public let ranks: Range<Int>
    /// Latency of one intra-node link, seconds.
    public let intraHopLatencySeconds: Double
    /// NIC rate used, Gb/s per direction (per chip, or per NIC when NICs are shared).
    public let nicGbps: Double
    /// Scale-out NICs per full node (`chip.chipsPerNode` when each chip has its own).
    public var nicsPerNode: Int = 0
    /// Chips behind each NIC (1 when each chip has its own).
    public var chipsPerNic: Int = 1
}

/// A node of a compiled cluster: chips of one type sharing a scale-up fabric.
public struct ClusterNode: Sendable, Equatable {
    /// Position in `Cluster.nodes` (also the `node(ofRank:)` value).
    public let index: Int
    /// `site/group/n<i>`, i counted within the group.
    public let name: String
    /// Index into `Cluster.sites`.
    public let site: Int
    /// Index into `Cluster.groups`.
    public let group: Int
    /// Ranks of the node's chips.
    public let ranks: Range<Int>
    /// Number of chips on the node.
    public var chipCount: Int { ranks.count }

    // Link layout, indices into `Cluster.links`.
    let intraBase: Int
    /// NIC up of local NIC j is `nicBase + 2j`, NIC down `nicBase + 2j + 1`; local
    /// chip i uses NIC `i / chipsPerNic`.
    let nicBase: Int
    /// Node uplink up; `uplink + 1` is the uplink down.
    let uplink: Int
    /// Host-bounce out; `bounce + 1` is bounce in; -1 when the site has none.
    let bounce: Int
    /// Chips sharing each NIC (1: every chip has its own NIC, no PCIe links).
    var chipsPerNic: Int = 1
    /// With shared NICs: chip i's PCIe link up to the NIC's PCIe switch is
    /// `pcieBase + 2i`, down `pcieBase + 2i + 1`; -1 without.
    var pcieBase: Int = -1
}

/// Per chip id totals of a cluster.
public struct ChipTypeSummary: Sendable, Equatable {
    /// Chip id.
    public let chipId: String
    /// Chip vendor.
    public let vendor: String
    /// Number of chips of this id.
    public let count: Int
    /// Sum of dense BF16 peak over the chips, TFLOP/s.
    public let totalBf16Tflops: Double
    /// Sum of device memory, GB.
    public let totalMemGB: Double
}

/// A compiled cluster: sites > groups > nodes > chips, and the directed link
/// graph between them. Ranks are numbered in (site, group, node, chip) order.
/// Routes are computed on demand from the hierarchy in O(hops); the only
/// all-pairs table is between sites.
public struct Cluster: Sendable {
    /// The specification this was compiled from.
    public let spec: ClusterSpec
    /// Sites in specification order.
    public let sites: [ClusterSite]
    /// Node groups in rank order.
    public let groups: [ClusterGroup]
    /// Nodes in rank order.
    public let nodes: [ClusterNode]
    /// Every directed link.
    public let links: [Link]
    /// Figures the compiler had to assume (unknown NICs, ...), one sentence each.
    public let assumptions: [String]

    /// Node index of each rank.
    let rankNode: [Int32]
    /// `siteRoutes[s][t]`: WAN link indices from site s to t (empty when s == t).
    let siteRoutes: [[[Int]]]
    /// Measured directed links keyed by (from, to) node pair, group pair, site pair.
    let measuredNodes: [PairKey: Int]
    let measuredGroups: [PairKey: Int]
    let measuredSites: [PairKey: Int]
    let siteIndex: [String: Int]
    let groupIndex: [String: Int]
    /// Index into `spec.collectiveCurves` by (collective, sorted ranks).
    var measuredCollectiveIndex: [MeasuredCollectiveKey: Int] = [:]

    /// Cluster name.
    public var name: String { spec.name }
    /// Number of chips.
    public var chipCount: Int { rankNode.count }

    /// The index of the site with this name, or nil.
    public func siteIndex(named name: String) -> Int? { siteIndex[name] }

    /// The index of the node group `site/group`, or nil.
    public func groupIndex(named name: String) -> Int? { groupIndex[name] }

    /// The node called `site/group/n<i>`, or nil.
    public func nodeIndex(named name: String) -> Int? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let g = groupIndex["\(parts[0])/\(parts[1])"],
              parts[2].first == "n", let i = Int(parts[2].dropFirst()), i >= 0,
              i < groups[g].nodes.count else { return nil }
        return groups[g].nodes.lowerBound + i
    }

    /// Totals per chip id, in order of first appearance.
    public func chipTypeSummary() -> [ChipTypeSummary] {
        var out: [ChipTypeSummary] = []
        var position: [String: Int] = [:]
        for g in groups {
            let n = g.ranks.count
            let i = position[g.chip.id] ?? out.count
            if i == out.count {
                position[g.chip.id] = i
                out.append(ChipTypeSummary(chipId: g.chip.id, vendor: g.chip.vendor, count: 0, totalBf16Tflops: 0, totalMemGB: 0))
            }
            let old = out[i]
            out[i] = ChipTypeSummary(chipId: old.chipId, vendor: old.vendor, count: old.count + n,
                                     totalBf16Tflops: old.totalBf16Tflops + Double(n) * g.chip.bf16Tflops,
                                     totalMemGB: old.totalMemGB + Double(n) * g.chip.memGB)
        }
        return out
    }

    /// Total dense BF16 peak of all chips, TFLOP/s.
    public var totalBf16Tflops: Double { groups.reduce(0) { $0 + Double($1.ranks.count) * $1.chip.bf16Tflops } }
}

/// An ordered pair of indices packed into one dictionary key.
struct PairKey: Hashable, Sendable {
    let from: Int32
    let to: Int32
    init(_ from: Int, _ to: Int) { self.from = Int32(from); self.to = Int32(to) }
}
