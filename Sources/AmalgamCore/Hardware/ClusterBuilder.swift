extension ClusterSpec {
    /// Checks the specification and compiles it into sites, nodes, ranks and the
    /// directed link graph. Every problem is an `AmalgamError` naming the site,
    /// group, field or endpoint at fault; a cluster whose sites cannot all reach
    /// each other is rejected here, not at the first route.
    public func compile() throws -> Cluster { try ClusterBuilder(spec: self).build() }
}

/// A node group after its chip, counts and overrides are resolved.
private struct ResolvedGroup {
    let site: Int
    let name: String
    let chip: Chip
    let chips: Int
    let intraHopLatencySeconds: Double
    /// Whether the intra-node latency is the topology's assumed default.
    let intraLatencyAssumed: Bool
    /// Chips behind each NIC (1 = a NIC per chip).
    var chipsPerNic: Int = 1
    /// PCIe rate chip <-> NIC switch, GB/s per direction (shared NICs only).
    var pcieGBs: Double = ClusterSpec.assumedPcieGBs
}

/// Compiles a `ClusterSpec`; split from `Cluster` so the compiled value holds
/// no build state.
struct ClusterBuilder {
    let spec: ClusterSpec
    /// Largest cluster accepted: far beyond today's systems, small enough that
    /// per-rank arrays stay in memory.
    static let maxChips = 10_000_000
    /// Largest number of full-mesh links accepted: a mesh of k chips needs
    /// k(k-1) links per node, so a mistyped chips_per_node could otherwise
    /// ask for billions.
    static let maxMeshLinks = 50_000_000

