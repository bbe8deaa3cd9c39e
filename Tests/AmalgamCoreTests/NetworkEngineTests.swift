import XCTest
@testable import AmalgamCore

/// The incremental engine API (flows and timers interleaved, as the iteration
/// simulator will drive it), input validation, start times and bandwidth metrics.
final class NetworkEngineTests: XCTestCase {
    func collect(_ e: inout FlowEngine) -> [NetworkEvent] {
        var all: [NetworkEvent] = [], batch: [NetworkEvent] = []
        while e.nextEvents(into: &batch) { all += batch }
        return all
    }

    /// A flow injected at t=1 next to a timer at t=1.5; a second flow joins the
    /// same links at 1.5 and halves the first one's rate.
    func testFlowsAndTimersInterleave() throws {
        let t = NetStarTopology(ranks: 3, gbs: 1, alpha: 0.25)
        var e = try FlowEngine(topology: t, options: .ideal)
        try e.addFlow(src: 0, dst: 2, bytes: 1e9, tag: 10, at: 1, reportSent: true)
        try e.addTimer(at: 1.5, tag: 99)
        var batch: [NetworkEvent] = []
        XCTAssertTrue(e.nextEvents(into: &batch))
        XCTAssertEqual(batch, [NetworkEvent(kind: .timer, tag: 99, timeSeconds: 1.5)])
        // Flow 10 has 0.5 GB left; flow 11 (1 GB) shares rank 2's down link.
        try e.addFlow(src: 1, dst: 2, bytes: 1e9, tag: 11)
        let rest = collect(&e)
        // Both at 0.5 GB/s until flow 10 ends at 2.5; flow 11 then has 0.5 GB at 1 GB/s → 3.0.
        XCTAssertEqual(rest, [
            NetworkEvent(kind: .sent, tag: 10, timeSeconds: 2.5),
            NetworkEvent(kind: .delivered, tag: 10, timeSeconds: 2.75),
            NetworkEvent(kind: .delivered, tag: 11, timeSeconds: 3.25),
        ])
        XCTAssertEqual(e.flowCount, 2)
        XCTAssertEqual(e.bytesPerLink[5], 2e9)
    }

    /// A simulator peeks at the network's next event time to interleave its own
    /// compute events; peeking consumes nothing.
    func testNextEventTimePeeksWithoutConsuming() throws {
        let t = NetStarTopology(ranks: 2, gbs: 2, alpha: 0.5)
        var e = try FlowEngine(topology: t, options: .ideal)
        XCTAssertNil(e.nextEventTimeSeconds())
        try e.addFlow(src: 0, dst: 1, bytes: 1e9, tag: 1)
        XCTAssertEqual(e.nextEventTimeSeconds(), 0.5)   // finish of the data phase at 1 GB / 2 GB/s
        XCTAssertEqual(e.nextEventTimeSeconds(), 0.5)
        var batch: [NetworkEvent] = []
        XCTAssertTrue(e.nextEvents(into: &batch))
        XCTAssertEqual(batch, [NetworkEvent(kind: .delivered, tag: 1, timeSeconds: 1.0)])
        XCTAssertNil(e.nextEventTimeSeconds())
    }

    /// Advancing to a simulator's own event time: nothing visible happens by
    /// 0.7 s, `now` moves there, and a flow added then shares nothing with the
    /// first (already sent) one.
    func testNextEventsUntilAdvancesToTheLimit() throws {
        let t = NetStarTopology(ranks: 2, gbs: 2, alpha: 0.5)
        var e = try FlowEngine(topology: t, options: .ideal)
        try e.addFlow(src: 0, dst: 1, bytes: 1e9, tag: 1)
        var batch: [NetworkEvent] = []
        XCTAssertFalse(e.nextEvents(into: &batch, until: 0.7))
        XCTAssertEqual(e.now, 0.7)
        try e.addFlow(src: 0, dst: 1, bytes: 1e9, tag: 2)
        XCTAssertTrue(e.nextEvents(into: &batch, until: 5))
        XCTAssertEqual(batch, [NetworkEvent(kind: .delivered, tag: 1, timeSeconds: 1.0)])
        XCTAssertTrue(e.nextEvents(into: &batch))
        XCTAssertEqual(batch, [NetworkEvent(kind: .delivered, tag: 2, timeSeconds: 0.7 + 0.5 + 0.5)])
    }

