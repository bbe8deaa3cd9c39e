import XCTest
@testable import AmalgamCore

/// Every way a cluster specification can be wrong ends in an `AmalgamError`
/// whose message names the culprit.
final class HardwareClusterErrorTests: XCTestCase {
    private func error(_ spec: ClusterSpec) -> String {
        do { _ = try spec.compile(); return "no error" } catch let e as AmalgamError { return e.message } catch { return "\(error)" }
    }

    private func site(_ name: String, _ groups: [NodeGroupSpec] = [NodeGroupSpec("nvidia_h100_sxm5", chips: 8)]) -> SiteSpec {
        SiteSpec(name: name, groups: groups)
    }

    func testUnknownChipSuggests() {
        let m = error(ClusterSpec(name: "c", sites: [site("s", [NodeGroupSpec("nvidia_a100", chips: 8)])]))
        XCTAssertTrue(m.hasPrefix("site 's', node group 1: unknown chip 'nvidia_a100' (did you mean"), m)
        XCTAssertTrue(m.contains("'nvidia_a100_sxm4_80g'"), m)
    }

    func testBadCounts() {
        func groupError(_ g: NodeGroupSpec) -> String { error(ClusterSpec(name: "c", sites: [site("s", [g])])) }
        XCTAssertEqual(groupError(NodeGroupSpec("nvidia_h20", chips: 0)), "site 's', node group 1: count must be >= 1 (got 0)")
        XCTAssertEqual(groupError(NodeGroupSpec("nvidia_h20", chips: -8)), "site 's', node group 1: count must be >= 1 (got -8)")
        XCTAssertEqual(groupError(NodeGroupSpec("nvidia_h20", nodes: 0)), "site 's', node group 1: nodes must be >= 1 (got 0)")
        XCTAssertTrue(groupError(NodeGroupSpec("nvidia_h20")).contains("give the number of chips (count = N) or of whole nodes (nodes = N)"))
        XCTAssertTrue(groupError(NodeGroupSpec("nvidia_h20", chips: 8, nodes: 1)).contains("either count (chips) or nodes, not both"))
        XCTAssertTrue(groupError(NodeGroupSpec("nvidia_h20", nodes: Validate.maxCount)).contains("exceeds the 10000000-chip limit"))
        XCTAssertTrue(groupError(NodeGroupSpec(chip: .catalog("nvidia_h20"), chips: 8, chipsPerNode: 0)).contains("chips_per_node must be >= 1 (got 0)"))
        // A full mesh of 100k chips per node would need ~10^10 links.
        XCTAssertTrue(groupError(NodeGroupSpec(chip: .catalog("amd_mi300x"), chips: 100_000, chipsPerNode: 100_000))
            .contains("a full mesh of 100000 chips per node needs k(k-1) links"))
        // Non-integer counts arrive from Lua as numbers and are rejected by the shared check.
        XCTAssertThrowsError(try Validate.count(7.5, field: "count")) { e in
            XCTAssertEqual((e as! AmalgamError).message, "count must be a whole number >= 1 (got 7.5)")
        }
    }

    func testWanNamingUnknownSiteSuggests() {
        let m = error(ClusterSpec(name: "c", sites: [site("beijing"), site("guiyang")],
                                  wan: [WanLinkSpec("beijing", "guiyan", gbps: 400, latencyMs: 10)]))
        XCTAssertEqual(m, "wan link 1 ('beijing' <-> 'guiyan'): unknown site 'guiyan' (did you mean 'guiyang'?)")
    }

    func testBadWanFigures() {
        func wanError(_ w: WanLinkSpec) -> String { error(ClusterSpec(name: "c", sites: [site("a"), site("b")], wan: [w])) }
        XCTAssertTrue(wanError(WanLinkSpec("a", "b", gbps: -400, latencyMs: 10)).contains("gbps must be > 0 Gb/s (got -400)"))
        XCTAssertTrue(wanError(WanLinkSpec("a", "b", gbps: 400, latencyMs: -1)).contains("latency_ms must be >= 0 ms (got -1)"))
        XCTAssertTrue(wanError(WanLinkSpec("a", "a", gbps: 400, latencyMs: 1)).contains("needs two different sites"))
        let dup = error(ClusterSpec(name: "c", sites: [site("a"), site("b")],
                                    wan: [WanLinkSpec("a", "b", gbps: 1, latencyMs: 1), WanLinkSpec("b", "a", gbps: 2, latencyMs: 1)]))
        XCTAssertTrue(dup.contains("wan link 2") && dup.contains("already joined"), dup)
    }