    func build() throws -> Cluster {
        let siteIndex = try indexSites()
        var assumptions: [String] = []
        let resolved = try resolveGroups(assumptions: &assumptions)
        var links: [Link] = []
        var sites: [ClusterSite] = [], groups: [ClusterGroup] = [], nodes: [ClusterNode] = []
        var rankNode: [Int32] = []
        rankNode.reserveCapacity(resolved.reduce(0) { $0 + $1.chips })
        var groupIndex: [String: Int] = [:]

        for (si, site) in spec.sites.enumerated() {
            let mine = resolved.filter { $0.site == si }
            let vendors = Set(mine.map(\.chip.vendor))
            let bounceOn = site.crossVendor.mode == .hostBounce && vendors.count > 1
            let hop = site.scaleOut.effectiveHopLatencySeconds
            let firstGroup = groups.count, firstNode = nodes.count, firstRank = rankNode.count
            for g in mine {
                let k = g.chip.chipsPerNode
                let nodeCount = (g.chips + k - 1) / k
                let intraGBs = g.chip.intraTopology.linkGBs(intraLinkGBs: g.chip.intraLinkGBs, chipsPerNode: k)
                let nicGBs = (g.chip.nicGbps ?? Chip.assumedNicGbps) / 8
                let groupFirstNode = nodes.count, groupFirstRank = rankNode.count
                for n in 0..<nodeCount {
                    let m = min(k, g.chips - n * k)
                    let nodeName = "\(site.name)/\(g.name)/n\(n)"
                    let intraBase = links.count
                    appendIntraLinks(&links, node: nodeName, topology: g.chip.intraTopology, chips: m,
                                     gbs: intraGBs, latency: g.intraHopLatencySeconds, efficiency: g.chip.scaleUpEfficiency)
                    var pcieBase = -1
                    let nicCount = (m + g.chipsPerNic - 1) / g.chipsPerNic
                    if g.chipsPerNic > 1 {
                        // Shared NICs: each chip reaches its NIC through a PCIe switch.
                        pcieBase = links.count
                        for i in 0..<m {
                            let sw = "pcie_sw\(i / g.chipsPerNic)", latency = IntraTopology.pcie.assumedHopLatencySeconds / 2
                            links.append(Link(name: "\(nodeName)/c\(i)->\(sw)", kind: .pcie, gbs: g.pcieGBs, latencySeconds: latency))
                            links.append(Link(name: "\(nodeName)/\(sw)->c\(i)", kind: .pcie, gbs: g.pcieGBs, latencySeconds: latency))
                        }
                    }
                    let nicBase = links.count
                    for j in 0..<nicCount {
                        let label = g.chipsPerNic > 1 ? "nic\(j)" : "c\(j)"
                        links.append(Link(name: "\(nodeName)/\(label)/nic_up", kind: .nic, gbs: nicGBs, latencySeconds: hop))
                        links.append(Link(name: "\(nodeName)/\(label)/nic_down", kind: .nic, gbs: nicGBs, latencySeconds: hop))
                    }
                    let uplink = links.count
                    let uplinkGBs = Double(nicCount) * nicGBs / site.scaleOut.oversubscription
                    links.append(Link(name: "\(nodeName)/uplink_up", kind: .fabric, gbs: uplinkGBs, latencySeconds: hop))
                    links.append(Link(name: "\(nodeName)/uplink_down", kind: .fabric, gbs: uplinkGBs, latencySeconds: hop))
                    var bounce = -1
                    if bounceOn {
                        bounce = links.count
                        let cv = site.crossVendor
                        links.append(Link(name: "\(nodeName)/host_bounce_out", kind: .crossVendor, gbs: cv.gbs, latencySeconds: cv.latencySeconds / 2))
                        links.append(Link(name: "\(nodeName)/host_bounce_in", kind: .crossVendor, gbs: cv.gbs, latencySeconds: cv.latencySeconds / 2))
                    }
                    let r0 = rankNode.count
                    nodes.append(ClusterNode(index: nodes.count, name: nodeName, site: si, group: groups.count,
                                             ranks: r0..<(r0 + m), intraBase: intraBase, nicBase: nicBase,
                                             uplink: uplink, bounce: bounce, chipsPerNic: g.chipsPerNic, pcieBase: pcieBase))
                    rankNode.append(contentsOf: repeatElement(Int32(nodes.count - 1), count: m))
                }
                groupIndex["\(site.name)/\(g.name)"] = groups.count
                groups.append(ClusterGroup(index: groups.count, name: g.name, site: si, chip: g.chip,
                                           nodes: groupFirstNode..<nodes.count, ranks: groupFirstRank..<rankNode.count,
                                           intraHopLatencySeconds: g.intraHopLatencySeconds, nicGbps: nicGBs * 8,
                                           nicsPerNode: (k + g.chipsPerNic - 1) / g.chipsPerNic, chipsPerNic: g.chipsPerNic))
            }
            sites.append(ClusterSite(index: si, name: site.name, groups: firstGroup..<groups.count,
                                     nodes: firstNode..<nodes.count, ranks: firstRank..<rankNode.count,
                                     scaleOut: site.scaleOut, crossVendor: site.crossVendor,
                                     mixesVendors: vendors.count > 1))
            if nodes.count - firstNode > 1 || spec.sites.count > 1, site.scaleOut.hopLatencySeconds == nil {
                assumptions.append("site '\(site.name)': scale-out latency \(Self.micros(hop)) µs per link (\(site.scaleOut.kind.rawValue) default, an assumption; set hop_latency_s from measurements)")
            }
            if bounceOn, site.crossVendor == CrossVendorSpec(mode: .hostBounce) {
                assumptions.append("site '\(site.name)': host bounce \(Chip.format(site.crossVendor.gbs)) GB/s and \(Self.micros(site.crossVendor.latencySeconds)) µs are assumed defaults")
            }
        }

        let defaultIntra = Set(resolved.filter { $0.intraLatencyAssumed && $0.chips > 1 }.map(\.chip.intraTopology))
        for t in IntraTopology.allCases where defaultIntra.contains(t) {
            assumptions.append("intra-node \(t.rawValue) links: \(Self.micros(t.assumedHopLatencySeconds)) µs per link (an assumption; set intra_hop_latency_s on the group)")
        }

        let adjacency = try addWanLinks(&links, siteIndex: siteIndex)
        let routes = WanRoutes.compute(siteCount: sites.count, adjacency: adjacency, policy: spec.wanRouting)

        var partial = Cluster(spec: spec, sites: sites, groups: groups, nodes: nodes, links: links,
                              assumptions: assumptions, rankNode: rankNode, siteRoutes: [],
                              measuredNodes: [:], measuredGroups: [:], measuredSites: [:],
                              siteIndex: siteIndex, groupIndex: groupIndex)
        let measured = try MeasuredLinks.add(spec: spec, cluster: partial, links: &links)
        try checkConnected(routes: routes, measuredSites: measured.sites)

        partial = Cluster(spec: spec, sites: sites, groups: groups, nodes: nodes, links: links,
                          assumptions: assumptions, rankNode: rankNode,
                          siteRoutes: routes.map { $0.map { $0 ?? [] } },
                          measuredNodes: measured.nodes, measuredGroups: measured.groups, measuredSites: measured.sites,
                          siteIndex: siteIndex, groupIndex: groupIndex)
        partial.measuredCollectiveIndex = try MeasuredCollectives.index(spec: spec, cluster: partial)
        return partial
    }

