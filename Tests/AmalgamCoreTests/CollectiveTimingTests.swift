import XCTest
@testable import AmalgamCore

/// Collectives timed on compiled clusters through `CollectiveTiming`, checked
/// against closed forms written out below.
final class CollectiveTimingTests: XCTestCase {
    static let a100 = "nvidia_a100_sxm4_80g"

    /// One 8-GPU A100 node: NVSwitch, 600 GB/s bidirectional per GPU, so each
    /// GPU's switch port runs 300 GB/s per direction; 0.5 µs per port (assumed
    /// default), so a GPU-to-GPU route is 2 links and 1 µs.
    func a100Node(chips: Int = 8) throws -> Cluster {
        try ClusterSpec(name: "a100", sites: [SiteSpec(name: "s", groups: [NodeGroupSpec(Self.a100, chips: chips)])]).compile()
    }

    /// `nodes` A100 nodes of `perNode` GPUs each, HDR 200 Gb/s NIC per GPU.
    func a100Nodes(_ nodes: Int, perNode: Int) throws -> Cluster {
        try ClusterSpec(name: "a100x\(nodes)", sites: [SiteSpec(name: "s", groups: [
            NodeGroupSpec(chip: .catalog(Self.a100), nodes: nodes, chipsPerNode: perNode),
        ])]).compile()
    }

    /// Line rate, no slicing, no reduction cost: the closed forms' assumptions.
    var ideal: NetworkOptions { var o = NetworkOptions.ideal; o.reductionMemoryPasses = 0; return o }

    func time(_ c: Cluster, _ algo: String, bytes: Int, ranks: [Int]? = nil, options: NetworkOptions? = nil,
              _ collective: CollectiveKind = .allReduce) throws -> CollectiveTimingResult {
        try CollectiveTiming.time(CollectiveTimingRequest(collective, bytes: bytes, algorithm: algo, ranks: ranks,
                                                          options: options ?? ideal), on: c)
    }

    let S = 8 * 1024 * 1024          // 8 MiB, divisible by every power of two up to 8 shards of f32
    let B = 300e9                    // A100 switch port, bytes/s per direction
    let alpha = 1e-6                 // two 0.5 µs switch ports

    func testSwitchPortRouteIsWhatTheClosedFormsAssume() throws {
        let r = try a100Node().route(from: 0, to: 5)
        XCTAssertEqual(r.links.count, 2)
        XCTAssertEqual(r.bottleneckGBs, 300)
        XCTAssertEqual(r.latencySeconds, alpha, accuracy: 1e-15)
    }

    func testRingMatchesClosedForm() throws {
        // 2(p-1) steps of S/p bytes each: T = 2(p-1) (S/(pB) + alpha).
        let p = 8.0
        let expected = 2 * (p - 1) * (Double(S) / (p * B) + alpha)
        let t = try time(a100Node(), "ring", bytes: S)
        XCTAssertEqual(t.seconds, expected, accuracy: expected * 1e-9)
        // algbw = S/T; busbw = algbw * 2(p-1)/p (nccl-tests).
        XCTAssertEqual(t.algbwGBs, Double(S) / expected / 1e9, accuracy: 1e-6)
        XCTAssertEqual(t.busbwGBs, Double(S) / expected / 1e9 * 2 * 7 / 8, accuracy: 1e-6)
        // Every port carries 2(p-1)/p S = 14 MiB: 2(p-1) transfers of S/p.
        XCTAssertEqual(t.busiestLink?.bytes ?? 0, 2 * 7 * Double(S) / 8, accuracy: 1e-6)
        XCTAssertEqual(t.flowCount, 2 * 7 * 8)
        XCTAssertEqual(t.ranks, Array(0..<8))
    }

    func testRecursiveDoublingMatchesClosedForm() throws {
        // log2(8) = 3 whole-buffer exchanges, each over one uncontended port pair.
        let expected = 3 * (Double(S) / B + alpha)
        let t = try time(a100Node(), "recursive_doubling", bytes: S)
        XCTAssertEqual(t.seconds, expected, accuracy: expected * 1e-9)
    }

