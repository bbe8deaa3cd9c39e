import XCTest
@testable import AmalgamCore

/// Algorithm-specific properties: tree shapes, weighted-ring balance, tree packing,
/// hierarchical traffic.
final class CollectiveAlgorithmTests: XCTestCase {
    /// NCCL's trees (src/graph/trees.cc comment): for 12 ranks the first tree is
    /// 0 -> 8; 8 -> 4, 10; 4 -> 2, 6; 2 -> 1, 3; 6 -> 5, 7; 10 -> 9, 11, and the
    /// mirrored second tree is rooted at 11.
    func testDoubleBinaryTreeMatchesNCCLDrawing() {
        let (t1, t2) = DoubleBinaryTree.trees(rankCount: 12)
        XCTAssertEqual(t1.parent.map(Int.init), [-1, 2, 4, 2, 8, 6, 4, 6, 0, 10, 8, 10])
        XCTAssertEqual(t2.root, 11)
        XCTAssertEqual(t2.parent[3], 11)   // mirror of 8 -> 0
        XCTAssertEqual(t2.parent[7], 3)    // mirror of 4 -> 8
    }

    /// For every rank count: both trees span all ranks, no rank has more than two
    /// children, and (NCCL's point) every rank is a leaf in at least one tree, so
    /// no rank's links carry both trees' interior traffic.
    func testDoubleBinaryTreeShape() {
        for p in 2...300 {
            let (t1, t2) = DoubleBinaryTree.trees(rankCount: p)
            for t in [t1, t2] {
                XCTAssertEqual(t.bfs.count, p)
                XCTAssertLessThanOrEqual(t.children.map(\.count).max() ?? 0, 2, "p=\(p)")
                XCTAssertLessThanOrEqual(t.height, 2 * (p.bitWidth - p.leadingZeroBitCount), "p=\(p)")
            }
            if p % 2 == 0 {
                for r in 0..<p {
                    XCTAssertTrue(t1.children[r].isEmpty || t2.children[r].isEmpty, "p=\(p) rank \(r) is interior in both trees")
                }
            }
        }
    }

    /// Weighted ring: with no clamping every link carries S - s_q, and
    /// (S - s_q)/B_q equals (p-1)S/sum(B) — the closed form in the type's comment.
    func testWeightedRingBalancesLinks() throws {
        let mild: [Double] = [10, 6, 8, 8, 6]   // sum 38, (p-1)*max = 40 > 38 -> link 0 clamps
        let even: [Double] = [10, 9, 8, 9, 10]  // sum 46, (p-1)*max = 40 <= 46: no clamping
        let (f, t) = WeightedRing.shares(linkWeights: even)
        XCTAssertEqual(t, 4.0 / 46.0, accuracy: 1e-15)
        for q in 0..<5 { XCTAssertEqual(f[q], 1 - 4 * even[q] / 46, accuracy: 1e-15) }
        XCTAssertEqual(f.reduce(0, +), 1, accuracy: 1e-12)
        // Clamped: link 0 owns nothing; the other four share T = 3/sum(6,8,8,6).
        let (fc, tc) = WeightedRing.shares(linkWeights: mild)
        XCTAssertEqual(fc[0], 0)
        XCTAssertEqual(tc, 3.0 / 28.0, accuracy: 1e-15)
        XCTAssertEqual(fc.reduce(0, +), 1, accuracy: 1e-12)
        // In the schedule: reduce-scatter bytes on link q are n - chunk_q, so
        // elements / B_q agree within one element's rounding.
        let n = 46_000
        var params = AlgorithmParameters(); params.linkWeights = even
        let s = try CollectiveAlgorithms.schedule(.allReduce, algorithm: "weighted_ring", rankCount: 5, elementCount: n, parameters: params)
        var forward = [Int](repeating: 0, count: 5), backward = forward
        for i in 0..<s.count {
            let a = Int(s.src[i]), b = Int(s.dst[i])
            if b == (a + 1) % 5 { forward[a] += s.length(of: i) } else { backward[b] += s.length(of: i) }
        }
        for q in 0..<5 {
            XCTAssertEqual(Double(forward[q]) / even[q], 4 * Double(n) / 46, accuracy: 1.0 / even[q])
            XCTAssertEqual(Double(backward[q]) / even[q], 4 * Double(n) / 46, accuracy: 1.0 / even[q], "all-gather runs backwards over the same links")
        }
    }

