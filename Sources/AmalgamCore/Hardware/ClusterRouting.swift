extension IntraTopology {
    /// Latency of one intra-node link, seconds. Assumptions (no per-hop figure is
    /// published): a switch port 0.5 µs each way in and out, so chip to chip
    /// through the switch is ~1 µs; a direct mesh or ring link ~1 µs; the PCIe
    /// host bridge ~2 µs (root-complex forwarding is slower than a device link).
    public var assumedHopLatencySeconds: Double {
        switch self {
        case .switch: return 0.5e-6
        case .fullMesh, .ring: return 1e-6
        case .pcie: return 2e-6
        }
    }

    /// Line rate of one intra-node link per direction, GB/s, for a node design
    /// of `chipsPerNode` chips with aggregate bidirectional `intraLinkGBs` per chip:
    /// switch: each chip's port up and down carries half the aggregate;
    /// full mesh: the per-direction half is split over the k-1 peers;
    /// ring: the half is split over the two neighbours (one neighbour when k = 2);
    /// PCIe: the node's shared host bridge carries one direction's worth, shared
    /// by all transfers inside the node.
    public func linkGBs(intraLinkGBs: Double, chipsPerNode k: Int) -> Double {
        let perDirection = intraLinkGBs / 2
        switch self {
        case .switch, .pcie: return perDirection
        case .fullMesh: return k > 1 ? perDirection / Double(k - 1) : perDirection
        case .ring: return k > 2 ? perDirection / 2 : perDirection
        }
    }

    /// Number of links a node of `m` chips gets.
    func linkCount(chips m: Int) -> Int {
        switch self {
        case .switch: return 2 * m
        case .fullMesh: return m * (m - 1)
        case .ring: return m <= 1 ? 0 : (m == 2 ? 2 : 2 * m)
        case .pcie: return m > 1 ? 1 : 0
        }
    }
}

/// The result of a path query, as the scripting layer shows it.
public struct PathInfo: Sendable, Equatable {
    /// Smallest line rate on the path, GB/s (infinite for a rank to itself).
    public let gbs: Double
    /// Sum of the link latencies, seconds.
    public let latencySeconds: Double
    /// Link names in order.
    public let hops: [String]
    /// Link indices in order.
    public let links: [Int]
}

extension Cluster: NetworkTopology {
    /// Number of chips.
    public var rankCount: Int { rankNode.count }

    /// Index into `nodes` of a rank (must be in range).
    public func node(ofRank rank: Int) -> Int { Int(rankNode[rank]) }

    /// Index into `sites` of a rank (must be in range).
    public func site(ofRank rank: Int) -> Int { nodes[Int(rankNode[rank])].site }

    /// The chip of a rank, with its group's overrides applied (must be in range).
    public func chip(ofRank rank: Int) -> Chip { groups[nodes[Int(rankNode[rank])].group].chip }

    /// The route from `a` to `b`, in O(hops): intra-node fabric; else a measured
    /// override (node pair, then group pair, then site pair); else NIC, node
    /// uplinks (or the host bounce between vendors), and WAN links between sites.
    /// Ranks must be in range (use `path(from:to:)` for unchecked input).
    public func route(from a: Int, to b: Int) -> Route {
        makeRoute(routeLinks(from: a, to: b))
    }

    /// A checked path query for scripts: throws for ranks out of range.
    public func path(from a: Int, to b: Int) throws -> PathInfo {
        for (label, r) in [("from", a), ("to", b)] where r < 0 || r >= rankCount {
            throw AmalgamError("path: rank \(label) = \(r) is out of range (cluster '\(name)' has \(rankCount) chips, ranks 0...\(rankCount - 1))")
        }
        let ids = routeLinks(from: a, to: b)
        let r = makeRoute(ids)
        return PathInfo(gbs: r.bottleneckGBs, latencySeconds: r.latencySeconds, hops: ids.map { links[$0].name }, links: ids)
    }

    /// Every link as a row: name, kind, gbs, latency_s.
    public func linkTable() -> FieldTable {
        FieldTable(columns: ["name", "kind", "gbs", "latency_s"], rows: links.map {
            [.text($0.name), .text($0.kind.rawValue), .number($0.gbs), .number($0.latencySeconds)]
        })
    }

    func makeRoute(_ ids: [Int]) -> Route {
        var latency = 0.0, bottleneck = Double.infinity
        for i in ids {
            latency += links[i].latencySeconds
            bottleneck = min(bottleneck, links[i].gbs)
        }
        return Route(links: ids, latencySeconds: latency, bottleneckGBs: bottleneck)
    }

    func routeLinks(from a: Int, to b: Int) -> [Int] {
        if a == b { return [] }
        let na = Int(rankNode[a]), nb = Int(rankNode[b])
        let A = nodes[na], B = nodes[nb]
        let la = a - A.ranks.lowerBound, lb = b - B.ranks.lowerBound
        if na == nb { return intraRoute(A, from: la, to: lb) }
        // Most clusters have no overrides: skip the hashing then.
        if !measuredNodes.isEmpty, let m = measuredNodes[PairKey(na, nb)] { return [m] }
        if !measuredGroups.isEmpty, let m = measuredGroups[PairKey(A.group, B.group)] { return [m] }
        if !measuredSites.isEmpty, let m = measuredSites[PairKey(A.site, B.site)] { return [m] }
        if A.site == B.site {
            if A.bounce >= 0, groups[A.group].chip.vendor != groups[B.group].chip.vendor {
                return [A.bounce, A.uplink, B.uplink + 1, B.bounce + 1]
            }
            if A.pcieBase < 0 && B.pcieBase < 0 {
                return [A.nicBase + 2 * la, A.uplink, B.uplink + 1, B.nicBase + 2 * lb + 1]
            }
        }
        let wan = A.site == B.site ? [] : siteRoutes[A.site][B.site]
        var out: [Int] = []
        out.reserveCapacity(wan.count + 6)
        if A.pcieBase >= 0 { out.append(A.pcieBase + 2 * la) }
        out.append(A.nicBase + 2 * (la / A.chipsPerNic)); out.append(A.uplink)
        out.append(contentsOf: wan)
        out.append(B.uplink + 1); out.append(B.nicBase + 2 * (lb / B.chipsPerNic) + 1)
        if B.pcieBase >= 0 { out.append(B.pcieBase + 2 * lb + 1) }
        return out
    }

    /// The NIC (index within its node) rank `rank` leaves the node through.
    public func nic(ofRank rank: Int) -> Int {
        let node = nodes[Int(rankNode[rank])]
        return (rank - node.ranks.lowerBound) / node.chipsPerNic
    }

    private func intraRoute(_ node: ClusterNode, from la: Int, to lb: Int) -> [Int] {
        let base = node.intraBase, m = node.chipCount
        switch groups[node.group].chip.intraTopology {
        case .switch:
            return [base + 2 * la, base + 2 * lb + 1]
        case .fullMesh:
            return [base + la * (m - 1) + (lb < la ? lb : lb - 1)]
        case .pcie:
            return [base]
        case .ring:
            if m == 2 { return [base + la] }
            let clockwise = (lb - la + m) % m
            var out: [Int] = [], cur = la
            if clockwise <= m - clockwise {
                for _ in 0..<clockwise { out.append(base + 2 * cur); cur = (cur + 1) % m }
            } else {
                for _ in 0..<(m - clockwise) { out.append(base + 2 * cur + 1); cur = (cur - 1 + m) % m }
            }
            return out
        }
    }
}
