/// Turns measured overrides (`connect` and node matrices) into directed links
/// and the pair tables routing consults before deriving a path.
enum MeasuredLinks {
    /// Measured directed links by (from, to) pair at each level.
    struct Tables {
        var nodes: [PairKey: Int] = [:]
        var groups: [PairKey: Int] = [:]
        var sites: [PairKey: Int] = [:]
    }

    private enum Level: String { case site, group = "node group", node }

    static func add(spec: ClusterSpec, cluster: Cluster, links: inout [Link]) throws -> Tables {
        var t = Tables()
        for (i, m) in spec.measured.enumerated() {
            let ctx = "connect \(i + 1) ('\(m.a)' <-> '\(m.b)')"
            let (la, a) = try prefixed(ctx) { try resolve(m.a, in: cluster) }
            let (lb, b) = try prefixed(ctx) { try resolve(m.b, in: cluster) }
            try prefixed(ctx) {
                guard la == lb else {
                    throw AmalgamError("both ends must be of one kind (site-site, group-group or node-node), got a \(la.rawValue) and a \(lb.rawValue)")
                }
                guard a != b else { throw AmalgamError("the two ends are the same \(la.rawValue)") }
                try Validate.positive(m.gbs, field: "gbs", unit: "GB/s")
                try Validate.nonNegative(m.latencySeconds, field: "latency_s", unit: "s")
            }
            let names = (name(la, a, cluster), name(lb, b, cluster))
            for (x, y, label) in [(a, b, "\(names.0)->\(names.1)"), (b, a, "\(names.1)->\(names.0)")] {
                let key = PairKey(x, y)
                let dup: Bool
                switch la {
                case .site: dup = t.sites.updateValue(links.count, forKey: key) != nil
                case .group: dup = t.groups.updateValue(links.count, forKey: key) != nil
                case .node: dup = t.nodes.updateValue(links.count, forKey: key) != nil
                }
                if dup { throw AmalgamError("\(ctx): a measured link \(label) was already given") }
                links.append(Link(name: "measured:\(label)", kind: .measured, gbs: m.gbs, latencySeconds: m.latencySeconds))
            }
        }
        for (mi, matrix) in spec.matrices.enumerated() {
            try addMatrix(matrix, label: "matrix \(mi + 1)", cluster: cluster, links: &links, into: &t.nodes)
        }
        return t
    }

    private static func addMatrix(_ m: NodeMatrixSpec, label: String, cluster: Cluster, links: inout [Link],
                                  into table: inout [PairKey: Int]) throws {
        let n = m.nodeNames.count
        if n == 0 { throw AmalgamError("\(label): no node names") }
        for (what, rows) in [("gbs", m.gbs), ("latency_s", m.latencySeconds)] {
            guard rows.count == n else {
                throw AmalgamError("\(label): \(what) must be \(n)x\(n) (one row and column per node name), got \(rows.count) rows")
            }
            for (r, row) in rows.enumerated() where row.count != n {
                throw AmalgamError("\(label): \(what) row \(r + 1) has \(row.count) entries, expected \(n)")
            }
        }
        var index: [Int] = []
        var seen: Set<Int> = []
        for name in m.nodeNames {
            let (_, i) = try prefixed(label) { try resolve(.nodeName(name), in: cluster) }
            if !seen.insert(i).inserted { throw AmalgamError("\(label): node '\(name)' is listed twice") }
            index.append(i)
        }
        for r in 0..<n {
            for c in 0..<n where r != c {
                let cell = "\(label) [\(m.nodeNames[r]) -> \(m.nodeNames[c])]"
                try prefixed(cell) {
                    try Validate.positive(m.gbs[r][c], field: "gbs", unit: "GB/s")
                    try Validate.nonNegative(m.latencySeconds[r][c], field: "latency_s", unit: "s")
                }
                if table.updateValue(links.count, forKey: PairKey(index[r], index[c])) != nil {
                    throw AmalgamError("\(cell): this node pair already has a measured link (from a connect or an earlier matrix)")
                }
                links.append(Link(name: "measured:\(m.nodeNames[r])->\(m.nodeNames[c])", kind: .measured,
                                  gbs: m.gbs[r][c], latencySeconds: m.latencySeconds[r][c]))
            }
        }
    }

    /// The index of the node called `name`; unknown names throw as in `connect`.
    static func nodeIndex(named name: String, in c: Cluster) throws -> Int {
        try resolve(.nodeName(name), in: c).1
    }

    private static func resolve(_ e: Endpoint, in c: Cluster) throws -> (Level, Int) {
        switch e {
        case .site(let s):
            guard let i = c.siteIndex[s] else { throw AmalgamError.unknown("site", s, among: c.sites.map(\.name)) }
            return (.site, i)
        case .group(let s, let g):
            guard let si = c.siteIndex[s] else { throw AmalgamError.unknown("site", s, among: c.sites.map(\.name)) }
            guard let i = c.groupIndex["\(s)/\(g)"] else {
                let names = c.groups[c.sites[si].groups].map(\.name)
                throw AmalgamError("site '\(s)': " + AmalgamError.unknown("node group", g, among: names).message)
            }
            return (.group, i)
        case .node(let i):
            guard i >= 0, i < c.nodes.count else {
                throw AmalgamError("node index \(i) is out of range (cluster has \(c.nodes.count) nodes, 0...\(c.nodes.count - 1))")
            }
            return (.node, i)
        case .nodeName(let name):
            if let i = c.nodeIndex(named: name) { return (.node, i) }
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 3 {
                let (_, g) = try resolve(.group(site: String(parts[0]), group: String(parts[1])), in: c)
                throw AmalgamError("unknown node '\(name)' (group '\(parts[0])/\(parts[1])' has nodes n0...n\(c.groups[g].nodes.count - 1))")
            }
            throw AmalgamError("unknown node '\(name)' (node names look like 'site/group/n0')")
        }
    }

    private static func name(_ level: Level, _ i: Int, _ c: Cluster) -> String {
        switch level {
        case .site: return c.sites[i].name
        case .group: return "\(c.sites[c.groups[i].site].name)/\(c.groups[i].name)"
        case .node: return c.nodes[i].name
        }
    }
}
