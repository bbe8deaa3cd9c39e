import AmalgamCore
import XCTest

/// Small mixed clusters for planner tests.
enum PlannerFixtures {
    /// A100 + Ascend 910B2 + H20 nodes of 8 chips in one site (or the H20s in a second
    /// site joined by a WAN link).
    static func mixed(a100: Int = 1, ascend: Int = 1, h20: Int = 1, sites: Int = 1) throws -> Cluster {
        var groups = [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: a100), NodeGroupSpec("huawei_ascend_910b2", nodes: ascend),
                      NodeGroupSpec("nvidia_h20", nodes: h20)].filter { ($0.nodes ?? 0) > 0 }
        if sites == 1 { return try ClusterSpec(name: "mixed", sites: [SiteSpec(name: "a", groups: groups)]).compile() }
        let second = [groups.removeLast()]
        return try ClusterSpec(name: "mixed2", sites: [SiteSpec(name: "a", groups: groups), SiteSpec(name: "b", groups: second)],
                               wan: [WanLinkSpec("a", "b", gbps: 400, latencyMs: 2)]).compile()
    }

    static func request(_ c: Cluster, _ id: String = "gpt3-1.3b", batch: Int = 24, strategy: PlanStrategy = .auto,
                        tp: [Int] = [2, 4, 8], pp: [Int]? = [1, 2, 3, 4]) throws -> PlanRequest {
        PlanRequest(model: try TransformerModel.preset(id), cluster: c, config: TrainingConfig(globalBatch: batch, microBatch: 1),
                    strategy: strategy, tpOptions: tp, ppOptions: pp, simulateTop: 2)
    }
}

final class PlannerAutoTests: XCTestCase {
    func testTiming() throws {
        let c = try PlannerFixtures.mixed()
        var t = Date()
        let req = try PlannerFixtures.request(c)
        let u = try UniformPlan.make(model: req.model, cluster: c, config: req.config, tp: 8, pp: 1)
        _ = try IterationSimulator(plan: u, cluster: c).run()
        print("one sim", Date().timeIntervalSince(t)); t = Date()
        let auto = try AutoPlanner.plan(req)
        print("auto", Date().timeIntervalSince(t), auto.candidatesEvaluated, auto.best.estimateSeconds, auto.best.origin, auto.best.plan.pp, auto.best.tpSummary)
        for a in auto.alternatives { print(a.origin, a.plan.pp, a.tpSummary, a.analyticalSeconds, a.simulatedSeconds ?? -1) }
    }
}
