import AmalgamCore
import XCTest

/// The planner follows the measured-data store in every tier.
final class PlannerMeasuredDataTests: XCTestCase {
    static let a100 = "nvidia_a100_sxm4_40g"

    static func cluster(nodes: Int = 2) throws -> Cluster {
        try ClusterSpec(name: "a100", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec(a100, nodes: nodes)])]).compile()
    }

    /// A profile in which tensor parallelism scales as published per-layer profiles show
    /// for an A100 at micro-batch 1 (TP 4 only 1.87x TP 1, i.e. t ∝ tp^-0.45), measured
    /// for every layer kind at tp 1, 2, 4, 8 in the planner's default setting.
    static func poorTPProfile(_ model: TransformerModel, chip: Chip) throws -> Calibration {
        var cal = Calibration()
        for tp in [1, 2, 4, 8] {
            for kind in [LayerKind.embedding, .block, .lmHead] {
                let r = try model.layerCost(kind: kind, chip: chip, microBatch: 1, tp: 1, recompute: .selective)
                let k = pow(Double(tp), 0.45)
                try cal.add(chip: chip, model: model, kind: kind, microBatch: 1, tp: tp, recompute: .selective,
                            fwdMs: r.fwdSeconds * 1000 / k, bwdMs: r.bwdSeconds * 1000 / k)
            }
        }
        return cal
    }

    static func maxTP(_ p: Plan) -> Int { p.stages.flatMap(\.replicas).map(\.tp).max() ?? 0 }

    /// Must-show 1: with a profile where TP scales poorly the chosen plan uses less TP
    /// than the roofline planner's, and the top-tier estimates track the simulator.
    func testPoorTPScalingProfileGivesLessTP() throws {
        let c = try Self.cluster()
        let model = try TransformerModel.preset("gpt3-13b")
        var request = PlanRequest(model: model, cluster: c, config: TrainingConfig(globalBatch: 128, microBatch: 1))
        let roofline = try AutoPlanner.plan(request)
        request.simulation.calibration = try Self.poorTPProfile(model, chip: try ChipCatalog.chip(Self.a100))
        let measured = try AutoPlanner.plan(request)
        XCTAssertLessThan(Self.maxTP(measured.best.plan), Self.maxTP(roofline.best.plan),
                          "roofline tp \(Self.maxTP(roofline.best.plan)), measured tp \(Self.maxTP(measured.best.plan))")
        // The measured plan is better under the measured costs than the roofline's choice.
        let rooflineUnderProfile = try IterationSimulator(plan: roofline.best.plan, cluster: c, options: request.simulation).run()
        XCTAssertLessThan(measured.simulation.iterationSeconds, rooflineUnderProfile.iterationSeconds)
        // Every simulated candidate's timeline and analytical estimates are within 5% of its simulation.
        for cand in measured.alternatives {
            guard let sim = cand.simulatedSeconds else { continue }
            XCTAssertEqual(cand.timelineSeconds ?? cand.analyticalSeconds, sim, accuracy: 0.05 * sim, "\(cand.origin) pp \(cand.plan.pp)")
            XCTAssertEqual(cand.analyticalSeconds, sim, accuracy: 0.05 * sim, "\(cand.origin) pp \(cand.plan.pp)")
        }
    }

    /// A measured profile reaches every tier: a hand-made plan's analytical estimate moves
    /// with the store exactly as the simulation does.
    func testEstimateFollowsMeasuredBlocks() throws {
        let c = try Self.cluster(nodes: 1)
        let model = try TransformerModel.preset("opt-350m")
        let chip = try ChipCatalog.chip(Self.a100)
        var request = PlanRequest(model: model, cluster: c, config: TrainingConfig(globalBatch: 64, microBatch: 1),
                                  tpOptions: [1], ppOptions: [1])
        var cal = Calibration()
        try cal.add(chip: chip, model: model, microBatch: 1, fwdMs: 10, bwdMs: 20)
        request.simulation.calibration = cal
        let r = try AutoPlanner.plan(request)
        // 8 replicas x 8 micro-batches x 24 blocks x 30 ms, plus the rescaled embedding and head.
        XCTAssertGreaterThan(r.best.analyticalSeconds, 8 * 24 * 0.030)
        XCTAssertEqual(r.best.analyticalSeconds, r.simulation.iterationSeconds, accuracy: 0.01 * r.simulation.iterationSeconds)
    }

    /// A measured optimizer step replaces the memory-bound one in the estimate and the
    /// simulation alike (one formula: ``SimulationOptions/optimizerStepSeconds(params:chip:)``).
    func testMeasuredOptimizerStepReachesEstimateAndSimulator() throws {
        let c = try Self.cluster(nodes: 1)
        let model = try TransformerModel.preset("gpt3-1.3b")
        let chip = try ChipCatalog.chip(Self.a100)
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 0)
        let plan = try UniformPlan.make(model: model, cluster: c, config: config, tp: 8, pp: 1)
        var options = SimulationOptions()
        let before = try IterationSimulator(plan: plan, cluster: c, options: options).run().iterationSeconds
        var costs = PlannerCostModel(model: model, cluster: c, config: config, simulation: options)
        let estimateBefore = try costs.estimate(plan)
        var cal = Calibration()
        try cal.addOptimizerStep(chip: chip, model: model, tp: 8, updateMs: 500)
        options.calibration = cal
        let after = try IterationSimulator(plan: plan, cluster: c, options: options).run().iterationSeconds
        costs = PlannerCostModel(model: model, cluster: c, config: config, simulation: options)
        let estimateAfter = try costs.estimate(plan)
        XCTAssertEqual(estimateAfter.stages[0].optimizerSeconds, 0.5, accuracy: 1e-9)
        XCTAssertEqual(after - before, 0.5 - estimateBefore.stages[0].optimizerSeconds, accuracy: 1e-6)
        XCTAssertEqual(estimateAfter.iterationSeconds - estimateBefore.iterationSeconds, after - before, accuracy: 1e-6)
    }

    /// ZeRO's all-gather runs after the optimizer and cannot hide behind the backward; the
    /// gradient buckets can, all but the last. A data-parallel-heavy plan (16 replicas over
    /// two nodes, one micro-batch each) is then estimated within 3% of the simulator
    /// (measured: 0.0–2.1%), where overlapping the all-gather too put ZeRO-1's estimate 22% under.
    func testSynchronisationOverlapMatchesSimulator() throws {
        let c = try ClusterSpec(name: "a", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: 2)])]).compile()
        let model = try TransformerModel.preset("gpt3-2.7b")
        for zero in [0, 1] {
            let config = TrainingConfig(globalBatch: 32, microBatch: 2, zero: zero)
            let plan = try UniformPlan.make(model: model, cluster: c, config: config, tp: 1, pp: 1)
            var costs = PlannerCostModel(model: model, cluster: c, config: config)
            let e = try costs.estimate(plan)
            let sim = try IterationSimulator(plan: plan, cluster: c).run().iterationSeconds
            XCTAssertEqual(e.iterationSeconds, sim, accuracy: 0.03 * sim, "zero \(zero)")
            XCTAssertEqual(try costs.timelineSeconds(plan, estimate: e), sim, accuracy: 0.03 * sim, "zero \(zero)")
        }
    }
}

