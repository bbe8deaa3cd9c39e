import XCTest
@testable import AmalgamCore

/// Collectives as NCCL runs them: rail-aligned ring channels, NCCL's tree,
/// nodes whose chips share fewer NICs than chips.
final class NcclAlgorithmTests: XCTestCase {
    static let a100 = "nvidia_a100_sxm4_80g"

    func cluster(_ chip: String = a100, nodes: Int, nicsPerNode: Int? = nil) throws -> Cluster {
        try ClusterSpec(name: "c", sites: [SiteSpec(name: "s", groups: [
            NodeGroupSpec(chip: .catalog(chip), nodes: nodes, nicsPerNode: nicsPerNode),
        ])]).compile()
    }

    /// Line rate, 512 KiB slices (so transfers pipeline), no reduction cost.
    var ideal: NetworkOptions {
        var o = NetworkOptions.ideal; o.reductionMemoryPasses = 0; o.sliceBytes = 512 * 1024; return o
    }

    func time(_ c: Cluster, _ algo: String, bytes: Int, options: NetworkOptions? = nil) throws -> CollectiveTimingResult {
        try CollectiveTiming.time(CollectiveTimingRequest(.allReduce, bytes: bytes, algorithm: algo, options: options ?? ideal), on: c)
    }

    /// On one node, or with one NIC per node, `ring` is the single ring: same schedule, same time.
    func testRingIsTheSingleRingOnOneNodeOrOneNIC() throws {
        for c in [try cluster(nodes: 1), try cluster(nodes: 2, nicsPerNode: 1)] {
            let ring = try time(c, "ring", bytes: 64 << 20, options: NetworkOptions())
            let single = try time(c, "single_ring", bytes: 64 << 20, options: NetworkOptions())
            XCTAssertEqual(ring.seconds, single.seconds)
            XCTAssertEqual(ring.schedule.count, single.schedule.count)
        }
    }

    /// 2 nodes x 8 A100, one HDR NIC per GPU: 8 channels, channel c leaves each
    /// node through NIC c, so every NIC carries 1/8 of the traffic.
    func testRingUsesOneChannelPerNIC() throws {
        let c = try cluster(nodes: 2)
        let r = try time(c, "ring", bytes: 1 << 30)
        let nicLoads = c.links.indices.filter { c.links[$0].kind == .nic }.map { r.bytesPerLink[$0] }
        XCTAssertEqual(nicLoads.count, 32)
        for l in nicLoads { XCTAssertEqual(l, nicLoads[0], accuracy: nicLoads[0] * 1e-9) }
        // Closed form: 2(P-1)/P * S / (8 NICs x 25 GB/s) at line rate.
        let bound = 2.0 * 15 / 16 * Double(1 << 30) / (8 * 25e9)
        XCTAssertEqual(r.seconds, bound, accuracy: bound * 0.01)
    }

    /// 4 nodes x 8 A100 with 2 NICs per node (4 chips behind each, over PCIe).
    /// The bottleneck is the 2 NICs shared by 8 chips (25 GB/s each; PCIe 31.5 and
    /// NVLink 300 are faster).
    /// - ring: 2 channels of S/2; each channel's ring leaves each node once, through
    ///   its own NIC, carrying 2(P-1) chunks of S/(2P): T = 2(P-1)/P * S / (2 * 25 GB/s).
    /// - nccl_tree: per channel (S/2), on the double binary tree of 4 nodes (tree 1:
    ///   0 <- 2 <- {1, 3}; tree 2: 3 <- 1 <- {0, 2}) the busiest nodes (1 and 2) are
    ///   inner in one tree (send S/4 up + 2 x S/4 down) and a leaf in the other (S/4 up):
    ///   S per channel through that channel's NIC: T = (S/2) * 2 / 25 GB/s = S / 25 GB/s.
    func testSharedNICsMatchTheClosedForm() throws {
        let c = try cluster(nodes: 4, nicsPerNode: 2)
        XCTAssertEqual(c.rankCount, 32)
        XCTAssertEqual(c.links.filter { $0.kind == .nic }.count, 4 * 2 * 2)
        XCTAssertEqual(c.links.filter { $0.kind == .pcie }.count, 4 * 8 * 2)
        XCTAssertEqual(c.nic(ofRank: 13), 1)
        XCTAssertTrue(try c.path(from: 0, to: 9).hops.contains { $0.contains("pcie_sw0") })
        let S = 1 << 30, P = 32.0, B = 25e9
        let ring = try time(c, "ring", bytes: S)
        let ringForm = 2 * (P - 1) / P * Double(S) / (2 * B)
        XCTAssertEqual(ring.seconds, ringForm, accuracy: ringForm * 0.01, "ring")
        XCTAssertTrue(ring.busiestLink?.name.contains("nic") ?? false, ring.busiestLink?.name ?? "none")
        let tree = try time(c, "nccl_tree", bytes: S)
        let treeForm = Double(S) / B
        XCTAssertEqual(tree.seconds, treeForm, accuracy: treeForm * 0.01, "nccl_tree")
    }

