@testable import AmalgamCore
import XCTest

/// The analytical estimate, the layouts and the rounding rules against closed forms.
final class PlannerEstimateTests: XCTestCase {
    /// The simulator's uncontended rate between two ranks (line rate × link efficiency
    /// at the route's bottleneck), bytes/s: the rate the estimate must use.
    private func effectiveRate(_ c: Cluster, _ a: Int, _ b: Int) throws -> Double {
        var engine = try FlowEngine(topology: c, options: NetworkOptions())
        return try engine.routeInfo(src: a, dst: b).bytesPerSecond
    }

    /// One stage, one replica (tp 8, one node): no pipeline, no DP sync, so the estimate is
    /// M · t + optimizer, with t the workload's fwd+bwd plus the simulator's TP ring
    /// collectives and the optimizer params·28 B ÷ memory bandwidth.
    func testSingleReplicaClosedForm() throws {
        let c = try PlannerFixtures.mixed(a100: 1, ascend: 0, h20: 0)
        let m = try TransformerModel.preset("gpt3-1.3b")
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 1, recompute: .selective)
        let plan = try Plan.manual(model: m, cluster: c, config: config,
                                   stages: [ManualStage(firstLayer: 0, lastLayer: m.layerCount - 1, replicas: [(Array(0..<8), 8)])])
        // The pure link model (NCCL's protocol latencies off), so the closed form below is RingCost's bare ring.
        var options = SimulationOptions()
        options.network.protocolChoice = .off
        var costs = PlannerCostModel(model: m, cluster: c, config: config, simulation: options)
        let e = try costs.estimate(plan)
        let chip = c.chip(ofRank: 0)
        let cost = try m.stageCost(layers: 0..<m.layerCount, chip: chip, microBatch: 1, tp: 8, recompute: .selective)
        let path = try c.path(from: 0, to: 1)
        let rate = try effectiveRate(c, 0, 1)
        var tpSeconds = 0.0
        for l in 0..<m.layerCount {
            let lc = try m.layerCost(l, chip: chip, microBatch: 1, tp: 8, recompute: .selective)
            guard lc.tpBytesPerCollective > 0 else { continue }
            // One ring all-reduce per collective (RingCost: slices of 512 KiB pipelined
            // over 14 steps, the reduce-scatter half's reductions at the chip's memory
            // rate) on the switch node's uniform ring.
            XCTAssertEqual(lc.tpCollective, .allReduce)
            let one = RingCost.ringCollectiveSeconds(kind: .allReduce, ranks: 8, bytes: lc.tpBytesPerCollective,
                                                     bandwidthBytesPerSecond: rate, latencySeconds: path.latencySeconds,
                                                     reductionSecondsPerByte: 3 / chip.memBytesPerSecond, sliceBytes: 512 * 1024)
            tpSeconds += Double(lc.tpForwardCollectives + lc.tpBackwardCollectives) * one
        }
        let t = cost.fwdSeconds + cost.bwdSeconds + tpSeconds
        let optimizer = cost.params * 28 / chip.memBytesPerSecond
        XCTAssertEqual(e.iterationSeconds, 8 * t + optimizer, accuracy: 1e-9 * e.iterationSeconds)
        XCTAssertEqual(e.stages[0].syncSeconds, 0)
        // And the simulator agrees within 10 % on this pipeline-free plan.
        let sim = try IterationSimulator(plan: plan, cluster: c, options: options).run()
        XCTAssertEqual(sim.iterationSeconds / e.iterationSeconds, 1, accuracy: 0.1)
        // With NCCL's protocol model (the default) every collective only gets slower.
        var withProtocols = PlannerCostModel(model: m, cluster: c, config: config)
        XCTAssertGreaterThan(try withProtocols.estimate(plan).iterationSeconds, e.iterationSeconds)
    }

    /// Two identical stages: fill/drain adds one τ of the other stage and two boundary
    /// sends: iteration = M·τ + τ + 2·p2p + optimizer (no DP).
    func testTwoStagePipelineClosedForm() throws {
        let c = try PlannerFixtures.mixed(a100: 2, ascend: 0, h20: 0)
        let m = try TransformerModel.preset("gpt3-1.3b")
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 0)
        let plan = try UniformPlan.make(model: m, cluster: c, config: config, tp: 8, pp: 2)
        var costs = PlannerCostModel(model: m, cluster: c, config: config)
        let e = try costs.estimate(plan)
        let t0 = e.stages[0].replicas[0].perMicrobatchSeconds, t1 = e.stages[1].replicas[0].perMicrobatchSeconds
        let path = try c.path(from: 0, to: 8)
        let p2p = Double(m.seqLen * m.hidden) * 2 / 8 / (try effectiveRate(c, 0, 8)) + path.latencySeconds
        XCTAssertEqual(e.stages[0].boundarySeconds, p2p, accuracy: 1e-15)
        let b = t0 >= t1 ? 0 : 1
        let end = 8 * max(t0, t1) + (b == 0 ? t1 : t0) + 2 * p2p
        let done0 = end + e.stages[0].optimizerSeconds
        let done1 = end - (e.stages[0].replicas[0].backwardSeconds + p2p) + e.stages[1].optimizerSeconds
        XCTAssertEqual(e.iterationSeconds, max(done0, done1), accuracy: 1e-12)
    }

    /// DP sync of two replicas, ZeRO-0: one ring all-reduce (RingCost) per 25 MB bucket,
    /// buckets one after another, S = stage params (per lane) × 2 B.
    func testDataParallelSyncClosedForm() throws {
        let c = try PlannerFixtures.mixed(a100: 2, ascend: 0, h20: 0)
        let m = try TransformerModel.preset("gpt3-1.3b")
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 0)
        let plan = try UniformPlan.make(model: m, cluster: c, config: config, tp: 8, pp: 1)
        var options = SimulationOptions()
        options.network.protocolChoice = .off     // the bare ring; protocols are RingCost's own tests
        var costs = PlannerCostModel(model: m, cluster: c, config: config, simulation: options)
        let e = try costs.estimate(plan)
        let params = try m.stageCost(layers: 0..<m.layerCount, chip: c.chip(ofRank: 0), microBatch: 1, tp: 8).params
        let path = try c.path(from: 0, to: 8)
        // Buckets of 25 MB run one after another; each is a ring all-reduce over the two
        // replicas (both edges the 0 <-> 8 path), sliced and with its reductions.
        let buckets = (params * 2 / 25e6).rounded(.up)
        let one = RingCost.ringCollectiveSeconds(kind: .allReduce, ranks: 2, bytes: params * 2 / buckets,
                                                 bandwidthBytesPerSecond: try effectiveRate(c, 0, 8),
                                                 latencySeconds: path.latencySeconds,
                                                 reductionSecondsPerByte: 3 / c.chip(ofRank: 0).memBytesPerSecond,
                                                 sliceBytes: 512 * 1024)
        XCTAssertEqual(e.stages[0].syncSeconds, buckets * one, accuracy: 1e-12)
        // The old form (2(R−1)/R·S/B + 2 latencies per bucket) left out the reductions;
        // the new one is that plus them, up to the pipeline's tail.
        XCTAssertGreaterThan(e.stages[0].syncSeconds, params * 2 / (try effectiveRate(c, 0, 8)) + buckets * path.latencySeconds)
    }

    /// Four TP-2 replicas per stage on either side of a 1 Gb/s WAN: every activation
    /// crosses the WAN, so the boundary's link time is M · activation bytes ÷ the WAN's
    /// effective rate — not M times one send's time with its latency, which would count
    /// the four replicas' sends as if they queued behind each other.
    func testLinkTimeOfASharedWAN() throws {
        let c = try ClusterSpec(name: "wan", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: 1)]),
                                                    SiteSpec(name: "b", groups: [NodeGroupSpec("nvidia_h20", nodes: 1)])],
                                wan: [WanLinkSpec("a", "b", gbps: 1, latencyMs: 5)]).compile()
        let m = try TransformerModel.preset("gpt3-1.3b")
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 0)
        let half = m.layerCount / 2
        let plan = try Plan.manual(model: m, cluster: c, config: config, stages: [
            ManualStage(firstLayer: 0, lastLayer: half - 1, replicas: (0..<4).map { ([2 * $0, 2 * $0 + 1], 2) }),
            ManualStage(firstLayer: half, lastLayer: m.layerCount - 1, replicas: (0..<4).map { ([8 + 2 * $0, 9 + 2 * $0], 2) }),
        ])
        var costs = PlannerCostModel(model: m, cluster: c, config: config)
        let e = try costs.estimate(plan)
        let wan = try XCTUnwrap(c.links.indices.first { c.links[$0].kind == .wan })
        let wanRate = 1e9 / 8 * NetworkOptions().efficiency(of: c.links[wan], index: wan)
        let act = Double(m.seqLen * m.hidden) * 2
        XCTAssertEqual(e.stages[0].linkSeconds, 8 * act / wanRate, accuracy: 1e-9 * e.stages[0].linkSeconds)
        XCTAssertEqual(e.stages[1].linkSeconds, 0)
        // One send still pays the route latency (it is what fill and drain wait for).
        XCTAssertEqual(e.stages[0].boundarySeconds, act / 2 / (try effectiveRate(c, 0, 8)) + (try c.path(from: 0, to: 8)).latencySeconds,
                       accuracy: 1e-12)
    }

    /// One TP-8 replica per stage on two nodes: each lane's activations leave through its
    /// own chip's NIC, so the boundary's link time is one lane's share over a NIC (or the
    /// whole activation over the node-level links every lane crosses) — not the whole
    /// activation over one NIC.
    func testLinkTimeOfEightLanes() throws {
        let c = try PlannerFixtures.mixed(a100: 2, ascend: 0, h20: 0)
        let m = try TransformerModel.preset("gpt3-1.3b")
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 0)
        let plan = try UniformPlan.make(model: m, cluster: c, config: config, tp: 8, pp: 2)
        var costs = PlannerCostModel(model: m, cluster: c, config: config)
        let e = try costs.estimate(plan)
        let act = Double(m.seqLen * m.hidden) * 2
        let laneRate = try effectiveRate(c, 0, 8)
        var expected = 8 * act / 8 / laneRate
        for l in try c.path(from: 0, to: 8).links where ![.nic, .scaleUp].contains(c.links[l].kind) {
            expected = max(expected, 8 * act / (c.links[l].gbs * 1e9 * NetworkOptions().efficiency(of: c.links[l], index: l)))
        }
        XCTAssertEqual(e.stages[0].linkSeconds, expected, accuracy: 1e-12 * expected)
        XCTAssertLessThan(e.stages[0].linkSeconds, 8 * act / laneRate / 2)
    }

    /// Regression (found in review): on a ring node every lane of a boundary inside the
    /// node crosses the link between the two stages' chips (c3→c4 for tp 4, pp 2), so that
    /// link carries the whole batch's activations; chip-to-chip links are not one chip's own.
    func testLinkTimeInsideARingNode() throws {
        let group = NodeGroupSpec(chip: .catalog("nvidia_a100_sxm4_80g"), nodes: 1, intraTopology: .ring)
        let c = try ClusterSpec(name: "ring", sites: [SiteSpec(name: "a", groups: [group])]).compile()
        let m = try TransformerModel.preset("gpt3-1.3b")
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 0)
        let plan = try UniformPlan.make(model: m, cluster: c, config: config, tp: 4, pp: 2)
        var costs = PlannerCostModel(model: m, cluster: c, config: config)
        let e = try costs.estimate(plan)
        let bridge = try XCTUnwrap(c.links.indices.first { c.links[$0].name.hasSuffix("c3->c4") })
        let rate = c.links[bridge].gbs * 1e9 * NetworkOptions().efficiency(of: c.links[bridge], index: bridge)
        let act = Double(m.seqLen * m.hidden) * 2
        XCTAssertGreaterThanOrEqual(e.stages[0].linkSeconds, 8 * act / rate * (1 - 1e-12))
    }

    /// Largest remainder: 10 by (1, 1, 2) → exact (2.5, 2.5, 5) → (3, 2, 5) (tie to the lower index).
    func testProportionalRounding() {
        XCTAssertEqual(StageAssembly.proportional(10, [1, 1, 2], minimum: 0), [3, 2, 5])
        XCTAssertEqual(StageAssembly.proportional(7, [100, 1, 1], minimum: 1), [5, 1, 1])
        XCTAssertEqual(StageAssembly.proportional(2, [1, 1, 1], minimum: 1), [1, 1, 0])
        for (total, w) in [(31, [0.3, 2.0, 7.5]), (5, [1.0, 1.0])] {
            XCTAssertEqual(StageAssembly.proportional(total, w, minimum: 0).reduce(0, +), total)
        }
    }

    /// Units: tp-sized groups of consecutive ranks inside each node; excluded chips leave gaps.
    func testUnitsAndLayouts() throws {
        let c = try PlannerFixtures.mixed(a100: 1, ascend: 1, h20: 1, sites: 2)
        let u = ReplicaLayout.units(cluster: c, tpByChip: ["nvidia_a100_sxm4_80g": 4, "huawei_ascend_910b2": 8, "nvidia_h20": 2], excluded: [1])
        // Node 0 without rank 1: free 0,2,...,7 → one tp-4 group [0,2,3,4]; 5,6,7 left over.
        XCTAssertEqual(u.map(\.ranks), [[0, 2, 3, 4], Array(8..<16), [16, 17], [18, 19], [20, 21], [22, 23]])
        for pp in 1...6 {
            for layout in StageLayout.allCases {
                guard let g = ReplicaLayout.stages(u, pp: pp, layout: layout) else { XCTFail("\(layout) pp \(pp)"); continue }
                XCTAssertEqual(g.count, pp)
                XCTAssertEqual(g.flatMap { $0 }.sorted(), Array(u.indices), "every unit once")
                if layout == .mixed && pp >= 2 {
                    for stage in g { XCTAssertEqual(Set(stage.map { u[$0].site }).count, 1, "a mixed stage stays in one site") }
                }
            }
        }
        XCTAssertNil(ReplicaLayout.stages(u, pp: 7, layout: .contiguous))
    }
}