    func testRabenseifnerMatchesClosedForm() throws {
        // Halving: S/2 + S/4 + S/8 = 7S/8, doubling the same; 6 latencies.
        let expected = 2 * (7.0 / 8) * Double(S) / B + 6 * alpha
        let t = try time(a100Node(), "rabenseifner", bytes: S)
        XCTAssertEqual(t.seconds, expected, accuracy: expected * 1e-9)
    }

    func testHierarchical2DMatchesClosedFormWithNodesFromTheCluster() throws {
        // 2 nodes x 4 A100: intra port 300 GB/s (alpha_i = 1 µs); inter route
        // nic_up, uplink_up, uplink_down, nic_down: bottleneck the 200 Gb/s NIC =
        // 25 GB/s, 4 x 0.5 µs IB hops = 2 µs. The node uplink is 4 x 25 = 100 GB/s,
        // exactly the 4 rails' demand, so no contention.
        let c = try a100Nodes(2, perNode: 4)
        let inter = c.route(from: 0, to: 4)
        XCTAssertEqual(inter.bottleneckGBs, 25)
        XCTAssertEqual(inter.latencySeconds, 2e-6, accuracy: 1e-15)
        let G = 4.0, N = 2.0, Bn = 25e9, alphaN = 2e-6, s = Double(S)
        // Intra reduce-scatter and all-gather: (G-1) steps of S/G each;
        // rail all-reduce of S/G over N nodes: 2(N-1) steps of S/(GN).
        let expected = 2 * (G - 1) * (s / (G * B) + alpha) + 2 * (N - 1) * (s / (G * N * Bn) + alphaN)
        let t = try time(c, "hierarchical_2d", bytes: S)
        XCTAssertEqual(t.seconds, expected, accuracy: expected * 1e-9)
    }

    func testNoAlgorithmBeatsTheBandwidthBound() throws {
        // Each rank must send and receive at least 2(p-1)/p S through its one
        // port: T >= 2(p-1)/p * S/B.
        for ranks in [Array(0..<8), [0, 2, 3, 5, 6, 7]] {
            let p = Double(ranks.count)
            let bound = 2 * (p - 1) / p * Double(S) / B
            // nvls is excluded: the switch reduces, so it is not bound by the links'
            // all-reduce bound (and A100's NVSwitch cannot do it).
            for algo in CollectiveAlgorithms.names(for: .allReduce) where algo != "nvls" {
                var req = CollectiveTimingRequest(.allReduce, bytes: S, algorithm: algo, ranks: ranks, options: ideal)
                if algo == "recursive_doubling" { req.parameters.foldNonPowerOfTwo = true }
                let t = try CollectiveTiming.time(req, on: a100Node())
                XCTAssertGreaterThanOrEqual(t.seconds, bound * (1 - 1e-12), "\(algo) on \(ranks.count) ranks")
                XCTAssertLessThanOrEqual(t.busbwGBs, B / 1e9 * (1 + 1e-12), algo)
            }
        }
    }

    func testRingOverOneSlowHopRunsAtThatHopsSpeed() throws {
        // 2 nodes x 4 A100: the single ring 0..7 crosses the 25 GB/s NIC twice (3->4 and
        // 7->0, different links). (`single_ring`: `ring` on 2 nodes with 4 NICs each
        // now runs 4 rail-aligned channels, see testRingUsesOneChannelPerNIC.) Each carries 2(p-1)/p S, so
        // T >= 2(p-1)/p * S / 25 GB/s; with 512 KiB slices the ring pipelines and
        // gets within 2% of it (busbw ~ 25 GB/s).
        var o = ideal; o.sliceBytes = 512 * 1024
        let s = 64 * 1024 * 1024
        let bound = 2 * 7.0 / 8 * Double(s) / 25e9
        let t = try time(a100Nodes(2, perNode: 4), "single_ring", bytes: s, options: o)
        XCTAssertGreaterThanOrEqual(t.seconds, bound)
        XCTAssertLessThanOrEqual(t.seconds, bound * 1.02)
        XCTAssertEqual(t.busbwGBs, 25, accuracy: 0.5)
        XCTAssertTrue(t.busiestLink?.name.contains("nic") ?? false, t.busiestLink?.name ?? "none")
    }

