import XCTest
@testable import AmalgamCore

/// The mixed cluster of the design notes: 64 A100 80GB + 128 H20 in Beijing,
/// 256 Ascend 910B2 in Guiyang, joined by a 400 Gb/s, 10 ms WAN.
final class HardwareClusterTests: XCTestCase {
    static func mixedSpec() -> ClusterSpec {
        ClusterSpec(name: "mixed", sites: [
            SiteSpec(name: "beijing", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", chips: 64),
                                               NodeGroupSpec("nvidia_h20", chips: 128)]),
            SiteSpec(name: "guiyang", groups: [NodeGroupSpec("huawei_ascend_910b2", chips: 256)]),
        ], wan: [WanLinkSpec("beijing", "guiyang", gbps: 400, latencyMs: 10)])
    }

    func testCountsAndTotals() throws {
        let c = try Self.mixedSpec().compile()
        XCTAssertEqual(c.chipCount, 448)              // 64 + 128 + 256
        XCTAssertEqual(c.rankCount, 448)
        XCTAssertEqual(c.nodes.count, 56)             // 64/8 + 128/8 + 256/8 = 8 + 16 + 32
        XCTAssertEqual(c.sites.map(\.name), ["beijing", "guiyang"])
        let t = c.chipTypeSummary()
        XCTAssertEqual(t.map(\.chipId), ["nvidia_a100_sxm4_80g", "nvidia_h20", "huawei_ascend_910b2"])
        XCTAssertEqual(t.map(\.count), [64, 128, 256])
        XCTAssertEqual(t[0].totalBf16Tflops, 64 * 312)           // 19,968 TFLOP/s
        XCTAssertEqual(t[1].totalBf16Tflops, 128 * 148)          // 18,944
        XCTAssertEqual(t[2].totalBf16Tflops, 256 * 353.9, accuracy: 1e-6) // 90,598.4
        XCTAssertEqual(t[0].totalMemGB, 64 * 80)                 // 5,120 GB
        XCTAssertEqual(t[1].totalMemGB, 128 * 96)                // 12,288 GB
        XCTAssertEqual(t[2].totalMemGB, 256 * 64)                // 16,384 GB
        let expected: Double = 64.0 * 312.0 + 128.0 * 148.0 + 256.0 * 353.9
        XCTAssertEqual(c.totalBf16Tflops, expected, accuracy: 1e-6)
        XCTAssertEqual(c.chipTypeTable().rows.count, 3)
    }

    func testRankNumberingIsSiteNodeChipOrder() throws {
        let c = try Self.mixedSpec().compile()
        // beijing: A100 ranks 0..<64 (nodes 0..<8), H20 64..<192 (nodes 8..<24); guiyang 192..<448.
        XCTAssertEqual(c.chip(ofRank: 63).id, "nvidia_a100_sxm4_80g")
        XCTAssertEqual(c.chip(ofRank: 64).id, "nvidia_h20")
        XCTAssertEqual(c.chip(ofRank: 192).id, "huawei_ascend_910b2")
        XCTAssertEqual(c.node(ofRank: 7), 0)
        XCTAssertEqual(c.node(ofRank: 8), 1)
        XCTAssertEqual(c.node(ofRank: 64), 8)
        XCTAssertEqual(c.node(ofRank: 447), 55)
        XCTAssertEqual(c.site(ofRank: 191), 0)
        XCTAssertEqual(c.site(ofRank: 192), 1)
        XCTAssertEqual(c.nodes[9].name, "beijing/nvidia_h20/n1")
        XCTAssertEqual(c.nodeIndex(named: "guiyang/huawei_ascend_910b2/n31"), 55)
        XCTAssertNil(c.nodeIndex(named: "guiyang/huawei_ascend_910b2/n32"))
        for n in c.nodes { for r in n.ranks { XCTAssertEqual(c.node(ofRank: r), n.index) } }
        XCTAssertEqual(c.nodeTable().rows.count, 56)
    }

    func testRouteOnOneNVSwitchNode() throws {
        let c = try Self.mixedSpec().compile()
        // A100 NVLink3 600 GB/s bidirectional -> 300 GB/s per direction on each
        // switch port; two ports (up from chip 0, down to chip 1) at the assumed
        // 0.5 µs each = 1 µs.
        let p = try c.path(from: 0, to: 1)
        XCTAssertEqual(p.gbs, 300)
        XCTAssertEqual(p.latencySeconds, 1e-6, accuracy: 1e-15)
        XCTAssertEqual(p.hops, ["beijing/nvidia_a100_sxm4_80g/n0/c0->switch", "beijing/nvidia_a100_sxm4_80g/n0/switch->c1"])
        // Non-blocking: 0->1 and 2->3 share no link.
        XCTAssertTrue(Set(c.route(from: 0, to: 1).links).isDisjoint(with: c.route(from: 2, to: 3).links))
        // H20: NVLink 900 -> 450 per direction.
        XCTAssertEqual(c.route(from: 64, to: 65).bottleneckGBs, 450)
    }

    func testRouteBetweenTwoNodesOfOneSite() throws {
        let c = try Self.mixedSpec().compile()
        // Rank 0 (A100 node 0) -> rank 8 (A100 node 1): NIC up 200 Gb/s / 8 = 25 GB/s,
        // node uplink 8 chips x 25 = 200 GB/s (non-blocking), uplink down 200, NIC down 25.
        // Bottleneck 25 GB/s; 4 scale-out links x 0.5 µs (IB default) = 2 µs.
        let p = try c.path(from: 0, to: 8)
        XCTAssertEqual(p.gbs, 25)
        XCTAssertEqual(p.latencySeconds, 4 * 0.5e-6, accuracy: 1e-15)
        XCTAssertEqual(p.hops, ["beijing/nvidia_a100_sxm4_80g/n0/c0/nic_up", "beijing/nvidia_a100_sxm4_80g/n0/uplink_up",
                                "beijing/nvidia_a100_sxm4_80g/n1/uplink_down", "beijing/nvidia_a100_sxm4_80g/n1/c0/nic_down"])
        XCTAssertEqual(c.links[p.links[1]].gbs, 200)
        // A100 -> H20 in the same site (both NVIDIA): the same NIC path; H20 NIC 400 Gb/s = 50 GB/s, so still 25.
        XCTAssertEqual(c.route(from: 0, to: 64).bottleneckGBs, 25)
    }

    func testRouteAcrossTheWan() throws {
        let c = try Self.mixedSpec().compile()
        // Rank 0 (A100) -> rank 192 (910B2): NIC 25 GB/s, uplink 200, WAN 400 Gb/s / 8 = 50 GB/s,
        // uplink 8 x 200/8 = 200, NIC 25. Bottleneck 25 GB/s.
        // Latency: 4 scale-out links x 0.5 µs + 10 ms = 0.010002 s.
        let p = try c.path(from: 0, to: 192)
        XCTAssertEqual(p.gbs, 25)
        XCTAssertEqual(p.latencySeconds, 0.010 + 4 * 0.5e-6, accuracy: 1e-12)
        XCTAssertEqual(p.hops[2], "wan:beijing->guiyang")
        XCTAssertEqual(c.links[p.links[2]].gbs, 50)
        XCTAssertEqual(try c.path(from: 192, to: 0).hops[2], "wan:guiyang->beijing")
        // With 800 Gb/s NICs the 50 GB/s WAN becomes the bottleneck.
        var spec = Self.mixedSpec()
        spec.sites[0].scaleOut.nicGbps = 800
        spec.sites[1].scaleOut.nicGbps = 800
        XCTAssertEqual(try spec.compile().route(from: 0, to: 192).bottleneckGBs, 50)
    }

    func testPartialNodesAndWholeNodeCounts() throws {
        let spec = ClusterSpec(name: "p", sites: [SiteSpec(name: "s", groups: [
            NodeGroupSpec("nvidia_a100_sxm4_80g", chips: 10),     // 8 + 2
            NodeGroupSpec("nvidia_h100_sxm5", nodes: 3),            // 3 x 8 = 24
        ])])
        let c = try spec.compile()
        XCTAssertEqual(c.chipCount, 34)
        XCTAssertEqual(c.nodes.map(\.chipCount), [8, 2, 8, 8, 8])
        // The partial node's uplink carries its 2 NICs: 2 x 25 GB/s.
        let p = try c.path(from: 8, to: 0)
        XCTAssertEqual(c.links[p.links[1]].gbs, 50)
        XCTAssertEqual(try c.path(from: 8, to: 9).gbs, 300)
    }

    func testNoNicFigureUsesDocumentedAssumption() throws {
        let spec = ClusterSpec(name: "k", sites: [SiteSpec(name: "s", groups: [NodeGroupSpec("huawei_ascend_910b4", chips: 16)])])
        let c = try spec.compile()
        // 910B4 has no NIC figure: Chip.assumedNicGbps = 100 Gb/s -> 12.5 GB/s.
        XCTAssertEqual(try c.path(from: 0, to: 8).gbs, 100.0 / 8)
        XCTAssertEqual(c.chip(ofRank: 0).nicGbps, 100)
        XCTAssertNotNil(c.chip(ofRank: 0).assumptions["nic_gbps"])
        XCTAssertTrue(c.assumptions.contains { $0.contains("huawei_ascend_910b4") && $0.contains("100 Gb/s") }, "\(c.assumptions)")
        XCTAssertTrue(c.summary().contains("assumptions:"))
    }

    func testSummaryAndLinkTable() throws {
        let c = try Self.mixedSpec().compile()
        let s = c.summary()
        XCTAssertTrue(s.hasPrefix("cluster 'mixed': 448 chips in 56 nodes, 2 sites"), s)
        XCTAssertTrue(s.contains("beijing <-> guiyang: 400 Gb/s, 10 ms"), s)
        XCTAssertTrue(s.contains("huawei_ascend_910b2: 256 chips"), s)
        XCTAssertLessThan(s.split(separator: "\n").count, 30, "one screen")
        let t = c.linkTable()
        XCTAssertEqual(t.columns, ["name", "kind", "gbs", "latency_s"])
        XCTAssertEqual(t.rows.count, c.links.count)
        // Links: A100/H20 switch ports 2 per chip (192 x 2), 910B2 mesh 8 x 7 per node (32 x 56),
        // NICs 2 per chip (448 x 2), uplinks 2 per node (56 x 2), WAN 2.
        let expectedLinks: Int = 192 * 2 + 32 * 56 + 448 * 2 + 56 * 2 + 2
        XCTAssertEqual(c.links.count, expectedLinks)
    }

    func testPathRejectsOutOfRangeRanks() throws {
        let c = try Self.mixedSpec().compile()
        XCTAssertThrowsError(try c.path(from: 0, to: 448)) { e in
            XCTAssertEqual((e as! AmalgamError).message, "path: rank to = 448 is out of range (cluster 'mixed' has 448 chips, ranks 0...447)")
        }
        XCTAssertThrowsError(try c.path(from: -1, to: 3))
        XCTAssertEqual(try c.path(from: 5, to: 5).hops, [])
    }
}

/// Name lookups the scripting layer uses to turn strings into indices.
final class HardwareClusterLookupTests: XCTestCase {
    func testNameLookups() throws {
        let c = try HardwareClusterTests.mixedSpec().compile()
        XCTAssertEqual(c.siteIndex(named: "guiyang"), 1)
        XCTAssertNil(c.siteIndex(named: "shanghai"))
        XCTAssertEqual(c.groupIndex(named: "beijing/nvidia_h20"), 1)
        XCTAssertEqual(c.groups[1].ranks, 64..<192)
        XCTAssertEqual(c.groups[1].nodes, 8..<24)
        XCTAssertNil(c.groupIndex(named: "guiyang/nvidia_h20"))
        XCTAssertEqual(c.sites[1].ranks, 192..<448)
        XCTAssertEqual(c.sites[0].nodes, 0..<24)
    }
}