    private func indexSites() throws -> [String: Int] {
        guard !spec.sites.isEmpty else {
            throw AmalgamError("cluster '\(spec.name)' has no sites (give at least one site with node groups)")
        }
        var index: [String: Int] = [:]
        for (i, s) in spec.sites.enumerated() {
            try Self.checkName(s.name, what: "site name")
            if index[s.name] != nil {
                throw AmalgamError("duplicate site name '\(s.name)' (site names must be unique)")
            }
            index[s.name] = i
        }
        return index
    }

    static func checkName(_ name: String, what: String) throws {
        if name.isEmpty || name.allSatisfy(\.isWhitespace) { throw AmalgamError("\(what) must not be empty") }
        if name.contains("/") { throw AmalgamError("\(what) '\(name)' must not contain '/' (it separates site/group/node in endpoint names)") }
    }

    private func resolveGroups(assumptions: inout [String]) throws -> [ResolvedGroup] {
        var out: [ResolvedGroup] = []
        var total = 0, meshLinks = 0
        var chipsNoted: Set<String> = []
        for (si, site) in spec.sites.enumerated() {
            let sctx = "site '\(site.name)'"
            if site.groups.isEmpty { throw AmalgamError("\(sctx) has no node groups (give nodes = { { chip = ..., count = N } })") }
            try prefixed(sctx) {
                let so = site.scaleOut
                if let v = so.nicGbps { try Validate.positive(v, field: "nic_gbps", unit: "Gb/s") }
                if let v = so.hopLatencySeconds { try Validate.nonNegative(v, field: "hop_latency_s", unit: "s") }
                guard so.oversubscription.isFinite, so.oversubscription >= 1 else {
                    throw AmalgamError("oversubscription must be >= 1 (got \(Chip.format(so.oversubscription)))")
                }
                try Validate.positive(site.crossVendor.gbs, field: "cross_vendor gbs", unit: "GB/s")
                try Validate.nonNegative(site.crossVendor.latencySeconds, field: "cross_vendor latency_s", unit: "s")
            }
            var explicit: Set<String> = []
            for g in site.groups {
                guard let n = g.name else { continue }
                try prefixed(sctx) { try Self.checkName(n, what: "node group name") }
                if !explicit.insert(n).inserted { throw AmalgamError("\(sctx): duplicate node group name '\(n)'") }
            }
            var used: Set<String> = []
            for (gi, g) in site.groups.enumerated() {
                let ctx = "\(sctx), node group \(gi + 1)"
                var chip = try prefixed(ctx) { try g.chip.resolve() }
                let (chips, groupName, hopLatency) = try prefixed(ctx) { () -> (Int, String, Double) in
                    if let v = g.chipsPerNode { try Validate.count(v, field: "chips_per_node"); chip.chipsPerNode = v }
                    if let v = g.intraLinkGBs { try Validate.positive(v, field: "intra_link_gbs", unit: "GB/s"); chip.intraLinkGBs = v }
                    if let v = g.intraTopology { chip.intraTopology = v }
                    if let v = g.intraHopLatencySeconds { try Validate.nonNegative(v, field: "intra_hop_latency_s", unit: "s") }
                    if let v = g.nicGbps { try Validate.positive(v, field: "nic_gbps", unit: "Gb/s") }
                    let chips: Int
                    switch (g.chips, g.nodes) {
                    case (nil, nil): throw AmalgamError("give the number of chips (count = N) or of whole nodes (nodes = N)")
                    case (.some, .some): throw AmalgamError("give either count (chips) or nodes, not both")
                    case (let c?, nil): try Validate.count(c, field: "count"); chips = c
                    case (nil, let n?):
                        try Validate.count(n, field: "nodes")
                        let (p, overflow) = n.multipliedReportingOverflow(by: chip.chipsPerNode)
                        guard !overflow, p <= ClusterBuilder.maxChips else {
                            throw AmalgamError("nodes = \(n) x \(chip.chipsPerNode) chips per node exceeds the \(ClusterBuilder.maxChips)-chip limit")
                        }
                        chips = p
                    }
                    var name = g.name ?? chip.id
                    if g.name == nil {
                        var k = 2
                        while explicit.contains(name) || used.contains(name) { name = "\(chip.id)_\(k)"; k += 1 }
                    }
                    return (chips, name, g.intraHopLatencySeconds ?? chip.intraTopology.assumedHopLatencySeconds)
                }
                used.insert(groupName)
                if let nic = g.nicGbps ?? site.scaleOut.nicGbps {
                    chip.nicGbps = nic
                } else if chip.nicGbps == nil {
                    chip.nicGbps = Chip.assumedNicGbps
                    let why = "no published per-chip NIC figure; assumed \(Chip.format(Chip.assumedNicGbps)) Gb/s (Chip.assumedNicGbps)"
                    chip.assumptions["nic_gbps"] = "assumption: " + why
                    assumptions.append("\(site.name)/\(groupName): \(chip.id) has \(why); set nic_gbps on the group or site")
                }
                if chipsNoted.insert(chip.id).inserted {
                    for (field, what) in chip.assumptions.sorted(by: { $0.key < $1.key }) where field != "nic_gbps" {
                        assumptions.append("chip '\(chip.id)': \(field) = \(what)")
                    }
                }
                total += chips
                if chip.intraTopology == .fullMesh {
                    meshLinks += chips * (min(chip.chipsPerNode, chips) - 1)
                    guard meshLinks <= Self.maxMeshLinks else {
                        throw AmalgamError("\(ctx): a full mesh of \(chip.chipsPerNode) chips per node needs k(k-1) links per node, over \(Self.maxMeshLinks) in all; lower chips_per_node or use intra_topology = 'switch'")
                    }
                }
                guard total <= Self.maxChips else {
                    throw AmalgamError("cluster '\(spec.name)' has more than \(Self.maxChips) chips (at \(ctx))")
                }
                var resolved = ResolvedGroup(site: si, name: groupName, chip: chip, chips: chips, intraHopLatencySeconds: hopLatency,
                                             intraLatencyAssumed: g.intraHopLatencySeconds == nil)
                if let nics = g.nicsPerNode {
                    try prefixed(ctx) {
                        try Validate.count(nics, field: "nics_per_node")
                        guard nics <= chip.chipsPerNode else {
                            throw AmalgamError("nics_per_node = \(nics) exceeds the \(chip.chipsPerNode) chips per node (at most one NIC per chip is modelled)")
                        }
                        if let v = g.pcieGBs { try Validate.positive(v, field: "pcie_gbs", unit: "GB/s") }
                    }
                    resolved.chipsPerNic = (chip.chipsPerNode + nics - 1) / nics
                    if resolved.chipsPerNic > 1 {
                        resolved.pcieGBs = g.pcieGBs ?? ClusterSpec.assumedPcieGBs
                        if g.pcieGBs == nil {
                            assumptions.append("\(site.name)/\(groupName): chips reach their shared NIC over PCIe at \(Chip.format(ClusterSpec.assumedPcieGBs)) GB/s per direction (PCIe Gen4 x16, an assumption; set pcie_gbs on the group)")
                        }
                    }
                } else if g.pcieGBs != nil {
                    throw AmalgamError("\(ctx): pcie_gbs applies only with nics_per_node (chips sharing a NIC reach it over PCIe)")
                }
                out.append(resolved)
            }
        }
        return out
    }