    /// 2 nodes x 2 A100 joined by a measured 200 GB/s link per direction: the ring
    /// 0,1,2,3 has links 300, 200, 300, 200 GB/s.
    func mixedRing() throws -> Cluster {
        var spec = ClusterSpec(name: "mixed", sites: [SiteSpec(name: "s", groups: [
            NodeGroupSpec(chip: .catalog(Self.a100), nodes: 2, chipsPerNode: 2),
        ])])
        spec.connect(.node(0), .node(1), gbs: 200, latencySeconds: 1e-6)
        return try spec.compile()
    }

    func testWeightedRingBeatsPlainRingOnMixedRing() throws {
        // Plain ring: the 200 GB/s links carry 2(p-1)/p S: T = 2*3/4 * S/200 GB/s.
        // Weighted ring: T = 2(p-1) S / sum(B) = 2*3*S/1000 GB/s, 20% less
        // (no clamping: (p-1)*max B = 900 <= 1000).
        var o = ideal; o.sliceBytes = 256 * 1024
        let s = 64 * 1024 * 1024, sd = Double(s)
        let c = try mixedRing()
        let ring = try time(c, "ring", bytes: s, options: o)
        let weighted = try time(c, "weighted_ring", bytes: s, options: o)
        let ringBound = 2 * 3.0 / 4 * sd / 200e9
        let weightedBound = 2 * 3.0 * sd / 1000e9
        XCTAssertEqual(ring.seconds, ringBound, accuracy: ringBound * 0.02)
        XCTAssertLessThan(weighted.seconds, ring.seconds)
        XCTAssertGreaterThanOrEqual(weighted.seconds, weightedBound)
        XCTAssertLessThanOrEqual(weighted.seconds, weightedBound * 1.03)
    }

    func testAutoPicksTheFastestCandidateAndReportsAll() throws {
        var o = ideal; o.sliceBytes = 256 * 1024
        let c = try mixedRing()
        let t = try time(c, "auto", bytes: 16 * 1024 * 1024, options: o)
        let timed = t.candidates.compactMap { c in c.seconds.map { (c.algorithm, $0) } }
        XCTAssertGreaterThan(timed.count, 3)
        XCTAssertTrue(timed.contains { $0.0 == "weighted_ring" })
        let fastest = timed.min { $0.1 < $1.1 }!
        XCTAssertEqual(t.algorithm, fastest.0)
        XCTAssertEqual(t.seconds, fastest.1)
        // Explicitly timing the winner gives the same answer (deterministic).
        XCTAssertEqual(try time(c, t.algorithm, bytes: 16 * 1024 * 1024, options: o).seconds, t.seconds)
        // Candidates appear in registry order.
        let order = CollectiveAlgorithms.names
        let idx = t.candidates.map { order.firstIndex(of: $0.algorithm)! }
        XCTAssertEqual(idx, idx.sorted())
    }

    func testAutoOnTwelveRanksSkipsPowerOfTwoOnlyAlgorithms() throws {
        let t = try time(a100Node(chips: 12), "auto", bytes: 12 * 4096, options: NetworkOptions())
        XCTAssertFalse(t.candidates.contains { $0.algorithm == "recursive_doubling" })
        XCTAssertTrue(t.candidates.contains { $0.algorithm == "rabenseifner" })
        XCTAssertGreaterThan(t.seconds, 0)
    }

