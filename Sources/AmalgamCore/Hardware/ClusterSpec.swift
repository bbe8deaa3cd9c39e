import Foundation  // JSONEncoder/JSONDecoder only: string encoding, no I/O.

/// A chip named by catalog id, or a custom chip carried inside the
/// specification (so a saved cluster is self-contained).
public enum ChipRef: Sendable, Equatable, Hashable, Codable {
    /// A catalog chip by id.
    case catalog(String)
    /// A user-defined or derived chip, stored whole.
    case custom(Chip)

    /// The chip this refers to; an unknown catalog id throws with suggestions,
    /// an invalid custom chip throws naming the field.
    public func resolve() throws -> Chip {
        switch self {
        case .catalog(let id): return try ChipCatalog.chip(id)
        case .custom(let chip): try chip.validate(); return chip
        }
    }
}

/// One group of identical nodes in a site: a chip type and either a number of
/// chips (split into nodes of `chipsPerNode`, the last node possibly partial)
/// or a number of whole nodes; optional overrides of the chip's node design.
public struct NodeGroupSpec: Sendable, Equatable, Hashable, Codable {
    /// Name within the site; nil = the chip id (with `_2`, `_3`, ... appended
    /// when a site has several unnamed groups of one chip).
    public var name: String?
    /// The chip type of every node in the group.
    public var chip: ChipRef
    /// Number of chips; exactly one of `chips` and `nodes` is given.
    public var chips: Int?
    /// Number of whole nodes; exactly one of `chips` and `nodes` is given.
    public var nodes: Int?
    /// Overrides the chip's `chipsPerNode`.
    public var chipsPerNode: Int?
    /// Overrides the chip's aggregate bidirectional scale-up GB/s.
    public var intraLinkGBs: Double?
    /// Overrides the chip's intra-node topology.
    public var intraTopology: IntraTopology?
    /// Latency of one intra-node link, seconds; nil = `IntraTopology.assumedHopLatencySeconds`.
    public var intraHopLatencySeconds: Double?
    /// Overrides the NIC Gb/s (per direction) for this group: per chip, or per
    /// NIC when `nicsPerNode` is given.
    public var nicGbps: Double?
    /// Scale-out NICs per node; nil = one NIC per chip (the default, as in DGX/HGX
    /// designs). With fewer NICs than chips, chip `i` of a node reaches NIC
    /// `i / ceil(chipsPerNode / nicsPerNode)` through a PCIe switch (one `pcie`
    /// link per chip and direction, `pcieGBs`), and the NICs are shared by the
    /// chips behind them (common in accelerator servers with 1, 2 or 4 NICs).
    public var nicsPerNode: Int?
    /// PCIe rate (GB/s per direction) of each chip's link to the PCIe switch in front
    /// of a shared NIC; nil = `ClusterSpec.assumedPcieGBs`. Used only with `nicsPerNode`.
    public var pcieGBs: Double?

    /// A node group; give exactly one of `chips` or `nodes`.
    public init(chip: ChipRef, chips: Int? = nil, nodes: Int? = nil, name: String? = nil,
                chipsPerNode: Int? = nil, intraLinkGBs: Double? = nil, intraTopology: IntraTopology? = nil,
                intraHopLatencySeconds: Double? = nil, nicGbps: Double? = nil, nicsPerNode: Int? = nil,
                pcieGBs: Double? = nil) {
        self.chip = chip; self.chips = chips; self.nodes = nodes; self.name = name
        self.chipsPerNode = chipsPerNode; self.intraLinkGBs = intraLinkGBs; self.intraTopology = intraTopology
        self.intraHopLatencySeconds = intraHopLatencySeconds; self.nicGbps = nicGbps
        self.nicsPerNode = nicsPerNode; self.pcieGBs = pcieGBs
    }

    /// Shorthand for a catalog chip by id.
    public init(_ chipId: String, chips: Int? = nil, nodes: Int? = nil, name: String? = nil) {
        self.init(chip: .catalog(chipId), chips: chips, nodes: nodes, name: name)
    }
}