    /// `efficiency`: the chip's measured scale-up efficiency (switch nodes only: that is
    /// where it was measured).
    private func appendIntraLinks(_ links: inout [Link], node: String, topology: IntraTopology, chips m: Int,
                                  gbs: Double, latency: Double, efficiency: Double?) {
        switch topology {
        case .switch:
            for i in 0..<m {
                links.append(Link(name: "\(node)/c\(i)->switch", kind: .scaleUp, gbs: gbs, latencySeconds: latency, efficiency: efficiency))
                links.append(Link(name: "\(node)/switch->c\(i)", kind: .scaleUp, gbs: gbs, latencySeconds: latency, efficiency: efficiency))
            }
        case .fullMesh:
            for i in 0..<m {
                for j in 0..<m where j != i {
                    links.append(Link(name: "\(node)/c\(i)->c\(j)", kind: .peer, gbs: gbs, latencySeconds: latency))
                }
            }
        case .ring:
            if m == 2 {
                links.append(Link(name: "\(node)/c0->c1", kind: .peer, gbs: gbs, latencySeconds: latency))
                links.append(Link(name: "\(node)/c1->c0", kind: .peer, gbs: gbs, latencySeconds: latency))
            } else if m > 2 {
                for i in 0..<m {
                    links.append(Link(name: "\(node)/c\(i)->c\((i + 1) % m)", kind: .peer, gbs: gbs, latencySeconds: latency))
                    links.append(Link(name: "\(node)/c\(i)->c\((i + m - 1) % m)", kind: .peer, gbs: gbs, latencySeconds: latency))
                }
            }
        case .pcie:
            if m > 1 { links.append(Link(name: "\(node)/pcie_bridge", kind: .pcie, gbs: gbs, latencySeconds: latency)) }
        }
    }