extension PlannerEstimateTests {
    /// On a ring node the TP ring depends on which chips a group joins: the planner's
    /// per-group figures must not reuse the first group's for another placement.
    func testRingNodeGroupsArePricedByPlacement() throws {
        var spec = ClusterSpec(name: "r", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: 1)])])
        spec.sites[0].groups[0].intraTopology = .ring
        let c = try spec.compile()
        let m = try TransformerModel.preset("llama2-7b")
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 0, recompute: .none)
        func estimate(_ a: [Int], _ b: [Int]) throws -> PlanEstimate {
            let plan = try Plan.manual(model: m, cluster: c, config: config,
                                       stages: [ManualStage(firstLayer: 0, lastLayer: m.layerCount - 1, replicas: [(a, 4), (b, 4)])])
            var costs = PlannerCostModel(model: m, cluster: c, config: config)
            return try costs.estimate(plan)
        }
        let one = try estimate([0, 1, 2, 3], [4, 6, 5, 7]), other = try estimate([4, 6, 5, 7], [0, 1, 2, 3])
        XCTAssertEqual(one.iterationSeconds, other.iterationSeconds, accuracy: 1e-12)
        XCTAssertNotEqual(one.stages[0].replicas[0].perMicrobatchSeconds, one.stages[0].replicas[1].perMicrobatchSeconds)
        XCTAssertEqual(one.stages[0].replicas[0].perMicrobatchSeconds, other.stages[0].replicas[1].perMicrobatchSeconds, accuracy: 1e-15)
    }
}

extension PlannerEstimateTests {
    /// Eight data-parallel replicas on one PCIe node share its bridge: the planner's ring
    /// divides it between the ring's edges as the simulator does (it was 7.7x too fast).
    func testDataParallelRingOnSharedBridge() throws {
        let c = try ClusterSpec(name: "p", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec("nvidia_rtx_4090", nodes: 1)])]).compile()
        let m = try TransformerModel.preset("gpt3-350m")
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 0)
        let plan = try UniformPlan.make(model: m, cluster: c, config: config, tp: 1, pp: 1)
        var costs = PlannerCostModel(model: m, cluster: c, config: config)
        let e = try costs.estimate(plan)
        let sim = try IterationSimulator(plan: plan, cluster: c).run().iterationSeconds
        XCTAssertEqual(e.iterationSeconds, sim, accuracy: 0.03 * sim)
    }
}
