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