/// The kind of a site's scale-out fabric. A label for reports; it only sets the
/// default per-hop latency.
public enum FabricKind: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// InfiniBand ("ib").
    case infiniband = "ib"
    /// RDMA over Converged Ethernet.
    case roce
    /// Plain Ethernet (TCP).
    case ethernet

    /// The kind named `text`: a raw value (`ib`, `roce`, `ethernet`) or
    /// `infiniband`, the name scripts tend to write; anything else throws with
    /// the valid names.
    public static func named(_ text: String) throws -> FabricKind {
        if text == "infiniband" { return .infiniband }
        guard let k = FabricKind(rawValue: text) else {
            throw AmalgamError.unknown("fabric kind", text, among: allCases.map(\.rawValue) + ["infiniband"])
        }
        return k
    }

    /// Latency added by each scale-out link (NIC up, node uplink up, node
    /// uplink down, NIC down), seconds. Assumption: about one switch traversal
    /// plus serialisation per link, so a node-to-node path (4 links) costs
    /// ~2 µs on IB, ~4 µs on RoCE and ~10 µs on plain Ethernet/TCP: the order of
    /// one-way RDMA / kernel-TCP latencies; not a measurement.
    public var assumedHopLatencySeconds: Double {
        switch self {
        case .infiniband: return 0.5e-6
        case .roce: return 1e-6
        case .ethernet: return 2.5e-6
        }
    }
}

/// A site's scale-out network.
///
/// Oversubscription is applied at each node's uplink: the uplink carries
/// (sum of the node's NIC rates) / `oversubscription` per direction, so with a
/// ratio of 1 the fabric is non-blocking and with 4 a node can push a quarter
/// of its NIC bandwidth out at once.
public struct ScaleOutSpec: Sendable, Equatable, Hashable, Codable {
    /// Fabric label; sets the default per-link latency.
    public var kind: FabricKind
    /// Per-chip NIC Gb/s for the whole site; nil = each chip's own figure.
    public var nicGbps: Double?
    /// Latency per scale-out link, seconds; nil = `kind.assumedHopLatencySeconds`.
    public var hopLatencySeconds: Double?
    /// Ratio >= 1 of NIC bandwidth to node uplink bandwidth.
    public var oversubscription: Double

    /// A scale-out fabric; defaults: InfiniBand, chips' own NICs, non-blocking.
    public init(kind: FabricKind = .infiniband, nicGbps: Double? = nil, hopLatencySeconds: Double? = nil,
                oversubscription: Double = 1) {
        self.kind = kind; self.nicGbps = nicGbps; self.hopLatencySeconds = hopLatencySeconds
        self.oversubscription = oversubscription
    }

    /// The latency per scale-out link actually used.
    public var effectiveHopLatencySeconds: Double { hopLatencySeconds ?? kind.assumedHopLatencySeconds }
}

/// How chips of different vendors inside one site exchange data.
public enum CrossVendorMode: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// Device-to-device RDMA through the NICs, as between chips of one vendor.
    case deviceRDMA = "device_rdma"
    /// Copy to host memory, send host to host, copy in: each node has one
    /// shared bounce link out and one in, at `gbs`, replacing the NIC links.
    case hostBounce = "host_bounce"
}

/// A site's cross-vendor path. Published mixed-vendor systems name the lack of
/// device-to-device RDMA between vendors as their main gap, hence the option.
public struct CrossVendorSpec: Sendable, Equatable, Hashable, Codable {
    /// Device RDMA or host bounce.
    public var mode: CrossVendorMode
    /// Host-bounce throughput per node and direction, GB/s.
    public var gbs: Double
    /// Extra latency of the bounce (both copies), seconds; split evenly over the
    /// out and in links.
    public var latencySeconds: Double

    /// Assumption: a bounce through pinned host memory and a 100 Gb/s host NIC
    /// path sustains ~10 GB/s per direction and adds ~20 µs (two PCIe copies
    /// plus a host RDMA/TCP hop). Override from measurements.
    public static let assumedBounceGBs: Double = 10
    /// See `assumedBounceGBs`.
    public static let assumedBounceLatencySeconds: Double = 20e-6

    /// Device RDMA (the default for every site).
    public static let deviceRDMA = CrossVendorSpec(mode: .deviceRDMA)

    /// A cross-vendor path; `gbs` and `latencySeconds` matter for `hostBounce` only.
    public init(mode: CrossVendorMode, gbs: Double = CrossVendorSpec.assumedBounceGBs,
                latencySeconds: Double = CrossVendorSpec.assumedBounceLatencySeconds) {
        self.mode = mode; self.gbs = gbs; self.latencySeconds = latencySeconds
    }
}

/// One site: a name, its node groups, its scale-out fabric and cross-vendor path.
public struct SiteSpec: Sendable, Equatable, Hashable, Codable {
    /// Unique site name (no '/').
    public var name: String
    /// Node groups, in rank order.
    public var groups: [NodeGroupSpec]
    /// The site's scale-out network.
    public var scaleOut: ScaleOutSpec
    /// How chips of different vendors in this site exchange data.
    public var crossVendor: CrossVendorSpec

