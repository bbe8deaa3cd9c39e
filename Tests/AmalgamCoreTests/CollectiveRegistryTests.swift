import XCTest
@testable import AmalgamCore

/// Bad input gives an actionable `AmalgamError`; the registry lists what exists.
final class CollectiveRegistryTests: XCTestCase {
    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "" } catch let e as AmalgamError { return e.message } catch { return "not an AmalgamError: \(error)" }
    }

    func testRecursiveDoublingOnTwelveRanks() throws {
        let m = message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "recursive_doubling", rankCount: 12, elementCount: 100) }
        XCTAssertEqual(m, "recursive doubling needs a power-of-two rank count (got 12); use 'rabenseifner', which folds the extra ranks, or set fold_non_power_of_two = true")
        var fold = AlgorithmParameters(); fold.foldNonPowerOfTwo = true
        XCTAssertNoThrow(try CollectiveAlgorithms.schedule(.allReduce, algorithm: "recursive_doubling", rankCount: 12, elementCount: 100, parameters: fold))
        XCTAssertTrue(message { try CollectiveAlgorithms.schedule(.allGather, algorithm: "recursive_doubling", rankCount: 6, elementCount: 10) }
            .contains("power-of-two rank count (got 6)"))
        XCTAssertTrue(message { try CollectiveAlgorithms.schedule(.reduceScatter, algorithm: "recursive_halving", rankCount: 6, elementCount: 10) }
            .contains("use 'ring' or 'direct'"))
    }

    func testUnknownAlgorithmListsValidOnes() {
        let m = message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "rign", rankCount: 4, elementCount: 1) }
        XCTAssertTrue(m.hasPrefix("unknown algorithm 'rign' (did you mean 'ring'"), m)
        for name in ["ring", "bidir_ring", "recursive_doubling", "rabenseifner", "double_binary_tree", "direct",
                     "hierarchical_2d", "multi_ring", "weighted_ring", "blink_trees"] {
            XCTAssertTrue(m.contains(name), "\(name) missing from: \(m)")
        }
        let far = message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "zzzzzzzz", rankCount: 4, elementCount: 1) }
        XCTAssertTrue(far.contains("valid: ring, bidir_ring"), far)
    }

    func testUnsupportedCollective() {
        let m = message { try CollectiveAlgorithms.schedule(.broadcast, algorithm: "rabenseifner", rankCount: 4, elementCount: 1) }
        XCTAssertEqual(m, "algorithm 'rabenseifner' does not implement broadcast (algorithms for broadcast: ring, binary_tree, single_ring)")
    }

    func testBadCountsAndRoot() {
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "ring", rankCount: 4, elementCount: -1) },
                       "element count -1 is out of range 0...\(1 << 40)")
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "ring", rankCount: 0, elementCount: 5) },
                       "rank count 0 is out of range 1...\(1 << 20)")
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "ring", rankCount: -3, elementCount: 5) },
                       "rank count -3 is out of range 1...\(1 << 20)")
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.broadcast, algorithm: "ring", rankCount: 4, elementCount: 5, root: 4) },
                       "root 4 is out of range 0..<4")
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.broadcast, algorithm: "binary_tree", rankCount: 4, elementCount: 5,
                                                                   parameters: AlgorithmParameters(pipelineChunks: 0)) },
                       "pipeline_chunks 0 is out of range 1...65536")
        XCTAssertTrue(message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "ring", rankCount: 1 << 20, elementCount: 5) }
            .contains("transfers (limit"))
    }

    func testRankListsAreChecked() {
        func orders(_ o: [[Int]], _ a: String = "multi_ring") -> String {
            message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: a, rankCount: 4, elementCount: 8,
                                                        parameters: AlgorithmParameters(ringOrders: o)) }
        }
        XCTAssertEqual(orders([[0, 1, 2, 3], [0, 1, 1, 3]]), "ring_orders[2]: rank 1 appears twice")
        XCTAssertEqual(orders([[0, 1, 2, 4]], "ring"), "ring_orders[1]: rank 4 is out of range 0..<4")
        XCTAssertEqual(orders([[0, -1, 2, 3]]), "ring_orders[1]: rank -1 is out of range 0..<4")
        XCTAssertEqual(orders([[0, 1, 2]]), "ring_orders[1] has 3 ranks; it must list each of the 4 ranks once")
        let edges = message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "blink_trees", rankCount: 3, elementCount: 8,
                                                                parameters: AlgorithmParameters(edges: [WeightedEdge(0, 1, gbs: 1), WeightedEdge(1, 7, gbs: 1)])) }
        XCTAssertEqual(edges, "edges[2] joins ranks 1 and 7; ranks must be in 0..<3")
        let disconnected = message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "blink_trees", rankCount: 3, elementCount: 8,
                                                                       parameters: AlgorithmParameters(edges: [WeightedEdge(0, 1, gbs: 1)])) }
        XCTAssertEqual(disconnected, "blink_trees: the links do not connect all ranks (rank 2 cannot reach rank 0)")
    }

    func testParameterErrors() {
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "hierarchical_2d", rankCount: 6, elementCount: 8) },
                       "hierarchical_2d needs node_of_rank (the node of each of the 6 ranks)")
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "hierarchical_2d", rankCount: 6, elementCount: 8,
                                                                   parameters: AlgorithmParameters(nodeOfRank: [0, 0, 0, 0, 1, 1])) },
                       "hierarchical_2d needs the same number of ranks on every node (node 0 has 4, node 1 has 2); use 'ring' or 'rabenseifner'")
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "weighted_ring", rankCount: 3, elementCount: 8,
                                                                   parameters: AlgorithmParameters(rankWeights: [1, 0, 2])) },
                       "rank_weights[2] is 0.0; weights must be positive and finite")
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "weighted_ring", rankCount: 3, elementCount: 8) },
                       "weighted_ring needs rank_weights (one per rank) or link_weights (one per ring link)")
        XCTAssertEqual(message { try CollectiveAlgorithms.schedule(.allReduce, algorithm: "multi_ring", rankCount: 3, elementCount: 8,
                                                                   parameters: AlgorithmParameters(channels: 0)) },
                       "channels 0 is out of range 1...64")
    }

    func testHandWrittenScheduleValidation() {
        XCTAssertEqual(message { try Schedule(collective: .allReduce, rankCount: 2, elementCount: 4,
                                              transfers: [TransferSpec(src: 0, dst: 2, srcStart: 0, length: 1, op: .copy)]) },
                       "transfer 0: dst rank 2 is out of range 0..<2")
        XCTAssertEqual(message { try Schedule(collective: .allReduce, rankCount: 2, elementCount: 4,
                                              transfers: [TransferSpec(src: 0, dst: 1, srcStart: 3, length: 2, op: .copy)]) },
                       "transfer 0: srcStart 3 with length 2 does not fit the 4-element buffer")
        XCTAssertEqual(message { try Schedule(collective: .allReduce, rankCount: 2, elementCount: 4,
                                              transfers: [TransferSpec(src: 0, dst: 1, srcStart: 0, length: 1, op: .copy, after: [0])]) },
                       "transfer 0: dependency 0 must name an earlier transfer (0..<0)")
    }

    func testCollectiveNames() throws {
        XCTAssertEqual(try CollectiveKind.named("allreduce"), .allReduce)
        XCTAssertEqual(try CollectiveKind.named("all_to_all"), .allToAll)
        let m = message { try CollectiveKind.named("alreduce") }
        XCTAssertTrue(m.hasPrefix("unknown collective 'alreduce' (did you mean") && m.contains("'all_reduce'"), m)
    }

    /// Candidates: only what applies, with parameters filled from the hints, and
    /// every candidate builds.
    func testCandidates() throws {
        let plain = CollectiveAlgorithms.candidates(for: .allReduce, rankCount: 12, elementCount: 1000).map(\.algorithm)
        XCTAssertEqual(plain, ["ring", "bidir_ring", "multi_ring", "rabenseifner", "double_binary_tree", "binary_tree"])
        let hints = TopologyHints(nodeOfRank: (0..<16).map { $0 / 8 }, rankWeights: (0..<16).map { $0 < 8 ? 2 : 1 },
                                  bandwidthGBs: (0..<16).map { a in (0..<16).map { b in a == b ? 0 : (a / 8 == b / 8 ? 300 : 25) } },
                                  fullBisection: true)
        let rich = CollectiveAlgorithms.candidates(for: .allReduce, rankCount: 16, elementCount: 1000, hints: hints)
        XCTAssertEqual(rich.map(\.algorithm), ["ring", "bidir_ring", "multi_ring", "recursive_doubling", "rabenseifner",
                                               "double_binary_tree", "binary_tree", "direct", "hierarchical_2d", "weighted_ring", "blink_trees",
                                               "nccl_tree"])
        for r in rich { XCTAssertNoThrow(try CollectiveAlgorithms.schedule(r), r.algorithm) }
        XCTAssertEqual(CollectiveAlgorithms.candidates(for: .allToAll, rankCount: 5, elementCount: 1).map(\.algorithm), ["pairwise"])
        XCTAssertEqual(CollectiveAlgorithms.names(for: .broadcast), ["ring", "binary_tree", "single_ring"])
    }
}
