/// Spanning-tree packing for mixed links, after Blink (Wang et al., "Blink: Fast
/// and Generic Collectives for Distributed ML", MLSys 2020): pack several spanning
/// trees, each rooted at a different rank where possible, give each a share of the
/// data proportional to its rate, and all-reduce each share by reduce-up plus
/// broadcast-down along its tree.
///
/// Packing here is greedy, a simplification of Blink's multiplicative-weights
/// packing: repeatedly take a maximum-bottleneck spanning tree (Kruskal on the
/// remaining capacities, heaviest first, ties broken toward ranks with capacity
/// to spare), give it its bottleneck rate, subtract that rate from its links (each
/// tree uses a link once per direction: up for the reduce, down for the
/// broadcast), until no spanning tree with capacity is left or `maxTrees` are
/// packed. It is not optimal in general (Blink's packing is within (1-eps) of the
/// optimum); tests pin it on cases with known optima.
enum BlinkTrees {
    struct PackedTree { let tree: RootedTree; let rateGBs: Double }

    /// Symmetric capacity matrix from the parameters (a link's usable rate is the
    /// smaller of its two directions).
    static func capacities(_ r: CollectiveRequest) throws -> [[Double]] {
        let p = r.rankCount
        var cap = Array(repeating: [Double](repeating: 0, count: p), count: p)
        if let m = r.parameters.bandwidthGBs {
            guard m.count == p, m.allSatisfy({ $0.count == p }) else {
                throw AmalgamError("bandwidth_gbs must be a \(p)x\(p) matrix (got \(m.count) rows)")
            }
            for a in 0..<p {
                for b in 0..<p where a != b {
                    guard m[a][b].isFinite && m[a][b] >= 0 else {
                        throw AmalgamError("bandwidth_gbs[\(a + 1)][\(b + 1)] is \(m[a][b]); bandwidths must be finite and 0 or more")
                    }
                    cap[a][b] = min(m[a][b], m[b][a])
                }
            }
        } else if let edges = r.parameters.edges {
            for (i, e) in edges.enumerated() {
                guard e.a >= 0 && e.a < p && e.b >= 0 && e.b < p else {
                    throw AmalgamError("edges[\(i + 1)] joins ranks \(e.a) and \(e.b); ranks must be in 0..<\(p)")
                }
                guard e.a != e.b else { throw AmalgamError("edges[\(i + 1)] joins rank \(e.a) to itself") }
                guard e.gbs.isFinite && e.gbs > 0 else {
                    throw AmalgamError("edges[\(i + 1)] has gbs \(e.gbs); it must be positive and finite")
                }
                cap[e.a][e.b] += e.gbs; cap[e.b][e.a] += e.gbs
            }
        } else {
            throw AmalgamError("blink_trees needs bandwidth_gbs (a rank x rank matrix) or edges")
        }
        return cap
    }

    /// How Kruskal breaks ties among equally heavy links.
    enum TieBreak: CaseIterable {
        /// Links between ranks with the most capacity left.
        case spareCapacity
        /// Links between ranks with the fewest links in this tree so far.
        case lowDegree
        /// Low degree first, then spare capacity.
        case lowDegreeThenSpare

        func key(left: [Double], degree: [Int], _ a: Int, _ b: Int) -> (Double, Double) {
            switch self {
            case .spareCapacity: return (min(left[a], left[b]), 0)
            case .lowDegree: return (-Double(max(degree[a], degree[b])), -Double(degree[a] + degree[b]))
            case .lowDegreeThenSpare: return (-Double(max(degree[a], degree[b])), min(left[a], left[b]))
            }
        }
    }

    /// Greedy packing (see the type's comment) with each tie-break rule; keeps the
    /// packing with the highest total rate (earliest rule on ties). No single rule
    /// finds all floor(p/2) disjoint trees of every full mesh K_p up to p = 16, the
    /// three together do. Throws if the links do not connect all ranks.
    static func pack(capacity: [[Double]], maxTrees: Int) throws -> [PackedTree] {
        var best: [PackedTree] = []
        var bestRate = -1.0
        for rule in TieBreak.allCases {
            let packed = try packOnce(capacity: capacity, maxTrees: maxTrees, rule: rule)
            let rate = packed.reduce(0) { $0 + $1.rateGBs }
            if rate > bestRate * (1 + 1e-12) { best = packed; bestRate = rate }
        }
        return best
    }