    /// A site; the defaults are a non-blocking IB fabric and device RDMA.
    public init(name: String, groups: [NodeGroupSpec], scaleOut: ScaleOutSpec = ScaleOutSpec(),
                crossVendor: CrossVendorSpec = .deviceRDMA) {
        self.name = name; self.groups = groups; self.scaleOut = scaleOut; self.crossVendor = crossVendor
    }
}

/// A wide-area link between two sites, the same in both directions.
public struct WanLinkSpec: Sendable, Equatable, Hashable, Codable {
    /// One site's name.
    public var a: String
    /// The other site's name.
    public var b: String
    /// Line rate per direction, Gb/s.
    public var gbps: Double
    /// One-way latency, milliseconds.
    public var latencyMs: Double

    /// A WAN link between sites `a` and `b`.
    public init(_ a: String, _ b: String, gbps: Double, latencyMs: Double) {
        self.a = a; self.b = b; self.gbps = gbps; self.latencyMs = latencyMs
    }
}

/// How inter-site routes are chosen when several WAN paths exist (routes may
/// pass through third sites). Both are deterministic.
public enum WanRouting: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// Least total latency; ties: fewer hops, then the lower site indices
    /// found first.
    case shortestLatency = "shortest_latency"
    /// Largest bottleneck bandwidth; ties: least latency, then as above.
    case widestPath = "widest_path"
}

/// One end of a measured override: a site, a node group, or one node.
public enum Endpoint: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Every node of a site.
    case site(String)
    /// Every node of one node group.
    case group(site: String, group: String)
    /// A node by its global index (0-based, in rank order).
    case node(Int)
    /// A node by name, `site/group/n<i>`.
    case nodeName(String)

    /// Parses the string form scripts use: `"site"`, `"site/group"` or
    /// `"site/group/n3"`.
    public static func parse(_ text: String) -> Endpoint {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return .site(text)
        case 2: return .group(site: String(parts[0]), group: String(parts[1]))
        default: return .nodeName(text)
        }
    }

    /// The string form (`node(i)` prints as `node #i`).
    public var description: String {
        switch self {
        case .site(let s): return s
        case .group(let s, let g): return "\(s)/\(g)"
        case .node(let i): return "node #\(i)"
        case .nodeName(let n): return n
        }
    }
}

/// A measured network figure between two endpoints (both directions). It
/// replaces the whole derived path between them: all traffic between the two
/// endpoints shares one link per direction with this capacity and latency.
public struct MeasuredLinkSpec: Sendable, Equatable, Hashable, Codable {
    /// One end (site, group or node; both ends must be of one kind).
    public var a: Endpoint
    /// The other end.
    public var b: Endpoint
    /// Measured throughput per direction, GB/s.
    public var gbs: Double
    /// Measured one-way latency, seconds.
    public var latencySeconds: Double

    /// A measured override between `a` and `b`.
    public init(_ a: Endpoint, _ b: Endpoint, gbs: Double, latencySeconds: Double) {
        self.a = a; self.b = b; self.gbs = gbs; self.latencySeconds = latencySeconds
    }
}

/// A measured node-by-node matrix: entry [i][j] is the transfer from node
/// `nodeNames[i]` to `nodeNames[j]` (need not be symmetric; the diagonal is
/// ignored). Each off-diagonal entry becomes one measured directed link.
public struct NodeMatrixSpec: Sendable, Equatable, Hashable, Codable {
    /// Node names (`site/group/n<i>`), one per row and column.
    public var nodeNames: [String]
    /// GB/s, `nodeNames.count` square.
    public var gbs: [[Double]]
    /// Seconds, `nodeNames.count` square.
    public var latencySeconds: [[Double]]

    /// A bandwidth/latency matrix over the named nodes.
    public init(nodeNames: [String], gbs: [[Double]], latencySeconds: [[Double]]) {
        self.nodeNames = nodeNames; self.gbs = gbs; self.latencySeconds = latencySeconds
    }
}

