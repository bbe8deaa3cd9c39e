import XCTest
@testable import AmalgamCore

/// Core pieces the Lua binding relies on: per-chip rows, adding node groups by
/// site name, fabric kind names, measured-link lists, the chip summary line.
final class HardwareScriptSupportTests: XCTestCase {
    func testChipTableListsEveryRankInOrder() throws {
        let c = try HardwareClusterTests.mixedSpec().compile()
        let t = c.chipTable()
        XCTAssertEqual(t.columns, ["rank", "site", "node", "group", "chip", "vendor"])
        XCTAssertEqual(t.rows.count, 448)
        XCTAssertEqual(t.rows.map { $0[0] }, (0..<448).map { .integer($0) })
        // Rank 64 is the first H20 (after 64 A100), rank 192 the first Ascend (64 + 128).
        XCTAssertEqual(t.rows[64], [.integer(64), .text("beijing"), .text("beijing/nvidia_h20/n0"), .text("nvidia_h20"), .text("nvidia_h20"), .text("NVIDIA")])
        XCTAssertEqual(t.rows[192][2], .text("guiyang/huawei_ascend_910b2/n0"))
        XCTAssertEqual(t.rows[447][2], .text("guiyang/huawei_ascend_910b2/n31"))  // 256 / 8 = 32 nodes
        XCTAssertEqual(c.chipTypeTable().columns, ["chip", "vendor", "count", "total_bf16_tflops", "total_mem_gb"])
    }

    func testAddNodesBySiteName() throws {
        var spec = HardwareClusterTests.mixedSpec()
        try spec.addNodes(NodeGroupSpec("nvidia_h20", chips: 8, name: "extra"), toSite: "guiyang")
        let c = try spec.compile()
        XCTAssertEqual(c.chipCount, 456)
        XCTAssertEqual(c.groupIndex(named: "guiyang/extra"), 3)
        XCTAssertThrowsError(try spec.addNodes(NodeGroupSpec("nvidia_h20", chips: 8), toSite: "guiyan")) { e in
            XCTAssertEqual((e as? AmalgamError)?.message, "unknown site 'guiyan' (did you mean 'guiyang'?)")
        }
    }

    func testFabricKindNames() throws {
        XCTAssertEqual(try FabricKind.named("ib"), .infiniband)
        XCTAssertEqual(try FabricKind.named("infiniband"), .infiniband)
        XCTAssertEqual(try FabricKind.named("roce"), .roce)
        XCTAssertEqual(try FabricKind.named("ethernet"), .ethernet)
        XCTAssertThrowsError(try FabricKind.named("myrinet")) { e in
            XCTAssertTrue((e as? AmalgamError)?.message.hasPrefix("unknown fabric kind 'myrinet'") ?? false)
        }
    }

    func testMatrixFromPairsMirrorsOneWayRowsAndRequiresEveryPair() throws {
        let m = try NodeMatrixSpec(pairs: [
            NodePairMeasurement(from: "a", to: "b", gbs: 10, latencySeconds: 1),
            NodePairMeasurement(from: "b", to: "a", gbs: 11, latencySeconds: 2),
            NodePairMeasurement(from: "c", to: "a", gbs: 12, latencySeconds: 3),
            NodePairMeasurement(from: "b", to: "c", gbs: 13, latencySeconds: 4),
        ])
        XCTAssertEqual(m.nodeNames, ["a", "b", "c"])  // order of first appearance
        XCTAssertEqual(m.gbs, [[0, 10, 12], [11, 0, 13], [12, 13, 0]])
        XCTAssertEqual(m.latencySeconds, [[0, 1, 3], [2, 0, 4], [3, 4, 0]])

        func message(_ pairs: [NodePairMeasurement]) -> String? {
            do { _ = try NodeMatrixSpec(pairs: pairs); return nil } catch { return (error as? AmalgamError)?.message }
        }
        XCTAssertEqual(message([]), "measured links: no rows (expected one row per node pair)")
        XCTAssertEqual(message([NodePairMeasurement(from: "a", to: "a", gbs: 1, latencySeconds: 0)]),
                       "measured links row 1: from and to are the same node 'a'")
        XCTAssertEqual(message([NodePairMeasurement(from: "a", to: "b", gbs: 1, latencySeconds: 0),
                                NodePairMeasurement(from: "a", to: "b", gbs: 2, latencySeconds: 0)]),
                       "measured links row 2: a -> b was already given in row 1")
        XCTAssertEqual(message([NodePairMeasurement(from: "a", to: "b", gbs: 1, latencySeconds: 0),
                                NodePairMeasurement(from: "b", to: "c", gbs: 1, latencySeconds: 0)]),
                       "measured links: no row between 'a' and 'c' (give every pair of the nodes listed, at least one direction)")
    }

    func testMatrixFromPairsOverridesRoutes() throws {
        var spec = HardwareClusterTests.mixedSpec()
        spec.matrices.append(try NodeMatrixSpec(pairs: [
            NodePairMeasurement(from: "beijing/nvidia_h20/n0", to: "guiyang/huawei_ascend_910b2/n3", gbs: 2.5, latencySeconds: 0.02),
        ]))
        let c = try spec.compile()
        // First H20 is rank 64; node n3 of guiyang starts at 192 + 3 * 8 = 216.
        let there = try c.path(from: 64, to: 216), back = try c.path(from: 216, to: 64)
        XCTAssertEqual(there.gbs, 2.5); XCTAssertEqual(there.latencySeconds, 0.02)
        XCTAssertEqual(back.gbs, 2.5)  // mirrored
        XCTAssertEqual(try c.path(from: 65, to: 224).gbs, 25)  // other nodes: derived, NIC-bound (200 Gb/s)
    }

    func testSummaryLine() throws {
        let line = try ChipCatalog.chip("nvidia_a100_sxm4_80g").summaryLine
        XCTAssertEqual(line, "nvidia_a100_sxm4_80g (NVIDIA A100 SXM4 80GB): 312 TFLOP/s bf16, 80 GB at 2039 GB/s, switch 600 GB/s x8, NIC 200 Gb/s")
        var c = try ChipCatalog.chip("nvidia_h20")
        c.nicGbps = nil
        XCTAssertTrue(c.summaryLine.hasSuffix("NIC unknown"))
    }
}