/// Measured collective curves (nccl-tests output) reach the simulator and the planner.
final class MeasuredCollectiveUseTests: XCTestCase {
    /// A curve whose algbw is `gbs` GB/s at every size from 1 MiB to 1 GiB (in place).
    static func curve(_ kind: CollectiveKind, gbs: Double, ranks: Int) throws -> MeasuredCollectiveCurve {
        let points = (20...30).map { e -> MeasuredCollectivePoint in
            let bytes = Double(1 << e)
            let t = MeasuredTiming(seconds: 20e-6 + bytes / (gbs * 1e9), algbwGBs: gbs, busbwGBs: gbs)
            return MeasuredCollectivePoint(bytes: bytes, elementCount: (1 << e) / 4, dataType: "float", outOfPlace: t, inPlace: t)
        }
        return try MeasuredCollectiveCurve(collective: kind, rankCount: ranks, points: points)
    }

    /// Data parallelism over 16 ranks of two nodes: a slow measured all-reduce for exactly
    /// those ranks slows the simulation and the estimate alike; the model is used otherwise.
    func testMeasuredDataParallelRing() throws {
        var spec = ClusterSpec(name: "a", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: 2)])])
        let model = try TransformerModel.preset("gpt3-1.3b")
        let config = TrainingConfig(globalBatch: 16, microBatch: 1, zero: 0)
        let plain = try spec.compile()
        let plan = try UniformPlan.make(model: model, cluster: plain, config: config, tp: 1, pp: 1)
        let before = try IterationSimulator(plan: plan, cluster: plain).run().iterationSeconds
        spec.attach(try Self.curve(.allReduce, gbs: 1, ranks: 16), ranks: Array(0..<16))
        let measured = try spec.compile()
        let after = try IterationSimulator(plan: plan, cluster: measured).run().iterationSeconds
        // 2.6 GB of gradients at 1 GB/s algbw, in 25 MB buckets: about 2.6 s more.
        let grads = try model.paramsPerChip(layers: 0..<model.layerCount, tp: 1) * 2
        let buckets = (grads / 25e6).rounded(.up)
        let expected = buckets * (20e-6 + grads / buckets / 1e9)
        XCTAssertGreaterThan(after - before, 0.9 * expected)
        var costs = PlannerCostModel(model: model, cluster: measured, config: config)
        let e = try costs.estimate(plan)
        XCTAssertEqual(e.stages[0].syncSeconds, expected, accuracy: 1e-9 * expected)
        XCTAssertEqual(e.iterationSeconds, after, accuracy: 0.03 * after)
        // A plan whose DP groups are other rank sets ignores the curve.
        let halves = try UniformPlan.make(model: model, cluster: measured, config: config, tp: 2, pp: 1)
        let a = try IterationSimulator(plan: halves, cluster: measured).run().iterationSeconds
        let b = try IterationSimulator(plan: halves, cluster: plain).run().iterationSeconds
        XCTAssertEqual(a, b, accuracy: 1e-12)
    }

    /// A measured all-reduce over one TP group replaces the ring model for that group only.
    func testMeasuredTensorParallelGroup() throws {
        var spec = ClusterSpec(name: "a", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: 1)])])
        let model = try TransformerModel.preset("gpt3-1.3b")
        let config = TrainingConfig(globalBatch: 8, microBatch: 1, zero: 0)
        let plain = try spec.compile()
        let plan = try UniformPlan.make(model: model, cluster: plain, config: config, tp: 8, pp: 1)
        spec.attach(try Self.curve(.allReduce, gbs: 5, ranks: 8), ranks: Array(0..<8))
        let measured = try spec.compile()
        let cost = try model.stageCost(layers: 0..<model.layerCount, chip: plain.groups[0].chip, microBatch: 1, tp: 8,
                                       recompute: config.recompute)
        let one = 20e-6 + cost.tpBytesPerCollective / 5e9
        let tpSeconds = Double(cost.tpForwardCollectives + cost.tpBackwardCollectives) * one
        var costs = PlannerCostModel(model: model, cluster: measured, config: config)
        let e = try costs.estimate(plan)
        XCTAssertEqual(e.stages[0].replicas[0].perMicrobatchSeconds, cost.totalSeconds + tpSeconds, accuracy: 1e-9)
        let sim = try IterationSimulator(plan: plan, cluster: measured).run().iterationSeconds
        XCTAssertEqual(e.iterationSeconds, sim, accuracy: 0.02 * sim)
        // The same figures on the plain cluster do not come from the curve.
        var plainCosts = PlannerCostModel(model: model, cluster: plain, config: config)
        XCTAssertLessThan(try plainCosts.estimate(plan).stages[0].replicas[0].perMicrobatchSeconds, cost.totalSeconds + tpSeconds)
    }
}
