import AmalgamCore
import XCTest

final class SimulatorTests: XCTestCase {
    /// 2 nodes × 8 A100 in one site.
    func cluster(nodes: Int = 2, chip: String = "nvidia_a100_sxm4_80g") throws -> Cluster {
        try ClusterSpec(name: "test", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec(chip, nodes: nodes)])]).compile()
    }

    /// Stage s gets `layers[s]`; each stage has `replicas` TP groups of `tp` chips, consecutive ranks.
    func plan(_ c: Cluster, model: TransformerModel, layers: [Range<Int>], replicas: Int, tp: Int, shares: [Int],
              config: TrainingConfig) -> Plan {
        var rank = 0
        let stages = layers.map { range -> StagePlan in
            StagePlan(layers: range, replicas: shares.map { n in
                defer { rank += tp }
                return ReplicaPlan(ranks: Array(rank..<(rank + tp)), chip: c.chip(ofRank: rank), microbatches: n)
            })
        }
        return Plan(model: model, config: config, stages: stages, cluster: c, strategy: "manual")
    }

    func testSmallRunProducesConsistentFigures() throws {
        let c = try cluster()
        let model = try TransformerModel.preset("gpt3-1.3b")
        let config = TrainingConfig(globalBatch: 16, microBatch: 2, zero: 1, recompute: .none)
        let n = model.layerCount
        let p = plan(c, model: model, layers: [0..<(n / 2), (n / 2)..<n], replicas: 2, tp: 4, shares: [4, 4], config: config)
        let r = try IterationSimulator(plan: p, cluster: c).run()
        print(r.iterationSeconds, r.computeOnlySeconds, r.mfu, r.bubbleFraction, r.flowCount)
        XCTAssertGreaterThan(r.iterationSeconds, r.computeOnlySeconds)
        XCTAssertGreaterThan(r.mfu, 0.05)
        XCTAssertLessThan(r.mfu, 0.8)
        XCTAssertEqual(r.chips.count, 16)
    }
}