    private func addWanLinks(_ links: inout [Link], siteIndex: [String: Int]) throws -> [[WanRoutes.Edge]] {
        var adjacency = [[WanRoutes.Edge]](repeating: [], count: spec.sites.count)
        var seen: Set<PairKey> = []
        let names = spec.sites.map(\.name)
        for (i, w) in spec.wan.enumerated() {
            let ctx = "wan link \(i + 1) ('\(w.a)' <-> '\(w.b)')"
            guard let a = siteIndex[w.a] else { throw AmalgamError("\(ctx): " + AmalgamError.unknown("site", w.a, among: names).message) }
            guard let b = siteIndex[w.b] else { throw AmalgamError("\(ctx): " + AmalgamError.unknown("site", w.b, among: names).message) }
            try prefixed(ctx) {
                if a == b { throw AmalgamError("a WAN link needs two different sites") }
                try Validate.positive(w.gbps, field: "gbps", unit: "Gb/s")
                try Validate.nonNegative(w.latencyMs, field: "latency_ms", unit: "ms")
                if !seen.insert(PairKey(min(a, b), max(a, b))).inserted {
                    throw AmalgamError("sites '\(w.a)' and '\(w.b)' are already joined by an earlier wan link")
                }
            }
            for (x, y) in [(a, b), (b, a)] {
                adjacency[x].append(WanRoutes.Edge(to: y, link: links.count, gbs: w.gbps / 8, latencySeconds: w.latencyMs / 1000))
                links.append(Link(name: "wan:\(names[x])->\(names[y])", kind: .wan, gbs: w.gbps / 8, latencySeconds: w.latencyMs / 1000))
            }
        }
        return adjacency
    }

    private func checkConnected(routes: [[[Int]?]], measuredSites: [PairKey: Int]) throws {
        var missing: [String] = []
        for s in routes.indices {
            for t in routes.indices where s < t {
                let st = routes[s][t] != nil || measuredSites[PairKey(s, t)] != nil
                let ts = routes[t][s] != nil || measuredSites[PairKey(t, s)] != nil
                if !st || !ts { missing.append("'\(spec.sites[s].name)' and '\(spec.sites[t].name)'") }
            }
        }
        guard !missing.isEmpty else { return }
        let shown = missing.prefix(6).joined(separator: ", ") + (missing.count > 6 ? " and \(missing.count - 6) more pairs" : "")
        throw AmalgamError("cluster '\(spec.name)' is disconnected: no WAN path between \(shown) (add wan links joining them, directly or via a connected site)")
    }

    static func micros(_ seconds: Double) -> String { Chip.format((seconds * 1e9).rounded() / 1e3) }
}

/// Runs `body`, prefixing any `AmalgamError` with `context` so messages say where.
func prefixed<T>(_ context: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as AmalgamError { throw AmalgamError("\(context): \(e.message)") }
}
