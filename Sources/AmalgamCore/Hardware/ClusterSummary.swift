extension Cluster {
    /// One row per node: node, site, group, chip, chips, first_rank.
    public func nodeTable() -> FieldTable {
        FieldTable(columns: ["node", "site", "group", "chip", "chips", "first_rank"], rows: nodes.map { n in
            [.text(n.name), .text(sites[n.site].name), .text(groups[n.group].name),
             .text(groups[n.group].chip.id), .integer(n.chipCount), .integer(n.ranks.lowerBound)]
        })
    }

    /// One row per chip: rank, site, node, group, chip, vendor (in rank order).
    public func chipTable() -> FieldTable {
        var rows: [[FieldValue?]] = []
        rows.reserveCapacity(rankCount)
        for n in nodes {
            let g = groups[n.group]
            let site = FieldValue.text(sites[n.site].name), node = FieldValue.text(n.name)
            let group = FieldValue.text(g.name), chip = FieldValue.text(g.chip.id), vendor = FieldValue.text(g.chip.vendor)
            for r in n.ranks { rows.append([.integer(r), site, node, group, chip, vendor]) }
        }
        return FieldTable(columns: ["rank", "site", "node", "group", "chip", "vendor"], rows: rows)
    }

    /// One row per chip id: chip, vendor, count, total_bf16_tflops, total_mem_gb.
    public func chipTypeTable() -> FieldTable {
        FieldTable(columns: ["chip", "vendor", "count", "total_bf16_tflops", "total_mem_gb"], rows: chipTypeSummary().map {
            [.text($0.chipId), .text($0.vendor), .integer($0.count), .number($0.totalBf16Tflops), .number($0.totalMemGB)]
        })
    }

    /// A one-screen description: totals, each site's groups with their node
    /// design and fabric, WAN links, overrides and the assumptions in force.
    public func summary() -> String {
        var out: [String] = []
        out.append("cluster '\(name)': \(chipCount) chips in \(nodes.count) nodes, \(sites.count) site\(sites.count == 1 ? "" : "s"); \(Self.num(totalBf16Tflops / 1000)) PFLOP/s dense BF16 peak")
        for s in sites {
            let so = s.scaleOut
            var line = "  site \(s.name): \(s.ranks.count) chips, \(s.nodes.count) nodes; scale-out \(so.kind.rawValue)"
            line += ", \(ClusterBuilder.micros(so.effectiveHopLatencySeconds)) µs/link"
            if so.oversubscription != 1 { line += ", oversubscription \(Self.num(so.oversubscription)):1 at node uplinks" }
            if s.mixesVendors {
                line += s.crossVendor.mode == .hostBounce
                    ? "; cross-vendor host bounce \(Self.num(s.crossVendor.gbs)) GB/s, \(ClusterBuilder.micros(s.crossVendor.latencySeconds)) µs"
                    : "; cross-vendor device RDMA"
            }
            out.append(line)
            for g in groups[s.groups] {
                let c = g.chip
                let what = g.name == c.id ? "\(g.ranks.count) chips" : "\(g.ranks.count) x \(c.id)"
                out.append("    \(g.name): \(what) in \(g.nodes.count) node\(g.nodes.count == 1 ? "" : "s") of \(c.chipsPerNode)"
                    + "; \(c.intraTopology.rawValue) \(Self.num(c.intraLinkGBs)) GB/s bidir; NIC \(Self.num(g.nicGbps)) Gb/s"
                    + (g.chipsPerNic > 1 ? " x \(g.nicsPerNode) per node (\(g.chipsPerNic) chips per NIC over PCIe)" : ""))
            }
        }
        out.append("  chip types:")
        for t in chipTypeSummary() {
            out.append("    \(t.chipId): \(t.count) chips, \(Self.num(t.totalBf16Tflops)) TFLOP/s, \(Self.num(t.totalMemGB)) GB")
        }
        if !spec.wan.isEmpty {
            out.append("  WAN (\(spec.wanRouting.rawValue)):")
            for w in spec.wan {
                out.append("    \(w.a) <-> \(w.b): \(Self.num(w.gbps)) Gb/s, \(Self.num(w.latencyMs)) ms")
            }
        }
        let overrides = spec.measured.count + spec.matrices.count
        if overrides > 0 { out.append("  measured overrides: \(spec.measured.count) connect, \(spec.matrices.count) matrices") }
        if !spec.collectiveCurves.isEmpty {
            out.append("  measured collectives:")
            for m in spec.collectiveCurves {
                out.append("    \(m.curve.collective.rawValue) over \(m.ranks.count) ranks: \(m.curve.points.count) sizes, "
                           + "\(Self.num(m.curve.minBytes))...\(Self.num(m.curve.maxBytes)) bytes, \(m.placement.rawValue)"
                           + (m.source.map { " (\($0))" } ?? ""))
            }
        }
        if !assumptions.isEmpty {
            out.append("  assumptions:")
            out.append(contentsOf: assumptions.map { "    - \($0)" })
        }
        return out.joined(separator: "\n")
    }

    /// Compact number text: integers without ".0", others rounded to 3 decimals.
    static func num(_ x: Double) -> String {
        if x.isFinite && x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        let scaled = (x * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