    static func packOnce(capacity: [[Double]], maxTrees: Int, rule: TieBreak) throws -> [PackedTree] {
        let p = capacity.count
        var cap = capacity
        var packed: [PackedTree] = []
        var usedRoots = Set<Int>()
        let scale = capacity.joined().max() ?? 0
        while packed.count < maxTrees {
            // Kruskal, heaviest first, so the tree has the largest possible
            // bottleneck. Among equally heavy candidates the tie-break rule steers
            // away from draining one rank's links (a star), which would leave no
            // spanning tree for the next.
            var edges: [(Double, Int, Int)] = []
            var left = [Double](repeating: 0, count: p)
            for a in 0..<p {
                for b in (a + 1)..<max(a + 1, p) where cap[a][b] > scale * 1e-9 {
                    edges.append((cap[a][b], a, b)); left[a] += cap[a][b]; left[b] += cap[a][b]
                }
            }
            edges.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2) }
            var comp = Array(0..<p)
            func find(_ x: Int) -> Int { var x = x; while comp[x] != x { comp[x] = comp[comp[x]]; x = comp[x] }; return x }
            var adjacency = Array(repeating: [Int](), count: p)
            var degree = [Int](repeating: 0, count: p)
            var bottleneck = Double.infinity, joined = 0
            var treeEdges: [(Int, Int)] = []
            var tier = 0
            while joined < p - 1 && tier < edges.count {
                // The tier of equally heavy edges starting at `tier`.
                var end = tier
                while end < edges.count && edges[end].0 == edges[tier].0 { end += 1 }
                while joined < p - 1 {
                    var best = -1, bestKey = (-Double.infinity, -Double.infinity)
                    for i in tier..<end {
                        let (_, a, b) = edges[i]
                        if find(a) == find(b) { continue }
                        let key = rule.key(left: left, degree: degree, a, b)
                        if key > bestKey { bestKey = key; best = i }
                    }
                    guard best >= 0 else { break }
                    let (c, a, b) = edges[best]
                    comp[find(a)] = find(b); joined += 1
                    adjacency[a].append(b); adjacency[b].append(a)
                    treeEdges.append((a, b)); bottleneck = min(bottleneck, c)
                    left[a] -= c; left[b] -= c; degree[a] += 1; degree[b] += 1
                }
                tier = end
            }
            if joined < p - 1 {
                if packed.isEmpty {
                    let unreached = (0..<p).first { find($0) != find(0) } ?? 0
                    throw AmalgamError("blink_trees: the links do not connect all ranks (rank \(unreached) cannot reach rank 0)")
                }
                break
            }
            let root = centre(adjacency, avoiding: usedRoots)
            usedRoots.insert(root)
            packed.append(PackedTree(tree: rooted(adjacency, root: root), rateGBs: p > 1 ? bottleneck : 1))
            if p == 1 { break }
            for (a, b) in treeEdges { cap[a][b] -= bottleneck; cap[b][a] -= bottleneck }
        }
        return packed
    }

    /// A rank not yet used as a root if any (spreads the root's extra work), and
    /// among those the one from which the tree is shallowest, then the lowest.
    static func centre(_ adjacency: [[Int]], avoiding used: Set<Int>) -> Int {
        let p = adjacency.count
        var best = (Int.max, true, 0)
        for r in 0..<p {
            var depth = [Int](repeating: -1, count: p), queue = [r], i = 0, h = 0
            depth[r] = 0
            while i < queue.count {
                let v = queue[i]; i += 1; h = max(h, depth[v])
                for w in adjacency[v] where depth[w] < 0 { depth[w] = depth[v] + 1; queue.append(w) }
            }
            let key = (h, used.contains(r), r)
            if (!key.1 && best.1) || (key.1 == best.1 && key.0 < best.0) { best = key }
        }
        return best.2
    }

    static func rooted(_ adjacency: [[Int]], root: Int) -> RootedTree {
        var parent = [Int32](repeating: -1, count: adjacency.count), seen = [Bool](repeating: false, count: adjacency.count)
        var queue = [root], i = 0
        seen[root] = true
        while i < queue.count {
            let v = queue[i]; i += 1
            for w in adjacency[v].sorted() where !seen[w] { seen[w] = true; parent[w] = Int32(v); queue.append(w) }
        }
        return RootedTree(parent: parent)!
    }

    static func allReduce(_ r: CollectiveRequest) throws -> Schedule {
        let maxTrees = r.parameters.maxTrees ?? 4
        guard maxTrees >= 1 && maxTrees <= 64 else { throw AmalgamError("max_trees \(maxTrees) is out of range 1...64") }
        let k = try r.chunks()
        let packed = try pack(capacity: try capacities(r), maxTrees: maxTrees)
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 && r.rankCount > 1 else { return try b.finish() }
        let bounds = Chunking.weighted(0, r.elementCount, packed.map(\.rateGBs))
        for (i, t) in packed.enumerated() {
            TreePhases.allReduce(&b, t.tree, lo: bounds[i], hi: bounds[i + 1], k: k)
        }
        return try b.finish()
    }
}
