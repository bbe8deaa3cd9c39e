import AmalgamCore
import AmalgamIO
import AmalgamLua
import XCTest

/// Issue 7, must-show 4: a small run's timeline is valid Chrome-trace JSON and matches
/// the 1F1B schedule worked out by hand.
final class ChromeTraceTests: XCTestCase {
    func testSmallRunTraceIsValidAndMatchesTheSchedule() throws {
        // 2 nodes of 8 A100; 2 stages × 2 replicas of TP 4; 4 micro-batches (2 per replica).
        let cluster = try ClusterSpec(name: "tiny", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: 2)])]).compile()
        let model = try TransformerModel.preset("gpt3-350m")
        let config = TrainingConfig(globalBatch: 4, microBatch: 1, zero: 0, recompute: .none)
        let plan = try UniformPlan.make(model: model, cluster: cluster, config: config, tp: 4, pp: 2)
        var options = SimulationOptions()
        options.recordTrace = true
        let result = try IterationSimulator(plan: plan, cluster: cluster, options: options).run()
        let text = ChromeTrace.render(result, plan: plan, cluster: cluster).encoded()
        let json = try JSONValue.parse(text)
        guard case .array(let events)? = json["traceEvents"] else { return XCTFail("no traceEvents array") }
        var perRank: [Int: [(name: String, ts: Double, dur: Double)]] = [:]
        for e in events {
            guard case .string(let ph)? = e["ph"], case .string(let name)? = e["name"], case .integer(let pid)? = e["pid"] else {
                return XCTFail("event without ph/name/pid: \(e.encoded())")
            }
            XCTAssertTrue(["X", "M"].contains(ph))
            guard ph == "X" else { continue }
            func number(_ v: JSONValue?) -> Double? {
                switch v {
                case .number(let d)?: return d
                case .integer(let i)?: return Double(i)
                default: return nil
                }
            }
            guard let ts = number(e["ts"]), let dur = number(e["dur"]), case .integer(let tid)? = e["tid"],
                  case .string? = e["cat"] else { return XCTFail("complete event missing fields: \(e.encoded())") }
            XCTAssertGreaterThanOrEqual(ts, 0)
            XCTAssertGreaterThanOrEqual(dur, 0)
            if pid == 1 { perRank[Int(tid), default: []].append((name, ts, dur)) }
        }
        // By hand, 1F1B with p = 2: stage 0 warms up with one extra forward (F F B B);
        // stage 1 alternates (F B F B). Equal shares interleave: replica 0 takes
        // micro-batches 0 and 2, replica 1 takes 1 and 3.
        let expected: [Int: [String]] = [
            0: ["F0", "F2", "B0", "B2"], 4: ["F1", "F3", "B1", "B3"],
            8: ["F0", "B0", "F2", "B2"], 12: ["F1", "B1", "F3", "B3"],
        ]
        for (rank, names) in expected {
            let ops = (perRank[rank] ?? []).sorted { $0.ts < $1.ts }
            XCTAssertEqual(ops.map(\.name), names, "rank \(rank)")
            // Operations on one chip never overlap.
            for (a, b) in zip(ops, ops.dropFirst()) { XCTAssertLessThanOrEqual(a.ts + a.dur, b.ts + 1e-6) }
            // Every TP lane of the group shows the same work.
            XCTAssertEqual((perRank[rank + 3] ?? []).sorted { $0.ts < $1.ts }.map(\.name), names)
        }
        // Stage 1 starts a micro-batch only after stage 0 finished it.
        let f0Stage0 = perRank[0]!.first { $0.name == "F0" }!
        let f0Stage1 = perRank[8]!.first { $0.name == "F0" }!
        XCTAssertGreaterThan(f0Stage1.ts, f0Stage0.ts + f0Stage0.dur)
        // Links that carried traffic have their own tracks.
        XCTAssertTrue(events.contains { $0["pid"] == .integer(2) && $0["ph"] == .string("X") })
    }
}