    /// Equal weights reduce the weighted ring to the plain ring's chunking.
    func testWeightedRingWithEqualWeightsIsRing() throws {
        var params = AlgorithmParameters(); params.rankWeights = [3, 3, 3, 3]
        let w = try CollectiveAlgorithms.schedule(.allReduce, algorithm: "weighted_ring", rankCount: 4, elementCount: 400, parameters: params)
        XCTAssertEqual(w.elementsSent(), [600, 600, 600, 600])
    }

    /// A full mesh of unit links K_p holds floor(p/2) edge-disjoint spanning trees
    /// (Nash-Williams/Tutte: p(p-1)/2 links, p-1 per tree, and K_p meets the
    /// partition condition), e.g. the 4 trees of an 8-GPU NVLink mesh; for p <= 16
    /// the packing finds all of them, each at rate 1, rooted at different ranks.
    /// (Beyond that it may find one fewer; the default max_trees of 4 is unaffected.)
    func testBlinkPacksDisjointTreesInFullMesh() throws {
        for p in 2...16 {
            let cap = (0..<p).map { a in (0..<p).map { b in a == b ? 0.0 : 1.0 } }
            let packed = try BlinkTrees.pack(capacity: cap, maxTrees: 16)
            XCTAssertEqual(packed.map(\.rateGBs), Array(repeating: 1, count: p / 2), "K\(p)")
            XCTAssertEqual(Set(packed.map(\.tree.root)).count, packed.count, "K\(p): distinct roots")
        }
    }

    /// A ring of 4 with unit links plus one chord: every spanning tree needs 3 of
    /// the 5 links, so at most 5/3 total rate; greedy packing takes the first
    /// maximum-bottleneck tree at rate 1 and stops (the rest cannot span).
    func testBlinkFirstTreeIsMaxBottleneck() throws {
        var m = Array(repeating: [Double](repeating: 0, count: 4), count: 4)
        func link(_ a: Int, _ b: Int, _ c: Double) { m[a][b] = c; m[b][a] = c }
        link(0, 1, 4); link(1, 2, 1); link(2, 3, 4); link(3, 0, 2); link(0, 2, 3)
        let packed = try BlinkTrees.pack(capacity: m, maxTrees: 8)
        // Max-bottleneck tree: 0-1 (4), 2-3 (4), 0-2 (3) -> rate 3.
        XCTAssertEqual(packed[0].rateGBs, 3)
        var parentSet = Set<[Int]>()
        for v in 0..<4 where packed[0].tree.parent[v] >= 0 { parentSet.insert([v, Int(packed[0].tree.parent[v])].sorted()) }
        XCTAssertEqual(parentSet, [[0, 1], [2, 3], [0, 2]])
        // Left: 0-1 (1), 2-3 (1), 3-0 (2), 1-2 (1), 0-2 (0): next tree 3-0 (2), then 0-1, 1-2 or 2-3 at 1.
        XCTAssertEqual(packed[1].rateGBs, 1)
    }

