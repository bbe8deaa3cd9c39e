/// NCCL's double binary tree all-reduce (Sanders, Speck & Träff 2009; NCCL 2.4):
/// two complementary binary trees each reduce-and-broadcast half of the data, so
/// every rank is a leaf in at least one tree and its links are used by both halves.
/// The trees span the ranks directly (not node-aware); NCCL builds them over nodes
/// with a chain inside each node, which is `nccl_tree` (`NcclTree`, reusing `trees`).
enum DoubleBinaryTree {
    /// NCCL's `ncclGetBtree` parent rule (src/graph/trees.cc), root 0: with `bit`
    /// the lowest set bit of `rank`, the parent is `(rank ^ bit) | (bit << 1)`, or
    /// `rank ^ bit` when that is out of range. The lowest set bit strictly grows
    /// toward the root, so this is always a tree.
    static func btreeParent(rank: Int, rankCount p: Int) -> Int {
        guard rank > 0 else { return -1 }
        let bit = rank & -rank
        let up = (rank ^ bit) | (bit << 1)
        return up < p ? up : rank ^ bit
    }

    /// The two trees as parent arrays: the btree, and for the second tree NCCL's
    /// mirror (`p-1-rank`, even `p`) or shift (`rank+1`, odd `p`) of it.
    static func trees(rankCount p: Int) -> (RootedTree, RootedTree) {
        var first = [Int32](repeating: -1, count: p), second = [Int32](repeating: -1, count: p)
        for r in 0..<p {
            first[r] = Int32(btreeParent(rank: r, rankCount: p))
            if p % 2 == 0 {
                let u = btreeParent(rank: p - 1 - r, rankCount: p)
                second[r] = u < 0 ? -1 : Int32(p - 1 - u)
            } else {
                let u = btreeParent(rank: (r - 1 + p) % p, rankCount: p)
                second[r] = u < 0 ? -1 : Int32((u + 1) % p)
            }
        }
        return (RootedTree(parent: first)!, RootedTree(parent: second)!)
    }

    /// All-reduce: the first half of the data on the first tree, the second half on
    /// the second, each pipelined in `pipelineChunks` chunks.
    static func allReduce(_ r: CollectiveRequest) throws -> Schedule {
        let p = r.rankCount
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: p, elementCount: r.elementCount)
        guard r.elementCount > 0 && p > 1 else { return try b.finish() }
        let k = try r.chunks()
        let (t1, t2) = trees(rankCount: p)
        let mid = r.elementCount / 2
        TreePhases.allReduce(&b, t1, lo: 0, hi: mid, k: k)
        TreePhases.allReduce(&b, t2, lo: mid, hi: r.elementCount, k: k)
        return try b.finish()
    }
}