/// Everything that defines a cluster, as plain values: what users save and
/// share (`jsonString()` / `init(json:)`); `compile()` checks it and builds
/// the link graph.
public struct ClusterSpec: Sendable, Equatable, Hashable, Codable {
    /// PCIe rate per direction between a chip and the PCIe switch in front of a
    /// shared NIC, GB/s, when the group gives no `pcie_gbs`. Assumption: PCIe Gen4
    /// x16, 16 GT/s x 16 lanes x 128/130 encoding = 31.5 GB/s (PCI-SIG PCIe 4.0
    /// Base Specification), the slowest generation on current accelerator servers.
    public static let assumedPcieGBs = 16.0 * 16 * 128 / 130 / 8
    /// Cluster name, for messages and summaries.
    public var name: String
    /// Sites in rank order.
    public var sites: [SiteSpec]
    /// WAN links between sites.
    public var wan: [WanLinkSpec]
    /// How multi-hop WAN routes are chosen.
    public var wanRouting: WanRouting
    /// Measured overrides between sites, groups or nodes.
    public var measured: [MeasuredLinkSpec]
    /// Measured node-by-node matrices.
    public var matrices: [NodeMatrixSpec]
    /// Measured collective curves (nccl-tests output) attached to groups of ranks.
    public var collectiveCurves: [MeasuredCollectiveSpec]

    /// A cluster specification.
    public init(name: String, sites: [SiteSpec], wan: [WanLinkSpec] = [], wanRouting: WanRouting = .shortestLatency,
                measured: [MeasuredLinkSpec] = [], matrices: [NodeMatrixSpec] = [],
                collectiveCurves: [MeasuredCollectiveSpec] = []) {
        self.name = name; self.sites = sites; self.wan = wan; self.wanRouting = wanRouting
        self.measured = measured; self.matrices = matrices; self.collectiveCurves = collectiveCurves
    }

    private enum CodingKeys: String, CodingKey {
        case name, sites, wan, wanRouting, measured, matrices, collectiveCurves
    }

    /// Decodes a specification; `collectiveCurves` may be absent (files saved
    /// before measured curves existed).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        sites = try c.decode([SiteSpec].self, forKey: .sites)
        wan = try c.decode([WanLinkSpec].self, forKey: .wan)
        wanRouting = try c.decode(WanRouting.self, forKey: .wanRouting)
        measured = try c.decode([MeasuredLinkSpec].self, forKey: .measured)
        matrices = try c.decode([NodeMatrixSpec].self, forKey: .matrices)
        collectiveCurves = try c.decodeIfPresent([MeasuredCollectiveSpec].self, forKey: .collectiveCurves) ?? []
    }

    /// Encodes the specification; `collectiveCurves` only when there are some, so
    /// clusters without curves save exactly as before.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(sites, forKey: .sites)
        try c.encode(wan, forKey: .wan)
        try c.encode(wanRouting, forKey: .wanRouting)
        try c.encode(measured, forKey: .measured)
        try c.encode(matrices, forKey: .matrices)
        if !collectiveCurves.isEmpty { try c.encode(collectiveCurves, forKey: .collectiveCurves) }
    }

    /// Appends a node group to the site called `site`; an unknown site throws
    /// with the close matches. The group itself is checked by `compile()`. Ranks after
    /// the site shift, and measured collective curves attached to them shift with them
    /// (they belong to the chips they were measured on, not to rank numbers).
    public mutating func addNodes(_ group: NodeGroupSpec, toSite site: String) throws {
        guard let i = sites.firstIndex(where: { $0.name == site }) else {
            throw AmalgamError.unknown("site", site, among: sites.map(\.name))
        }
        guard !collectiveCurves.isEmpty else { sites[i].groups.append(group); return }
        let before = try compile()
        var grown = self
        grown.sites[i].groups.append(group)
        let added = try grown.compile().chipCount - before.chipCount
        let boundary = before.sites[i].ranks.upperBound
        for k in grown.collectiveCurves.indices {
            grown.collectiveCurves[k].ranks = grown.collectiveCurves[k].ranks.map { $0 >= boundary ? $0 + added : $0 }
        }
        self = grown
    }

    /// Adds a measured override between two endpoints (both directions).
    public mutating func connect(_ a: Endpoint, _ b: Endpoint, gbs: Double, latencySeconds: Double) {
        measured.append(MeasuredLinkSpec(a, b, gbs: gbs, latencySeconds: latencySeconds))
    }

    /// The specification as JSON text, keys sorted so equal specs give equal text.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            let data = try encoder.encode(self)
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw AmalgamError("cannot encode cluster '\(name)' as JSON: \(error)")
        }
    }

    /// Decodes a specification saved by `jsonString()`.
    public init(json: String) throws {
        do {
            self = try JSONDecoder().decode(ClusterSpec.self, from: Data(json.utf8))
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw AmalgamError("cluster JSON: missing '\(key.stringValue)' at \(Self.path(ctx.codingPath))")
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx),
                let DecodingError.dataCorrupted(ctx) {
            throw AmalgamError("cluster JSON: \(ctx.debugDescription) at \(Self.path(ctx.codingPath))")
        } catch {
            throw AmalgamError("cluster JSON: \(error)")
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.isEmpty ? "top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
