/// NCCL's three protocols. `ll`: 8-byte stores of 4 data bytes + a 4-byte flag
/// (lowest latency, half the bandwidth); `ll128`: 128-byte lines of 120 data bytes
/// + flags; `simple`: bulk copies with fences (full bandwidth, highest latency).
public enum NcclProtocol: String, Sendable, CaseIterable, Equatable {
    case ll = "LL"
    case ll128 = "LL128"
    case simple = "Simple"

    /// Index into NCCL's per-protocol tables (`NCCL_PROTO_LL`, `_LL128`, `_SIMPLE`).
    var index: Int { self == .ll ? 0 : self == .ll128 ? 1 : 2 }
}

/// The class of a hop in NCCL's per-step latency tables (`hwLatencies[NVLINK|PCI|NET]`).
public enum ProtocolHardware: Sendable, Equatable {
    /// Scale-up links inside a node (switch, mesh or ring).
    case nvlink
    /// A PCIe node.
    case pci
    /// Between nodes.
    case net
}

/// How `CollectiveTiming` applies the protocol model (``NetworkOptions/protocolChoice``).
public enum ProtocolChoice: String, Sendable, CaseIterable, Equatable {
    /// Time every protocol the algorithm allows and keep the fastest, as NCCL's tuner
    /// does (lowest predicted time per message size). The default.
    case auto
    /// No protocol model: the pure network model (links, latency, slicing) as before.
    case off
    /// Force LL.
    case ll = "LL"
    /// Force LL128.
    case ll128 = "LL128"
    /// Force Simple.
    case simple = "Simple"

    /// The choice named `text` (case-insensitive); unknown names list the valid ones.
    public static func named(_ text: String) throws -> ProtocolChoice {
        if let c = allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) { return c }
        throw AmalgamError.unknown("protocol", text, among: allCases.map(\.rawValue))
    }
}

/// NCCL's protocol cost model, applied on top of the network model's timing of a
/// schedule. All constants are NCCL's own tuning constants, from NVIDIA/nccl
/// `src/graph/tuning.cc` (`ncclTunerConstantsDefaults` and `ncclTopoTuneModel`,
/// read at commit 5067397c, 2026-06):
///
/// - Bandwidth: a protocol moves `fraction` of the link's effective rate. Ring
///   (and the algorithms NCCL does not have, an assumption): LL `.5`, LL128 `0.92`
///   ("120.0/128.0"), Simple 1. Tree: LL `1.0/3.8`, LL128 `120.0/128.0` on several
///   nodes and `7.0/9.0` on one, Simple 1. NVLS: Simple only. (NCCL's extra caps —
///   `llMaxBws`, `perChMaxRingLL128Bws`, `treeCorrectionFactor` — are left out: the
///   schedule models the structure they correct NCCL's closed form for. The tree's
///   `.92` and, across nodes, `perChMaxTreeBws` / `perChMaxTreeLL128Bws` x channels
///   (one channel per NIC, as the schedule has) do apply: without them the
///   schedule's tree beats NCCL's measured tree by 1.5-2x on 2-3 nodes.)
/// - Latency: `baseLatencies[algo][proto]` once (tree 6.8/14.0/8.4 µs, ring
///   6.6/14.0/8.4 µs, NVLS 0) plus, per step along the schedule's longest dependency
///   chain, `hwLatencies[hw][algo][proto]` with hw NVLINK (scale-up switch, mesh or
///   ring links: tree .6/1.25/4.0, ring .6/1.9/3.4 µs), PCI (PCIe nodes: tree
///   1.0/1.9/4.0, ring 1.0/2.5/5.7 µs) or NET (between nodes: tree 5.0/8.5/14, ring
///   2.7/4.0/14.0 µs). NCCL counts `2(nRanks-1)` ring steps of which `2(nNodes-1)`
///   are network steps, and `2((nRanks/nNodes-1) intra + log2(nNodes) inter)` for the
///   tree; the longest chain of the schedule gives the same counts without a
///   per-algorithm formula. NVLS: `hwLatencies[NVLINK][NVLS][Simple]` = 25 µs once,
///   plus `[NET][NVLS][Simple]` = 18 µs on several nodes.
/// - The network model already charges each transfer its route latency (link
///   latencies, mostly assumptions), so a step adds only what NCCL's per-step figure
///   exceeds it by: step latency = max(route latency, NCCL's hw latency).
/// - Left out (assumption): `getNetOverhead` (CPU-dependent) and the multi-node
///   Simple ring "plateau" factor 1.4.
enum ProtocolModel {
    /// NCCL algorithm family whose constants apply.
    enum Family { case ring, tree, nvls }

    static func family(of algorithm: String) -> Family {
        switch algorithm {
        case "nccl_tree", "double_binary_tree", "binary_tree", "blink_trees": return .tree
        case "nvls": return .nvls
        default: return .ring
        }
    }

    /// `baseLatencies`, µs, [LL, LL128, Simple].
    static func baseLatencyMicros(_ f: Family) -> [Double] {
        switch f {
        case .tree: return [6.8, 14.0, 8.4]
        case .ring: return [6.6, 14.0, 8.4]
        case .nvls: return [0, 0, 0]
        }
    }

    typealias Hardware = ProtocolHardware

    /// The class of the hop from rank `a` to rank `b` in NCCL's latency tables: NET
    /// between nodes, PCI inside a PCIe node, NVLINK otherwise.
    static func hardware<T: NetworkTopology>(_ topology: T, _ a: Int, _ b: Int) -> Hardware {
        topology.node(ofRank: a) != topology.node(ofRank: b) ? .net : topology.chip(ofRank: a).intraTopology == .pcie ? .pci : .nvlink
    }