    func testZeroByteAndSelfFlowsCostOnlyLatency() throws {
        let t = NetStarTopology(ranks: 2, gbs: 1, alpha: 0.5)
        var e = try FlowEngine(topology: t, options: .ideal)
        try e.addFlow(src: 0, dst: 1, bytes: 0, tag: 1)
        try e.addFlow(src: 1, dst: 1, bytes: 1e9, tag: 2)
        XCTAssertEqual(collect(&e), [NetworkEvent(kind: .delivered, tag: 2, timeSeconds: 0),
                                     NetworkEvent(kind: .delivered, tag: 1, timeSeconds: 0.5)])
        XCTAssertEqual(e.flowCount, 0)
    }

    func testStartTimesDelayTransfers() throws {
        let t = NetStarTopology(ranks: 2, gbs: 1, alpha: 0)
        var g = TransferGraph()
        let a = g.add(src: 0, dst: 1, bytes: 1e9)
        g.add(src: 1, dst: 0, bytes: 1e9, after: [a])
        // The second may not start before 3 s even though its parent ends at 1 s.
        let r = try NetworkModel.time(g, on: t, options: .ideal, startTimes: [0.5, 3])
        XCTAssertEqual(r.transferFinishSeconds, [1.5, 4])
        XCTAssertEqual(r.makespanSeconds, 4)
    }

