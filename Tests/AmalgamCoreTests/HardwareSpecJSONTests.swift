import XCTest
@testable import AmalgamCore

/// Cluster specifications survive JSON text round trips, custom chips included.
final class HardwareSpecJSONTests: XCTestCase {
    func testRoundTripWithCustomChipAndOverrides() throws {
        var spec = HardwareClusterTests.mixedSpec()
        let npu = try Chip.custom(fields: ["id": .text("my_npu"), "vendor": .text("Acme"), "bf16_tflops": .number(400),
                                           "mem_gb": .number(64), "mem_bw_gbs": .number(1600), "intra_link_gbs": .number(300),
                                           "intra_topology": .text("ring"), "nic_gbps": .number(200)])
        spec.sites.append(SiteSpec(name: "shenzhen", groups: [NodeGroupSpec(chip: .custom(npu), nodes: 2, name: "npu",
                                                                            intraHopLatencySeconds: 2e-6)],
                                   scaleOut: ScaleOutSpec(kind: .roce, nicGbps: 100, oversubscription: 2),
                                   crossVendor: CrossVendorSpec(mode: .hostBounce, gbs: 8, latencySeconds: 1e-5)))
        spec.wan.append(WanLinkSpec("guiyang", "shenzhen", gbps: 100, latencyMs: 20))
        spec.wanRouting = .widestPath
        spec.connect(.parse("beijing/nvidia_h20"), .parse("beijing/nvidia_a100_sxm4_80g"), gbs: 12, latencySeconds: 1e-5)
        spec.connect(.node(0), .nodeName("shenzhen/npu/n1"), gbs: 1, latencySeconds: 0.05)
        spec.matrices = [NodeMatrixSpec(nodeNames: ["beijing/nvidia_h20/n0", "beijing/nvidia_h20/n1"],
                                        gbs: [[0, 20], [21, 0]], latencySeconds: [[0, 1e-5], [1.5e-5, 0]])]
        let json = try spec.jsonString()
        let back = try ClusterSpec(json: json)
        XCTAssertEqual(back, spec)
        XCTAssertEqual(try back.jsonString(), json, "encoding is deterministic")
        XCTAssertTrue(json.contains("\"my_npu\""))
        let a = try spec.compile(), b = try back.compile()
        XCTAssertEqual(a.links, b.links)
        XCTAssertEqual(a.chipCount, 448 + 16)
        XCTAssertEqual(b.chip(ofRank: 448).id, "my_npu")
        // shenzhen is reached through guiyang.
        XCTAssertEqual(try b.path(from: 8, to: 450).hops.filter { $0.hasPrefix("wan:") }, ["wan:beijing->guiyang", "wan:guiyang->shenzhen"])
    }

    func testBadJsonIsAnAmalgamError() {
        XCTAssertThrowsError(try ClusterSpec(json: "{\"name\": \"x\"}")) { e in
            XCTAssertTrue((e as! AmalgamError).message.hasPrefix("cluster JSON: missing 'sites'"), "\(e)")
        }
        XCTAssertThrowsError(try ClusterSpec(json: "not json")) { e in XCTAssertTrue(e is AmalgamError) }
    }
}
