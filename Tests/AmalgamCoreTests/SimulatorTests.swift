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

final class MegatronProbe: XCTestCase {
    func testProbe() throws {
        // table 1 rows: (preset, gpus, tp, pp, gb, mb, v, published TFLOP/s)
        let rows: [(String, Int, Int, Int, Int, Int, Int, Double)] = [
            ("megatron-1.7b", 32, 1, 1, 512, 16, 1, 137), ("megatron-3.6b", 64, 2, 1, 512, 16, 1, 138),
            ("megatron-7.5b", 128, 4, 1, 512, 16, 1, 142), ("megatron-18.4b", 256, 8, 1, 1024, 8, 1, 135),
            ("megatron-39.1b", 512, 8, 2, 1536, 4, 1, 138), ("megatron-76.1b", 1024, 8, 4, 1792, 2, 3, 140),
            ("megatron-145.6b", 1536, 8, 8, 2304, 2, 2, 148), ("megatron-310.1b", 1920, 8, 16, 2160, 1, 2, 155),
            ("megatron-529.6b", 2520, 8, 35, 2520, 1, 3, 163), ("megatron-1t", 3072, 8, 64, 3072, 1, 1, 163),
        ]
        for (id, gpus, tp, pp, gb, mb, v, published) in rows {
            let c = try ClusterSpec(name: "selene", sites: [SiteSpec(name: "s", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", chips: gpus)])]).compile()
            let model = try TransformerModel.preset(id)
            let config = TrainingConfig(globalBatch: gb, microBatch: mb, zero: 0, recompute: .full, schedule: v > 1 ? .interleaved : .oneFOneB, virtualStages: v)
            let plan = try UniformPlan.make(model: model, cluster: c, config: config, tp: tp, pp: pp)
            let start = Date()
            let r = try IterationSimulator(plan: plan, cluster: c).run()
            let tflops = model.flopsPerToken(recompute: .full) * Double(gb * model.seqLen) / Double(gpus) / r.iterationSeconds / 1e12
            print(String(format: "%@ pred %.1f pub %.0f err %+.1f%% iter %.2fs computeOnly %.2fs sim %.2fs", id, tflops, published, (tflops / published - 1) * 100, r.iterationSeconds, r.computeOnlySeconds, Date().timeIntervalSince(start)))
        }
    }
}