    func testBadInputThrowsActionableErrors() throws {
        let t = NetStarTopology(ranks: 2, gbs: 1)
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch let e as AmalgamError { return e.message } catch { return "\(error)" }
        }
        var g = TransferGraph()
        g.add(src: 0, dst: 5, bytes: 1)
        XCTAssertTrue(message { _ = try NetworkModel.time(g, on: t) }.contains("rank 5"))
        g = TransferGraph()
        g.add(src: 0, dst: 1, bytes: .nan)
        XCTAssertTrue(message { _ = try NetworkModel.time(g, on: t) }.contains("bytes = nan"))
        g = TransferGraph()
        g.add(src: 0, dst: 1, bytes: 1, after: [0])
        XCTAssertTrue(message { _ = try NetworkModel.time(g, on: t) }.contains("depends on transfer 0"))
        g = TransferGraph()
        g.add(src: 0, dst: 1, bytes: 1)
        XCTAssertTrue(message { _ = try NetworkModel.time(g, on: t, startTimes: [1, 2]) }.contains("start_times has 2"))
        var o = NetworkOptions()
        o.kindEfficiency[.nic] = 1.5
        XCTAssertTrue(message { _ = try NetworkModel.time(g, on: t, options: o) }.contains("'nic' = 1.5"))
        o = NetworkOptions()
        o.linkEfficiency[9] = 0.5
        XCTAssertTrue(message { _ = try NetworkModel.time(g, on: t, options: o) }.contains("names link 9"))
        o = NetworkOptions()
        o.sliceBytes = 0
        XCTAssertTrue(message { _ = try NetworkModel.time(g, on: t, options: o) }.contains("slice_bytes"))
        var bad = t
        bad.links[1].gbs = 0
        XCTAssertTrue(message { _ = try NetworkModel.time(g, on: bad) }.contains("link 1 'r1/up' has gbs = 0"))
        var e = try FlowEngine(topology: t)
        XCTAssertTrue(message { try e.addTimer(at: -1, tag: 0) }.contains("timer at -1"))
        var noMem = t
        noMem.memBwGBs = 0
        g = TransferGraph()
        g.add(src: 0, dst: 1, bytes: 1, reduceBytes: 1)
        XCTAssertTrue(message { _ = try NetworkModel.time(g, on: noMem) }.contains("mem_bw_gbs = 0"))
    }

    func testRouteNamingUnknownLinkThrows() throws {
        struct Broken: NetworkTopology {
            var rankCount: Int { 2 }
            var links = [Link(name: "only", kind: .nic, gbs: 1, latencySeconds: 0)]
            func route(from a: Int, to b: Int) -> Route { Route(links: [0, 3], latencySeconds: 0, bottleneckGBs: 1) }
            func node(ofRank rank: Int) -> Int { rank }
            func site(ofRank rank: Int) -> Int { 0 }
            func chip(ofRank rank: Int) -> Chip { netTestChip() }
        }
        var g = TransferGraph()
        g.add(src: 0, dst: 1, bytes: 1)
        XCTAssertThrowsError(try NetworkModel.time(g, on: Broken())) { err in
            XCTAssertTrue((err as? AmalgamError)?.message.contains("names link 3") ?? false)
        }
        struct Looping: NetworkTopology {
            var rankCount: Int { 2 }
            var links = [Link(name: "only", kind: .nic, gbs: 1, latencySeconds: 0)]
            func route(from a: Int, to b: Int) -> Route { Route(links: [0, 0], latencySeconds: 0, bottleneckGBs: 1) }
            func node(ofRank rank: Int) -> Int { rank }
            func site(ofRank rank: Int) -> Int { 0 }
            func chip(ofRank rank: Int) -> Chip { netTestChip() }
        }
        XCTAssertThrowsError(try NetworkModel.time(g, on: Looping())) { err in
            XCTAssertTrue((err as? AmalgamError)?.message.contains("crosses a link twice") ?? false)
        }
    }

    /// nccl-tests PERFORMANCE.md factors, written out: 8 ranks, 1 GB in 0.1 s
    /// gives algbw 10 GB/s; all-reduce busbw = 10 × 2·7/8 = 17.5.
    func testBusBandwidthFactors() throws {
        XCTAssertEqual(try BandwidthMetrics.algbwGBs(bytes: 1e9, seconds: 0.1), 10, accuracy: 1e-12)
        XCTAssertEqual(try BandwidthMetrics.busbwGBs(.allReduce, ranks: 8, bytes: 1e9, seconds: 0.1), 17.5, accuracy: 1e-12)
        XCTAssertEqual(try BandwidthMetrics.busbwGBs(.allGather, ranks: 8, bytes: 1e9, seconds: 0.1), 8.75, accuracy: 1e-12)
        XCTAssertEqual(try BandwidthMetrics.busbwGBs(.reduceScatter, ranks: 4, bytes: 1e9, seconds: 0.1), 7.5, accuracy: 1e-12)
        XCTAssertEqual(try BandwidthMetrics.busbwGBs(.allToAll, ranks: 2, bytes: 1e9, seconds: 0.1), 5, accuracy: 1e-12)
        XCTAssertEqual(try BandwidthMetrics.busbwGBs(.broadcast, ranks: 8, bytes: 1e9, seconds: 0.1), 10, accuracy: 1e-12)
        XCTAssertEqual(try BandwidthMetrics.busbwGBs(.reduce, ranks: 8, bytes: 1e9, seconds: 0.1), 10, accuracy: 1e-12)
        XCTAssertThrowsError(try BandwidthMetrics.algbwGBs(bytes: 1, seconds: 0))
        XCTAssertThrowsError(try BandwidthMetrics.busbwGBs(.allReduce, ranks: 0, bytes: 1, seconds: 1))
    }

    /// A ring all-reduce on a uniform star reports busbw = the link rate when
    /// latency is zero (the reason nccl-tests defines busbw that way).
    func testRingBusbwEqualsLinkRate() throws {
        let p = 8
        var g = TransferGraph()
        _ = NetLowering.ringAllReduce(&g, ranks: Array(0..<p), bytes: 1e9)
        let r = try NetworkModel.time(g, on: NetStarTopology(ranks: p, gbs: 40), options: .ideal)
        XCTAssertEqual(try BandwidthMetrics.busbwGBs(.allReduce, ranks: p, bytes: 1e9, seconds: r.makespanSeconds), 40,
                       accuracy: 1e-9)
    }
}
