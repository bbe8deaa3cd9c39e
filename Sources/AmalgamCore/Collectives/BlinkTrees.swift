/// Spanning-tree packing for mixed links, after Blink (Wang et al., "Blink: Fast
/// and Generic Collectives for Distributed ML", MLSys 2020): pack several spanning
/// trees, each rooted at a different rank where possible, give each a share of the
/// data proportional to its rate, and all-reduce each share by reduce-up plus
/// broadcast-down along its tree.
///
/// Packing here is greedy, a simplification of Blink's multiplicative-weights
/// packing: repeatedly take a maximum-bottleneck spanning tree (Kruskal on the
/// remaining capacities, heaviest first), give it its bottleneck rate, subtract
/// that rate from its links (each tree uses a link once per direction: up for the
/// reduce, down for the broadcast), until no spanning tree with capacity is left or
/// `maxTrees` are packed.
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

    /// Greedy packing (see the type's comment). Throws if the links do not connect all ranks.
    static func pack(capacity: [[Double]], maxTrees: Int) throws -> [PackedTree] {
        let p = capacity.count
        var cap = capacity
        var packed: [PackedTree] = []
        var usedRoots = Set<Int>()
        let scale = capacity.joined().max() ?? 0
        while packed.count < maxTrees {
            var edges: [(Double, Int, Int)] = []
            for a in 0..<p { for b in (a + 1)..<max(a + 1, p) where cap[a][b] > scale * 1e-9 { edges.append((cap[a][b], a, b)) } }
            edges.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2) }
            var comp = Array(0..<p)
            func find(_ x: Int) -> Int { var x = x; while comp[x] != x { comp[x] = comp[comp[x]]; x = comp[x] }; return x }
            var adjacency = Array(repeating: [Int](), count: p)
            var bottleneck = Double.infinity, joined = 0
            var treeEdges: [(Int, Int)] = []
            for (c, a, b) in edges where joined < p - 1 {
                let ra = find(a), rb = find(b)
                if ra == rb { continue }
                comp[ra] = rb; joined += 1
                adjacency[a].append(b); adjacency[b].append(a)
                treeEdges.append((a, b)); bottleneck = min(bottleneck, c)
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

    /// The rank from which the tree is shallowest, preferring ranks not yet used as
    /// a root (spreads the root's extra work), then the lowest rank.
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
            if key.0 < best.0 || (key.0 == best.0 && !key.1 && best.1) { best = key }
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