    func testDuplicateSiteNamesAndBadNames() {
        XCTAssertEqual(error(ClusterSpec(name: "c", sites: [site("beijing"), site("beijing")])),
                       "duplicate site name 'beijing' (site names must be unique)")
        XCTAssertTrue(error(ClusterSpec(name: "c", sites: [site("a/b")])).contains("must not contain '/'"))
        XCTAssertEqual(error(ClusterSpec(name: "c", sites: [])), "cluster 'c' has no sites (give at least one site with node groups)")
        XCTAssertTrue(error(ClusterSpec(name: "c", sites: [site("a", [])])).contains("site 'a' has no node groups"))
        let dupGroup = [NodeGroupSpec("nvidia_h20", chips: 8, name: "x"), NodeGroupSpec("nvidia_h100_sxm5", chips: 8, name: "x")]
        XCTAssertEqual(error(ClusterSpec(name: "c", sites: [site("a", dupGroup)])), "site 'a': duplicate node group name 'x'")
    }

    func testUnnamedGroupsOfOneChipGetDistinctNames() throws {
        let c = try ClusterSpec(name: "c", sites: [site("a", [NodeGroupSpec("nvidia_h20", chips: 8), NodeGroupSpec("nvidia_h20", chips: 8),
                                                              NodeGroupSpec("nvidia_h20", chips: 8, name: "nvidia_h20_2")])]).compile()
        XCTAssertEqual(c.groups.map(\.name), ["nvidia_h20", "nvidia_h20_3", "nvidia_h20_2"])
    }

    func testDisconnectedClusterNamesTheSites() {
        let m = error(ClusterSpec(name: "c", sites: [site("beijing"), site("guiyang")]))
        XCTAssertEqual(m, "cluster 'c' is disconnected: no WAN path between 'beijing' and 'guiyang' (add wan links joining them, directly or via a connected site)")
        // Three sites, only a-b joined: c is cut off from both.
        let m3 = error(ClusterSpec(name: "c", sites: [site("a"), site("b"), site("c")],
                                   wan: [WanLinkSpec("a", "b", gbps: 100, latencyMs: 1)]))
        XCTAssertTrue(m3.contains("'a' and 'c', 'b' and 'c'"), m3)
        // A site-level measured link is an acceptable way to join two sites.
        var spec = ClusterSpec(name: "c", sites: [site("a"), site("b")])
        spec.connect(.site("a"), .site("b"), gbs: 1, latencySeconds: 0.01)
        XCTAssertNoThrow(try spec.compile())
    }