    func testSubsetRanksMapToClusterRanks() throws {
        // Ranks 3 and 12 of a 16-GPU, 2-node cluster: one ring hop each way over the NICs.
        let c = try a100Nodes(2, perNode: 8)
        let t = try time(c, "ring", bytes: 1 << 20, ranks: [3, 12])
        let used = t.bytesPerLink.indices.filter { t.bytesPerLink[$0] > 0 }.map { c.links[$0].name }
        XCTAssertTrue(used.contains("s/nvidia_a100_sxm4_80g/n0/c3/nic_up"), "\(used)")
        XCTAssertTrue(used.contains("s/nvidia_a100_sxm4_80g/n1/c4/nic_down"), "\(used)")
        XCTAssertTrue(used.allSatisfy { $0.contains("nic") || $0.contains("uplink") })
        // p = 2 ring: 2 steps of S/2 each way: T = 2 (S/2 / 25 GB/s + 2 µs).
        XCTAssertEqual(t.seconds, 2 * (Double(1 << 20) / 2 / 25e9 + 2e-6), accuracy: 1e-12)
    }

    func testBadInputGivesClearErrors() throws {
        let c = try a100Node()
        func message(_ req: CollectiveTimingRequest, on cl: Cluster? = nil) -> String {
            do { _ = try CollectiveTiming.time(req, on: cl ?? c); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(CollectiveTimingRequest(.allReduce, bytes: 64, ranks: [0, 8])),
                       "ranks entry 2 is rank 8, out of range: the cluster has 8 ranks, 0...7")
        XCTAssertEqual(message(CollectiveTimingRequest(.allReduce, bytes: 64, ranks: [1, 2, 1])),
                       "ranks entry 3 is rank 1 again (already entry 1); each rank may appear once")
        XCTAssertEqual(message(CollectiveTimingRequest(.allReduce, bytes: -4)), "bytes = -4 must be 0 or more")
        XCTAssertEqual(message(CollectiveTimingRequest(.allReduce, bytes: 6)), "bytes = 6 is not a whole number of 4-byte elements")
        XCTAssertTrue(message(CollectiveTimingRequest(.allReduce, bytes: 64, algorithm: "rign")).contains("unknown algorithm 'rign' (did you mean 'ring'"))
        XCTAssertTrue(message(CollectiveTimingRequest(.broadcast, bytes: 64, root: 8)).contains("root 8 is out of range 0...7"))
        let twelve = try a100Node(chips: 12)
        let pow2 = message(CollectiveTimingRequest(.reduceScatter, bytes: 12 * 64, algorithm: "recursive_halving"), on: twelve)
        XCTAssertEqual(pow2, "recursive halving needs a power-of-two rank count (got 12); use 'ring' or 'direct' for reduce_scatter")
    }

    func testZeroBytesAndOneRankTakeNoTime() throws {
        let c = try a100Node()
        let zero = try time(c, "ring", bytes: 0)
        XCTAssertEqual(zero.seconds, 0); XCTAssertEqual(zero.busbwGBs, 0); XCTAssertNil(zero.busiestLink)
        let one = try time(c, "ring", bytes: 1024, ranks: [5])
        XCTAssertEqual(one.seconds, 0); XCTAssertEqual(one.flowCount, 0)
    }

    func testAllToAllBytesAreTheSendBuffer() throws {
        // nccl-tests all-to-all: S per rank, S/p to each peer. The pairwise
        // schedule runs p-1 rounds of one S/p block per port pair:
        // T = (p-1)(S/(pB) + alpha); busbw = S/T * (p-1)/p.
        let s = Double(64 << 20)
        let t = try time(a100Node(), "pairwise", bytes: 64 << 20, .allToAll)
        let expected = 7 * (s / 8 / B + alpha)
        XCTAssertEqual(t.bytes, s)
        XCTAssertEqual(t.seconds, expected, accuracy: expected * 1e-9)
        XCTAssertEqual(t.busbwGBs, s / expected * 7 / 8 / 1e9, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(t.busbwGBs, 300)
    }
}