    /// The protocols `choice` lets `CollectiveTiming` try, in its tie-break order.
    static func candidates(_ choice: ProtocolChoice) -> [NcclProtocol] {
        switch choice {
        case .ll: return [.ll]
        case .ll128: return [.ll128]
        case .simple: return [.simple]
        case .off: return []
        case .auto: return [.simple, .ll128, .ll]
        }
    }

    /// `hwLatencies`, µs, [LL, LL128, Simple].
    static func hwLatencyMicros(_ hw: Hardware, _ f: Family) -> [Double] {
        switch (hw, f) {
        case (.nvlink, .tree): return [0.6, 1.25, 4.0]
        case (.nvlink, .ring): return [0.6, 1.9, 3.4]
        case (.nvlink, .nvls): return [0, 0, 25]
        case (.pci, .tree): return [1.0, 1.9, 4.0]
        case (.pci, .ring): return [1.0, 2.5, 5.7]
        case (.pci, .nvls): return [0, 0, 0]
        case (.net, .tree): return [5.0, 8.5, 14]
        case (.net, .ring): return [2.7, 4.0, 14.0]
        case (.net, .nvls): return [0, 0, 18]
        }
    }

    /// Fraction of the effective link rate protocol `p` delivers; nil when NCCL does
    /// not run `p` for that family. Tree all-reduce also carries NCCL's `.92`
    /// refinement (`busBw * .92`) before the protocol factor.
    static func bandwidthFraction(_ p: NcclProtocol, _ f: Family, nodes: Int) -> Double? {
        switch (f, p) {
        case (.ring, .ll): return 0.5
        case (.ring, .ll128): return 0.92
        case (.ring, .simple): return 1
        case (.tree, .ll): return 0.92 / 3.8
        case (.tree, .ll128): return 0.92 * (nodes == 1 ? 7.0 / 9.0 : 120.0 / 128.0)
        case (.tree, .simple): return 0.92
        case (.nvls, .simple): return 1
        case (.nvls, _): return nil
        }
    }

    /// NCCL's compute-capability index (`compCapIndex`: Volta 0, Ampere 1, Hopper 2,
    /// Blackwell 3) of a catalog chip, from its id; nil for other vendors (no NCCL).
    /// Ada parts (cc 8.9) count as Ampere, Turing (7.5) as Volta, as in NCCL.
    static func compCapIndex(_ chip: Chip) -> Int? {
        guard chip.vendor == "NVIDIA" else { return nil }
        let id = chip.id
        if id.hasPrefix("nvidia_b") || id.hasPrefix("nvidia_gb") { return 3 }
        if id.hasPrefix("nvidia_h") { return 2 }
        if id.hasPrefix("nvidia_a") || id.hasPrefix("nvidia_l") || id.hasPrefix("nvidia_rtx_3") || id.hasPrefix("nvidia_rtx_4") { return 1 }
        return 0
    }

    /// NCCL's per-channel tree bus-bandwidth caps, GB/s, [compCapIndex][nodes 1 / 2 / more]:
    /// `perChMaxTreeBws` (Simple) and `perChMaxTreeLL128Bws` (LL128).
    static let perChannelTreeCapGBs: [NcclProtocol: [[Double]]] = [
        .simple: [[26.5, 18.5, 10.0], [24.0, 23.6, 17.8], [38.7, 41.4, 36.0], [70.0, 42.8, 24.0]],
        .ll128: [[20.0, 20.0, 20.0], [20.0, 20.0, 20.0], [36.7, 36.7, 29.0], [55.6, 31.67, 20.0]],
    ]

    /// The tree's bus-bandwidth cap (GB/s) NCCL applies across nodes:
    /// channels x the per-channel cap; nil on one node (NCCL's single-node channel
    /// count is not modelled), for other families and for non-NVIDIA chips.
    static func treeCapGBs(_ p: NcclProtocol, _ f: Family, chip: Chip, nodes: Int, channels: Int) -> Double? {
        guard f == .tree, nodes > 1, let cc = compCapIndex(chip), let table = perChannelTreeCapGBs[p] else { return nil }
        return Double(channels) * table[cc][nodes == 2 ? 1 : 2]
    }

    /// The protocol's latency on top of the network model, seconds: base latency
    /// plus the longest dependency chain of per-step excesses over route latency.
    static func latencySeconds<T: NetworkTopology>(_ s: Schedule, protocol p: NcclProtocol, family f: Family,
                                                   on topology: T) -> Double {
        let nodes = Set((0..<topology.rankCount).map { topology.node(ofRank: $0) }).count
        if f == .nvls {
            var lat = hwLatencyMicros(.nvlink, .nvls)[p.index]
            if nodes > 1 { lat += hwLatencyMicros(.net, .nvls)[p.index] }
            return lat * 1e-6
        }
        var routeCache: [Int: Double] = [:]   // keyed by src * ranks + dst, looked up only
        var chain = [Double](repeating: 0, count: s.count)
        var longest = 0.0
        for i in 0..<s.count {
            let a = Int(s.src[i]), b = Int(s.dst[i])
            var w = 0.0
            if a != b {
                let hw = hardware(topology, a, b)
                let key = a * topology.rankCount + b
                let route = routeCache[key] ?? { let l = topology.route(from: a, to: b).latencySeconds; routeCache[key] = l; return l }()
                w = max(0, hwLatencyMicros(hw, f)[p.index] * 1e-6 - route)
            }
            var before = 0.0
            for d in s.dependencies(of: i) { before = max(before, chain[Int(d)]) }
            chain[i] = before + w
            longest = max(longest, chain[i])
        }
        return baseLatencyMicros(f)[p.index] * 1e-6 + longest
    }
}