    func testBadOverrides() {
        func connectError(_ a: Endpoint, _ b: Endpoint, gbs: Double = 1, latency: Double = 0) -> String {
            var spec = HardwareClusterTests.mixedSpec()
            spec.connect(a, b, gbs: gbs, latencySeconds: latency)
            return error(spec)
        }
        XCTAssertEqual(connectError(.site("beijing"), .site("guiyang"), gbs: -5),
                       "connect 1 ('beijing' <-> 'guiyang'): gbs must be > 0 GB/s (got -5)")
        XCTAssertTrue(connectError(.site("beijing"), .site("guiyang"), latency: .nan).contains("latency_s must be >= 0 s (got nan)"))
        XCTAssertTrue(connectError(.site("beijin"), .site("guiyang")).contains("unknown site 'beijin' (did you mean 'beijing'?)"))
        XCTAssertTrue(connectError(.parse("beijing/a100"), .parse("beijing/nvidia_h20")).contains("site 'beijing': unknown node group 'a100' (did you mean 'nvidia_a100_sxm4_80g'?)"))
        XCTAssertTrue(connectError(.node(56), .node(0)).contains("node index 56 is out of range (cluster has 56 nodes, 0...55)"))
        XCTAssertTrue(connectError(.parse("beijing/nvidia_h20/n16"), .node(0)).contains("unknown node 'beijing/nvidia_h20/n16' (group 'beijing/nvidia_h20' has nodes n0...n15)"))
        XCTAssertTrue(connectError(.site("beijing"), .node(0)).contains("both ends must be of one kind"))
        XCTAssertTrue(connectError(.node(3), .node(3)).contains("the two ends are the same node"))
        var twice = HardwareClusterTests.mixedSpec()
        twice.connect(.node(0), .node(1), gbs: 1, latencySeconds: 0)
        twice.connect(.node(1), .node(0), gbs: 2, latencySeconds: 0)
        XCTAssertTrue(error(twice).contains("connect 2") && error(twice).contains("already given"), error(twice))
        // Group and site overrides.
        var g = HardwareClusterTests.mixedSpec()
        g.sites[0].groups[0].intraLinkGBs = -1
        XCTAssertEqual(error(g), "site 'beijing', node group 1: intra_link_gbs must be > 0 GB/s (got -1)")
        var o = HardwareClusterTests.mixedSpec()
        o.sites[1].scaleOut.oversubscription = 0.5
        XCTAssertEqual(error(o), "site 'guiyang': oversubscription must be >= 1 (got 0.5)")
        var cv = HardwareClusterTests.mixedSpec()
        cv.sites[0].crossVendor = CrossVendorSpec(mode: .hostBounce, gbs: 0)
        XCTAssertEqual(error(cv), "site 'beijing': cross_vendor gbs must be > 0 GB/s (got 0)")
        var custom = HardwareClusterTests.mixedSpec()
        var bad = try! ChipCatalog.chip("nvidia_h20"); bad.id = "h20_bad"; bad.memGB = 0
        custom.sites[0].groups.append(NodeGroupSpec(chip: .custom(bad), chips: 8))
        XCTAssertEqual(error(custom), "site 'beijing', node group 3: chip 'h20_bad': mem_gb must be > 0 GB (got 0)")
    }

    func testBadMatrices() {
        func matrixError(_ m: NodeMatrixSpec) -> String {
            var spec = HardwareClusterTests.mixedSpec(); spec.matrices = [m]; return error(spec)
        }
        let two = ["beijing/nvidia_h20/n0", "beijing/nvidia_h20/n1"]
        XCTAssertEqual(matrixError(NodeMatrixSpec(nodeNames: two, gbs: [[0, 1]], latencySeconds: [[0, 0], [0, 0]])),
                       "matrix 1: gbs must be 2x2 (one row and column per node name), got 1 rows")
        XCTAssertEqual(matrixError(NodeMatrixSpec(nodeNames: two, gbs: [[0, 1], [1, 0]], latencySeconds: [[0, 0], [0]])),
                       "matrix 1: latency_s row 2 has 1 entries, expected 2")
        XCTAssertEqual(matrixError(NodeMatrixSpec(nodeNames: two, gbs: [[0, 1], [-2, 0]], latencySeconds: [[0, 0], [0, 0]])),
                       "matrix 1 [beijing/nvidia_h20/n1 -> beijing/nvidia_h20/n0]: gbs must be > 0 GB/s (got -2)")
        XCTAssertTrue(matrixError(NodeMatrixSpec(nodeNames: ["beijing/h20/n0", two[1]], gbs: [[0, 1], [1, 0]], latencySeconds: [[0, 0], [0, 0]]))
            .contains("site 'beijing': unknown node group 'h20' (did you mean 'nvidia_h20'?)"))
        XCTAssertTrue(matrixError(NodeMatrixSpec(nodeNames: [two[0], two[0]], gbs: [[0, 1], [1, 0]], latencySeconds: [[0, 0], [0, 0]]))
            .contains("listed twice"))
    }
}