    /// NVLS: the catalog says which switches reduce in the network; the `nvls`
    /// all-reduce moves (p+1)/p x S per port at NCCL's Hopper NVLS efficiency, which
    /// lands on the published 8x H100 NVLS figure (479-480 GB/s, Azure ND H100 v5
    /// and nccl#1455); `auto` picks it there; chips without it get a clear error.
    func testNvls() throws {
        for id in ["nvidia_h100_sxm5", "nvidia_h800_sxm5", "nvidia_h200_sxm", "nvidia_h20", "nvidia_b200_hgx"] {
            XCTAssertEqual(try ChipCatalog.chip(id).nvls, true, id)
            XCTAssertNotNil(try ChipCatalog.chip(id).nvlsSource, id)
        }
        XCTAssertNotEqual(try ChipCatalog.chip(Self.a100).nvls, true)
        let h100 = try cluster("nvidia_h100_sxm5", nodes: 1)
        let nvls = try time(h100, "nvls", bytes: 1 << 30, options: NetworkOptions())
        XCTAssertEqual(nvls.busbwGBs, 480, accuracy: 48)
        XCTAssertEqual(nvls.ncclProtocol, .simple)
        let auto = try time(h100, "auto", bytes: 1 << 30, options: NetworkOptions())
        XCTAssertEqual(auto.algorithm, "nvls")
        XCTAssertThrowsError(try time(try cluster(nodes: 1), "nvls", bytes: 1 << 20)) { e in
            XCTAssertTrue("\(e)".contains("nvls = 0"), "\(e)")
        }
        XCTAssertThrowsError(try time(try cluster("nvidia_h100_sxm5", nodes: 2), "nvls", bytes: 1 << 20)) { e in
            XCTAssertTrue("\(e)".contains("span 2 nodes"), "\(e)")
        }
    }

    /// Reduce-scatter and all-gather with `ring` use the rail channels too: on 2 nodes
    /// x 8 A100 with a NIC per GPU each NIC carries 1/8, so busbw is ~8 NICs' worth
    /// (line rate here: 8 x 25 GB/s), where the single ring gets one NIC's.
    func testRingReduceScatterAndAllGatherUseEveryNIC() throws {
        let c = try cluster(nodes: 2)
        for kind in [CollectiveKind.reduceScatter, .allGather] {
            let ring = try CollectiveTiming.time(CollectiveTimingRequest(kind, bytes: 1 << 30, algorithm: "ring", options: ideal), on: c)
            let single = try CollectiveTiming.time(CollectiveTimingRequest(kind, bytes: 1 << 30, algorithm: "single_ring", options: ideal), on: c)
            XCTAssertEqual(ring.busbwGBs, 200, accuracy: 4, kind.rawValue)
            XCTAssertEqual(single.busbwGBs, 25, accuracy: 1, kind.rawValue)
        }
        XCTAssertTrue(try cluster(nodes: 1, nicsPerNode: 2).summary().contains("x 2 per node (4 chips per NIC over PCIe)"))
    }
}
