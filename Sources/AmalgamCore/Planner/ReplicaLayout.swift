/// A tensor-parallel group the planner can place: `tp` consecutive ranks of one node.
public struct TPGroupUnit: Sendable, Equatable {
    /// Cluster ranks, TP order.
    public var ranks: [Int]
    /// The chip type of every rank.
    public var chip: Chip
    /// Node index.
    public var node: Int
    /// Site index (the fast domain the unit sits in).
    public var site: Int
    /// Peak BF16 TFLOP/s of the group.
    public var tflops: Double { Double(ranks.count) * chip.bf16Tflops }
}

/// How the planner turns nodes into pipeline stages.
public enum StageLayout: String, Sendable, CaseIterable {
    /// Stages are contiguous runs of nodes in (site, node group, node) order, each about
    /// 1/pp of the cluster's peak FLOP/s: a stage's replicas stay inside one site, and
    /// usually one chip type, so its DP all-reduce runs on the fast fabric.
    case contiguous
    /// Each site gets stages in proportion to its peak FLOP/s and deals its nodes of
    /// every chip type round-robin over them: stages are alike (mixed chip types, one
    /// site), so the layer split is nearly even and only pipeline hops cross sites.
    case mixed
}

/// Builds TP groups and groups them into stages.
public enum ReplicaLayout {
    /// TP groups of every usable node: node chips split into `tp`-sized groups of
    /// consecutive ranks (chips left over when `tp` does not divide the node, or that are
    /// excluded, are unused). `tpByChip` gives each chip type's degree.
    public static func units(cluster: Cluster, tpByChip: [String: Int], excluded: Set<Int> = []) -> [TPGroupUnit] {
        var out: [TPGroupUnit] = []
        for node in cluster.nodes {
            let chip = cluster.groups[node.group].chip
            guard let tp = tpByChip[chip.id], tp >= 1 else { continue }
            let free = node.ranks.filter { !excluded.contains($0) }
            var i = 0
            while i + tp <= free.count {
                out.append(TPGroupUnit(ranks: Array(free[i..<(i + tp)]), chip: chip, node: node.index, site: node.site))
                i += tp
            }
        }
        return out
    }

    /// Splits `units` (in cluster order) into `pp` non-empty stages; nil when impossible.
    public static func stages(_ units: [TPGroupUnit], pp: Int, layout: StageLayout) -> [[Int]]? {
        guard pp >= 1, units.count >= pp else { return nil }
        switch layout {
        case .contiguous: return contiguous(Array(units.indices), units, pp)
        case .mixed: return mixed(units, pp)
        }
    }

    /// Contiguous chunks of about equal peak FLOP/s (greedy cut at the running target).
    static func contiguous(_ idx: [Int], _ units: [TPGroupUnit], _ pp: Int) -> [[Int]]? {
        guard idx.count >= pp else { return nil }
        let total = idx.reduce(0.0) { $0 + units[$1].tflops }
        var out: [[Int]] = [], cur: [Int] = [], acc = 0.0
        for (k, u) in idx.enumerated() {
            cur.append(u); acc += units[u].tflops
            let left = idx.count - k - 1, stagesLeft = pp - out.count - 1
            if stagesLeft > 0 && (acc >= total * Double(out.count + 1) / Double(pp) - 1e-9 || left == stagesLeft) {
                out.append(cur); cur = []
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out.count == pp && out.allSatisfy { !$0.isEmpty } ? out : nil
    }

    /// Per-site stage counts by largest remainder of FLOP/s share (≥ 1 each when
    /// pp ≥ sites), then round-robin dealing of each chip type's units inside a site.
    static func mixed(_ units: [TPGroupUnit], _ pp: Int) -> [[Int]]? {
        let sites = Array(Set(units.map(\.site))).sorted()
        guard pp >= sites.count else { return contiguous(Array(units.indices), units, pp) }
        let flops = sites.map { s in units.filter { $0.site == s }.reduce(0.0) { $0 + $1.tflops } }
        let total = flops.reduce(0, +)
        let avail = sites.map { s in units.filter { $0.site == s }.count }
        guard avail.reduce(0, +) >= pp else { return nil }
        // Share of pp by FLOP/s, at least 1 and at most the site's units.
        var counts = sites.indices.map { min(avail[$0], max(1, Int((Double(pp) * flops[$0] / total).rounded(.down)))) }
        while counts.reduce(0, +) > pp, let k = counts.indices.filter({ counts[$0] > 1 }).max(by: { counts[$0] < counts[$1] }) { counts[k] -= 1 }
        while counts.reduce(0, +) < pp {
            let open = sites.indices.filter { counts[$0] < avail[$0] }
            guard let k = open.max(by: { Double(pp) * flops[$0] / total - Double(counts[$0]) < Double(pp) * flops[$1] / total - Double(counts[$1]) }) else { return nil }
            counts[k] += 1
        }
        var out: [[Int]] = []
        for (k, site) in sites.enumerated() {
            let mine = units.indices.filter { units[$0].site == site }
            guard mine.count >= counts[k] else { return nil }
            var buckets = [[Int]](repeating: [], count: counts[k])
            var chipOrder: [String] = []
            for u in mine where !chipOrder.contains(units[u].chip.id) { chipOrder.append(units[u].chip.id) }
            var next = 0
            for chip in chipOrder {
                for u in mine where units[u].chip.id == chip {
                    buckets[next % counts[k]].append(u); next += 1
                }
            }
            guard buckets.allSatisfy({ !$0.isEmpty }) else { return nil }
            out += buckets.map { $0.sorted() }
        }
        return out
    }
}
