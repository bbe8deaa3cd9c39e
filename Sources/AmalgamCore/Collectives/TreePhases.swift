/// Pipelined reduce-up and broadcast-down along any rooted spanning tree, shared by
/// the double binary tree, binary tree and Blink tree-packing schedules.
///
/// A tree is a parent array (`-1` at the root). The data range is cut into `k`
/// chunks that flow independently, so different tree levels work on different
/// chunks at once (the NCCL tree pipeline).
struct RootedTree {
    /// Parent of every rank, -1 for the root.
    let parent: [Int32]
    let root: Int
    /// Ranks in breadth-first order from the root (children in rank order).
    let bfs: [Int]
    /// Children of every rank, in rank order.
    let children: [[Int]]

    /// Builds the tree; returns nil unless `parent` describes exactly one tree
    /// spanning all ranks.
    init?(parent: [Int32]) {
        let p = parent.count
        var kids = Array(repeating: [Int](), count: p)
        var roots: [Int] = []
        for v in 0..<p {
            let u = Int(parent[v])
            if u < 0 { roots.append(v) } else if u < p && u != v { kids[u].append(v) } else { return nil }
        }
        guard roots.count == 1 else { return nil }
        var order = [roots[0]], i = 0
        while i < order.count { order.append(contentsOf: kids[order[i]]); i += 1 }
        guard order.count == p else { return nil }   // a cycle leaves ranks unreached
        self.parent = parent; self.root = roots[0]; self.bfs = order; self.children = kids
    }

    /// Depth of the deepest rank (0 for a single rank).
    var height: Int {
        var depth = [Int](repeating: 0, count: parent.count), h = 0
        for v in bfs where parent[v] >= 0 { depth[v] = depth[Int(parent[v])] + 1; h = max(h, depth[v]) }
        return h
    }

    /// The heap-shaped binary tree over ranks relative to `root`: relative rank `i`
    /// has parent `(i-1)/2`.
    static func binaryHeap(rankCount p: Int, root: Int) -> RootedTree {
        var parent = [Int32](repeating: -1, count: p)
        for i in 1..<max(1, p) { parent[(root + i) % p] = Int32((root + (i - 1) / 2) % p) }
        return RootedTree(parent: parent)!
    }
}

enum TreePhases {
    /// Reduce chunk by chunk toward the root: a rank sends chunk `c` to its parent
    /// once every child's chunk `c` has been summed into it. Returns, per chunk,
    /// the receives into the root (after which the root holds the full sum).
    static func reduceUp(_ b: inout ScheduleBuilder, _ t: RootedTree, chunks: [Int32]) -> [[Int32]] {
        let p = t.parent.count
        var intoRoot: [[Int32]] = []
        var received = Array(repeating: [Int32](), count: p)
        for c in chunks.indices {
            for v in t.bfs { received[v].removeAll(keepingCapacity: true) }
            for v in t.bfs.reversed() where v != t.root {
                let u = Int(t.parent[v])
                received[u].append(b.add(Int32(v), Int32(u), chunks[c], chunks[c], .reduce, after: received[v]))
            }
            intoRoot.append(received[t.root])
        }
        return intoRoot
    }

    /// Broadcast chunk by chunk from the root: a rank forwards chunk `c` to its
    /// children once it has it (root: once `ready[c]` have landed).
    static func broadcastDown(_ b: inout ScheduleBuilder, _ t: RootedTree, chunks: [Int32], ready: [[Int32]]) {
        let p = t.parent.count
        var got = [Int32](repeating: -1, count: p)
        for c in chunks.indices {
            for v in t.bfs {
                for w in t.children[v] {
                    let t0 = v == t.root ? b.add(Int32(v), Int32(w), chunks[c], chunks[c], .copy, after: ready[c])
                                         : b.add(Int32(v), Int32(w), chunks[c], chunks[c], .copy, after: got[v])
                    got[w] = t0
                }
            }
        }
    }

    /// Tree all-reduce of `[lo, hi)` in `k` pipelined chunks: reduce up, broadcast down.
    static func allReduce(_ b: inout ScheduleBuilder, _ t: RootedTree, lo: Int, hi: Int, k: Int) {
        guard hi > lo && t.parent.count > 1 else { return }
        let chunks = Chunking.segments(&b, Chunking.even(lo, hi, max(1, min(k, hi - lo))))
        let ready = reduceUp(&b, t, chunks: chunks)
        broadcastDown(&b, t, chunks: chunks, ready: ready)
    }
}

/// Single binary tree collectives: broadcast, reduce and all-reduce on the heap tree
/// rooted at the request's root, pipelined in `pipelineChunks` chunks.
enum BinaryTreeAlgorithm {
    static func build(_ r: CollectiveRequest) throws -> Schedule {
        let p = r.rankCount
        var b = ScheduleBuilder(collective: r.collective, algorithm: r.algorithm, rankCount: p, elementCount: r.elementCount, root: r.root)
        guard r.elementCount > 0 && p > 1 else { return try b.finish() }
        let tree = RootedTree.binaryHeap(rankCount: p, root: r.root)
        let k = min(try r.chunks(), r.elementCount)
        switch r.collective {
        case .broadcast:
            let chunks = Chunking.segments(&b, Chunking.even(0, r.elementCount, k))
            TreePhases.broadcastDown(&b, tree, chunks: chunks, ready: Array(repeating: [], count: k))
        case .reduce:
            let chunks = Chunking.segments(&b, Chunking.even(0, r.elementCount, k))
            _ = TreePhases.reduceUp(&b, tree, chunks: chunks)
        default:
            TreePhases.allReduce(&b, tree, lo: 0, hi: r.elementCount, k: k)
        }
        return try b.finish()
    }
}