    /// Mixed links: two fast islands {0,1}, {2,3} (100 GB/s) joined by 10 GB/s
    /// links 0-2 and 1-3. Every spanning tree must cross between islands, so total
    /// rate is limited to the cross capacity (20); the packing never exceeds any
    /// link's capacity and splits the data by rate.
    func testBlinkRespectsCapacities() throws {
        var m = Array(repeating: [Double](repeating: 0, count: 4), count: 4)
        func link(_ a: Int, _ b: Int, _ c: Double) { m[a][b] = c; m[b][a] = c }
        link(0, 1, 100); link(2, 3, 100); link(0, 2, 10); link(1, 3, 10)
        let packed = try BlinkTrees.pack(capacity: m, maxTrees: 8)
        XCTAssertEqual(packed.map(\.rateGBs).reduce(0, +), 20, accuracy: 1e-9)
        var used = Array(repeating: [Double](repeating: 0, count: 4), count: 4)
        for t in packed {
            for v in 0..<4 where t.tree.parent[v] >= 0 {
                used[v][Int(t.tree.parent[v])] += t.rateGBs; used[Int(t.tree.parent[v])][v] += t.rateGBs
            }
        }
        for a in 0..<4 { for b in 0..<4 { XCTAssertLessThanOrEqual(used[a][b], m[a][b] + 1e-9) } }
        var params = AlgorithmParameters(); params.bandwidthGBs = m; params.pipelineChunks = 1
        let s = try CollectiveAlgorithms.schedule(.allReduce, algorithm: "blink_trees", rankCount: 4, elementCount: 2_000, parameters: params)
        XCTAssertTrue(try ScheduleExecutor.run(s, as: Float.self, pattern: .integers).ok)
    }

    /// Edge lists are equivalent to the matrix.
    func testBlinkEdgeList() throws {
        var params = AlgorithmParameters()
        params.edges = [WeightedEdge(0, 1, gbs: 5), WeightedEdge(1, 2, gbs: 5), WeightedEdge(2, 0, gbs: 5)]
        let s = try CollectiveAlgorithms.schedule(.allReduce, algorithm: "blink_trees", rankCount: 3, elementCount: 99, parameters: params)
        XCTAssertTrue(try ScheduleExecutor.run(s, as: Float.self, pattern: .integers).ok)
    }

    /// Hierarchical 2D on N nodes of G ranks: each rank sends 2(G-1)/G * n inside its
    /// node and 2(N-1)/N * n/G across nodes (n divisible by G*N).
    func testHierarchicalTraffic() throws {
        let g = 4, nodes = 3, p = g * nodes, n = 1_200
        var params = AlgorithmParameters(); params.nodeOfRank = (0..<p).map { $0 / g }
        let s = try CollectiveAlgorithms.schedule(.allReduce, algorithm: "hierarchical_2d", rankCount: p, elementCount: n, parameters: params)
        var intra = [Int](repeating: 0, count: p), inter = intra
        for i in 0..<s.count {
            let a = Int(s.src[i]), b = Int(s.dst[i])
            if a / g == b / g { intra[a] += s.length(of: i) } else { inter[a] += s.length(of: i) }
        }
        XCTAssertEqual(intra, Array(repeating: 2 * (g - 1) * n / g, count: p))
        XCTAssertEqual(inter, Array(repeating: 2 * (nodes - 1) * (n / g) / nodes, count: p))
        XCTAssertEqual(s.stepCount, 2 * (g - 1) + 2 * (nodes - 1))
    }

    /// Multi-ring splits the data: each channel's ring moves 2(p-1)/p of its slice.
    func testMultiRingSplitsData() throws {
        var params = AlgorithmParameters(); params.channels = 4
        let s = try CollectiveAlgorithms.schedule(.allReduce, algorithm: "multi_ring", rankCount: 5, elementCount: 400, parameters: params)
        XCTAssertEqual(s.elementsSent(), Array(repeating: 2 * 4 * 400 / 5, count: 5))
        let b = try CollectiveAlgorithms.schedule(.allReduce, algorithm: "bidir_ring", rankCount: 5, elementCount: 400)
        var forward = 0, backward = 0
        for i in 0..<b.count { if b.dst[i] == (b.src[i] + 1) % 5 { forward += b.length(of: i) } else { backward += b.length(of: i) } }
        XCTAssertEqual(forward, backward, "half the data each way")
    }
}
