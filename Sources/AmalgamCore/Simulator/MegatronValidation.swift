import Foundation

/// One configuration of Narayanan et al. SC'21 (arXiv 2104.04473) Tables 1–2, as
/// recorded in `shared/reference/published/megatron_sc21_table1.csv`, and how to
/// simulate it.
public struct MegatronRow: Sendable, Equatable {
    public var table: Int
    public var paramsB: Double
    public var gpus: Int
    public var tp: Int
    public var pp: Int
    public var globalBatch: Int
    public var microBatch: Int
    /// Interleaved model chunks per stage (1 = plain 1F1B).
    public var virtualStages: Int
    /// Published per-GPU TFLOP/s (counting the recompute forward pass).
    public var publishedTflops: Double

    public init(table: Int, paramsB: Double, gpus: Int, tp: Int, pp: Int, globalBatch: Int, microBatch: Int,
                virtualStages: Int, publishedTflops: Double) {
        self.table = table; self.paramsB = paramsB; self.gpus = gpus; self.tp = tp; self.pp = pp
        self.globalBatch = globalBatch; self.microBatch = microBatch; self.virtualStages = virtualStages
        self.publishedTflops = publishedTflops
    }

    /// The preset with this row's shape (the Megatron weak-scaling family; Table 2 uses
    /// the 175B and 530B shapes).
    public func model() throws -> TransformerModel {
        switch paramsB {
        case 174.6:
            // The paper's GPT-3 175B shape with Megatron's 51,200-token vocabulary.
            return try TransformerModel(name: "megatron-175b", layers: 96, hidden: 12288, ffnHidden: 4 * 12288, ffnKind: .gelu,
                                        heads: 96, vocab: 51200, seqLen: 2048, tiedEmbeddings: true, position: .learned,
                                        norm: .layernorm, linearBias: true, dropout: true)
        case 1008.0: return try TransformerModel.preset("megatron-1t")
        default:
            let id = "megatron-" + NumberText.trimmed(paramsB) + "b"
            return try TransformerModel.preset(id)
        }
    }

    /// Simulates the row as the paper ran it: A100 80GB on Selene (DGX A100: 8 GPUs per
    /// node, 8 × HDR 200 Gb/s), Megatron's rank layout, fp16 with full activation
    /// recomputation, no ZeRO, and gradients all-reduced after the backward (no overlap,
    /// as Megatron-LM's DDP did in 2021). Returns predicted per-GPU TFLOP/s counted as
    /// the paper counts them (with recompute) and the simulation.
    public func simulate(options base: SimulationOptions = SimulationOptions()) throws -> (tflops: Double, result: SimulationResult) {
        let cluster = try ClusterSpec(name: "selene", sites: [SiteSpec(name: "selene", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", chips: gpus)])]).compile()
        let model = try self.model()
        let config = TrainingConfig(globalBatch: globalBatch, microBatch: microBatch, zero: 0, recompute: .full,
                                    schedule: virtualStages > 1 ? .interleaved : .oneFOneB, virtualStages: virtualStages)
        let plan = try UniformPlan.make(model: model, cluster: cluster, config: config, tp: tp, pp: pp)
        var options = base
        options.overlapGradientReduce = false
        let result = try IterationSimulator(plan: plan, cluster: cluster, options: options).run()
        let flops = model.flopsPerToken(recompute: .full) * Double(globalBatch * model.seqLen)
        return (flops / Double(gpus) / result.iterationSeconds / 1e12, result)
    }
}

/// Short decimal text without trailing zeros ("1.7", "18.4", "310.1").
enum NumberText {
    static func trimmed(_ x: Double) -> String {
        var s = String(format: "%.1f", x)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
}
