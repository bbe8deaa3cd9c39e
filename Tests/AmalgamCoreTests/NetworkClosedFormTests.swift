import XCTest
@testable import AmalgamCore

/// The network model against closed forms written out here (alpha-beta model on
/// uncontended homogeneous links, no slicing, efficiency 1 unless stated).
final class NetworkClosedFormTests: XCTestCase {
    let bytes = 64.0 * 1024 * 1024
    let gbs = 25.0
    let alpha = 5e-6
    var bytesPerSecond: Double { gbs * 1e9 }

    func time(_ g: TransferGraph, _ t: some NetworkTopology, _ o: NetworkOptions = .ideal) throws -> Double {
        try NetworkModel.time(g, on: t, options: o).makespanSeconds
    }

    func assertClose(_ a: Double, _ b: Double, _ msg: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a, b, accuracy: 1e-9 * max(abs(b), 1e-12), msg, file: file, line: line)
    }

    func testRingAllReduceMatchesAlphaBeta() throws {
        for p in [2, 3, 5, 8, 16] {
            var g = TransferGraph()
            _ = NetLowering.ringAllReduce(&g, ranks: Array(0..<p), bytes: bytes)
            let t = NetStarTopology(ranks: p, gbs: gbs, alpha: alpha)
            let pd = Double(p)
            let expected = 2 * (pd - 1) * (alpha + bytes / (pd * bytesPerSecond))
            assertClose(try time(g, t), expected, "p=\(p)")
            // With reductions in the reduce-scatter half: p-1 reductions of S/p
            // at 3 passes over the test chip's 2000 GB/s each.
            var gr = TransferGraph()
            _ = NetLowering.ringAllReduce(&gr, ranks: Array(0..<p), bytes: bytes, reduce: true)
            assertClose(try time(gr, t), expected + (pd - 1) * 3 * bytes / pd / 2000e9, "reduce p=\(p)")
        }
    }

    func testRecursiveDoublingMatchesAlphaBeta() throws {
        for p in [2, 4, 8, 32] {
            let t = NetStarTopology(ranks: p, gbs: gbs, alpha: alpha)
            let expected = log2(Double(p)) * (alpha + bytes / bytesPerSecond)
            assertClose(try time(NetLowering.recursiveDoubling(p: p, bytes: bytes), t), expected, "p=\(p)")
        }
    }

    func testRabenseifnerMatchesAlphaBeta() throws {
        for p in [2, 4, 8, 64] {
            let t = NetStarTopology(ranks: p, gbs: gbs, alpha: alpha)
            let pd = Double(p)
            // The halving steps reduce what they receive: Σ 3·S/2^(k+1) / M =
            // 3(p-1)/p · S / M on the critical path (the test chip has M = 2000 GB/s).
            let reduce = 3 * (pd - 1) / pd * bytes / 2000e9
            let expected = 2 * log2(pd) * alpha + 2 * (pd - 1) / pd * bytes / bytesPerSecond + reduce
            assertClose(try time(NetLowering.rabenseifner(p: p, bytes: bytes), t), expected, "p=\(p)")
        }
    }

    /// Two-level: ring reduce-scatter / all-gather on scale-up links (B1, α1),
    /// ring all-reduce of S/a across nodes on NICs (B2, α2):
    /// 2(a-1)(α1 + S/(a B1)) + 2(b-1)(α2 + S/(a b B2)).
    func testHierarchicalTwoLevelMatchesAlphaBeta() throws {
        let (b1, a1, b2, a2) = (300.0, 1e-6, 25.0, 8e-6)
        for (nodes, a) in [(2, 4), (4, 8), (3, 2)] {
            let t = NetNodesTopology(nodes: nodes, chipsPerNode: a, intraGBs: b1, intraAlpha: a1, nicGBs: b2, nicAlpha: a2)
            let (ad, bd) = (Double(a), Double(nodes))
            let expected = 2 * (ad - 1) * (a1 + bytes / (ad * b1 * 1e9)) + 2 * (bd - 1) * (a2 + bytes / (ad * bd * b2 * 1e9))
            assertClose(try time(NetLowering.hierarchical(nodes: nodes, perNode: a, bytes: bytes), t), expected,
                        "nodes=\(nodes) a=\(a)")
        }
    }

    /// No lowering beats 2(p-1)/p · S/B: each rank must receive that much.
    func testNoAllReduceBeatsBandwidthLowerBound() throws {
        for p in [2, 4, 8, 16] {
            let pd = Double(p)
            let bound = 2 * (pd - 1) / pd * bytes / bytesPerSecond
            let t = NetStarTopology(ranks: p, gbs: gbs, alpha: 0)
            var ring = TransferGraph()
            _ = NetLowering.ringAllReduce(&ring, ranks: Array(0..<p), bytes: bytes)
            var graphs = [("ring", ring), ("recursive doubling", NetLowering.recursiveDoubling(p: p, bytes: bytes)),
                          ("rabenseifner", NetLowering.rabenseifner(p: p, bytes: bytes))]
            if p >= 4 { graphs.append(("hierarchical", NetLowering.hierarchical(nodes: 2, perNode: p / 2, bytes: bytes))) }
            for (name, g) in graphs {
                for o in [NetworkOptions.ideal, NetworkOptions(sliceBytes: 256 * 1024, kindEfficiency: NetworkOptions.ideal.kindEfficiency)] {
                    let s = try time(g, t, o)
                    XCTAssertGreaterThanOrEqual(s, bound * (1 - 1e-12), "\(name) p=\(p) sliced=\(o.sliceBytes != nil)")
                }
            }
        }
    }

    /// One link at B/4 in a ring: the slow link must move 2(p-1) chunks of S/p
    /// back to back, so time is 2(p-1)·S/(p·B_slow) plus at most p-1 fast hops
    /// of tail.
    func testRingOverOneSlowLinkRunsAtItsSpeed() throws {
        let p = 8
        var rates = Array(repeating: gbs * 1e0, count: p)
        rates[3] = gbs / 4
        let t = NetRingTopology(gbs: rates)
        var g = TransferGraph()
        _ = NetLowering.ringAllReduce(&g, ranks: Array(0..<p), bytes: bytes)
        let pd = Double(p)
        let slow = 2 * (pd - 1) * bytes / (pd * gbs / 4 * 1e9)
        let tail = (pd - 1) * bytes / (pd * bytesPerSecond)
        let s = try time(g, t)
        XCTAssertGreaterThanOrEqual(s, slow * (1 - 1e-12))
        XCTAssertLessThanOrEqual(s, slow + tail)
        // And the slow link is the busiest, fully utilised to within the tail.
        let r = try NetworkModel.time(g, on: t, options: .ideal)
        XCTAssertEqual(r.busiestLink?.index, 3)
        XCTAssertEqual(r.busiestLink?.bytes ?? 0, 2 * (pd - 1) * bytes / pd, accuracy: 1e-6)
        XCTAssertGreaterThan(r.busiestLink?.utilisation ?? 0, slow / (slow + tail))
    }

    func testEightFlowsThroughOneNICTakeEightTimesOne() throws {
        let t = NetStarTopology(ranks: 9, gbs: gbs, alpha: 0)
        var one = TransferGraph()
        one.add(src: 0, dst: 8, bytes: bytes)
        var eight = TransferGraph()
        for r in 0..<8 { eight.add(src: r, dst: 8, bytes: bytes) }
        let t1 = try time(one, t), t8 = try time(eight, t)
        assertClose(t1, bytes / bytesPerSecond)
        assertClose(t8, 8 * bytes / bytesPerSecond)
        let r = try NetworkModel.time(eight, on: t, options: .ideal)
        XCTAssertEqual(r.busiestLink?.index, 9 + 8)  // rank 8's down link
        XCTAssertEqual(r.busiestLink?.utilisation ?? 0, 1, accuracy: 1e-9)
        XCTAssertEqual(r.flowCount, 8)
    }

    /// Store-and-forward 0→1→2 with k slices: the second hop trails by one slice,
    /// S/B + S/(kB) + 2α (latency paid by the last slice on each hop).
    func testSlicingPipelinesAChain() throws {
        let t = NetRingTopology(gbs: [gbs, gbs, gbs], alpha: alpha)
        var g = TransferGraph()
        let a = g.add(src: 0, dst: 1, bytes: bytes)
        g.add(src: 1, dst: 2, bytes: bytes, after: [a])
        for k in [1, 2, 8, 64] {
            var o = NetworkOptions.ideal
            o.sliceBytes = k == 1 ? nil : bytes / Double(k)
            let expected = bytes / bytesPerSecond + bytes / (Double(k) * bytesPerSecond) + 2 * alpha
            let r = try NetworkModel.time(g, on: t, options: o)
            assertClose(r.makespanSeconds, expected, "k=\(k)")
            XCTAssertEqual(r.flowCount, 2 * k)
        }
    }

    /// A child with a different slice count waits for the whole parent: A (S,
    /// 4 slices) then B (S/2, 2 slices) costs S/B + S/(2B), not the pipelined
    /// S/B + S/(4B) a per-slice dependency would give.
    func testDifferentSliceCountsWaitForTheWholeParent() throws {
        let t = NetRingTopology(gbs: [gbs, gbs, gbs])
        var g = TransferGraph()
        let a = g.add(src: 0, dst: 1, bytes: bytes)
        g.add(src: 1, dst: 2, bytes: bytes / 2, after: [a])
        var o = NetworkOptions.ideal
        o.sliceBytes = bytes / 4
        let r = try NetworkModel.time(g, on: t, options: o)
        assertClose(r.makespanSeconds, bytes / bytesPerSecond + bytes / 2 / bytesPerSecond)
        XCTAssertEqual(r.flowCount, 6)
    }

    /// A sliced ring all-reduce on a uniform ring keeps every link busy: with
    /// zero latency a slice is ready as soon as the slice before it in both its
    /// step and its parent step has been sent, so no link ever idles and the
    /// time is exactly the link's work, 2(p-1)·k slices of S/(pk).
    /// With latency, slicing hides it: the time lies between the work plus one
    /// latency and the unsliced 2(p-1)(α + S/(pB)).
    func testSlicedRingAllReducePipelines() throws {
        let p = 4, k = 4
        var g = TransferGraph()
        _ = NetLowering.ringAllReduce(&g, ranks: Array(0..<p), bytes: bytes)
        var o = NetworkOptions.ideal
        o.sliceBytes = bytes / Double(p * k)
        let unit = bytes / Double(p * k) / bytesPerSecond
        let work = Double(2 * (p - 1) * k) * unit
        assertClose(try time(g, NetRingTopology(gbs: Array(repeating: gbs, count: p)), o), work)

        let lat = NetRingTopology(gbs: Array(repeating: gbs, count: p), alpha: unit)
        let sliced = try time(g, lat, o)
        let unsliced = try time(g, lat)
        assertClose(unsliced, 2 * Double(p - 1) * (unit + bytes / Double(p) / bytesPerSecond))
        XCTAssertGreaterThanOrEqual(sliced, (work + unit) * (1 - 1e-12))
        XCTAssertLessThan(sliced, unsliced)
    }

    /// Reduction at the receiver: S × 3 / memory bandwidth, then the reply.
    func testReductionUsesReceiverMemoryBandwidth() throws {
        var t = NetStarTopology(ranks: 2, gbs: gbs, alpha: alpha)
        t.memBwGBs = 1000
        var g = TransferGraph()
        let a = g.add(src: 0, dst: 1, bytes: bytes, reduceBytes: bytes)
        g.add(src: 1, dst: 0, bytes: bytes, after: [a])
        let expected = 2 * (alpha + bytes / bytesPerSecond) + 3 * bytes / 1e12
        let r = try NetworkModel.time(g, on: t, options: .ideal)
        assertClose(r.makespanSeconds, expected)
        assertClose(r.transferFinishSeconds[0], alpha + bytes / bytesPerSecond + 3 * bytes / 1e12)
        var o = NetworkOptions.ideal
        o.reductionMemoryPasses = 2
        assertClose(try time(g, t, o), 2 * (alpha + bytes / bytesPerSecond) + 2 * bytes / 1e12)
    }

    /// Default efficiencies divide the line rate; a per-link override wins.
    func testProtocolEfficiencyScalesLinkRate() throws {
        let t = NetStarTopology(ranks: 2, gbs: 50, alpha: 0, kind: .nic)
        var g = TransferGraph()
        g.add(src: 0, dst: 1, bytes: bytes)
        var o = NetworkOptions()
        o.sliceBytes = nil
        assertClose(try time(g, t, o), bytes / (50e9 * 47.0 / 50.0))
        o.linkEfficiency = [2 + 1: 0.5]  // rank 1's down link
        assertClose(try time(g, t, o), bytes / 25e9)
        XCTAssertEqual(LinkEfficiency.defaults[.scaleUp]!, 367.5 / 450, accuracy: 1e-12)
    }

    /// A flow between sites is held to the WAN rate.
    func testTwoSiteFlowIsLimitedByWAN() throws {
        let t = NetNodesTopology(nodes: 2, chipsPerNode: 2, intraGBs: 300, intraAlpha: 0, nicGBs: 50, nicAlpha: 0,
                                 wanGBs: 5, wanAlpha: 0.01)
        var g = TransferGraph()
        g.add(src: 0, dst: 2, bytes: bytes)
        g.add(src: 1, dst: 3, bytes: bytes)
        // Two flows share the 5 GB/s WAN link: 2S/5e9 plus its latency.
        assertClose(try time(g, t), 2 * bytes / 5e9 + 0.01)
    }
}
