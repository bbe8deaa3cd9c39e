/// The plan a homogeneous framework (Megatron-LM) would make: every stage gets the same
/// number of transformer blocks (embedding on the first stage, LM head on the last),
/// every replica the same share of the batch, whatever its chips.
///
/// Ranks are laid out as Megatron does: tensor parallel fastest (consecutive ranks of a
/// node), then data parallel, then pipeline: rank = stage·(dp·tp) + replica·tp + lane.
public enum UniformPlan {
    /// - Parameters:
    ///   - ranks: the ranks to use, in order (default: the whole cluster).
    public static func make(model: TransformerModel, cluster: Cluster, config: TrainingConfig, tp: Int, pp: Int,
                            ranks: [Int]? = nil) throws -> Plan {
        try config.validate()
        let ranks = ranks ?? Array(0..<cluster.chipCount)
        guard tp >= 1, pp >= 1 else { throw AmalgamError("tp and pp must be >= 1 (got tp \(tp), pp \(pp))") }
        try model.validateTP(tp)
        guard !ranks.isEmpty else { throw AmalgamError("the cluster has no chips") }
        guard ranks.count % (tp * pp) == 0 else {
            throw AmalgamError("\(ranks.count) chips cannot be split into tp \(tp) × pp \(pp) groups evenly (\(ranks.count) is not a multiple of \(tp * pp))")
        }
        let dp = ranks.count / (tp * pp)
        let m = config.microbatches
        guard m % dp == 0 else {
            throw AmalgamError("uniform data parallelism needs the \(m) micro-batches (global_batch \(config.globalBatch) / micro_batch \(config.microBatch)) divisible by dp \(dp)")
        }
        let blocks = model.numLayers
        guard blocks >= pp else {
            throw AmalgamError("pp \(pp) exceeds the model's \(blocks) transformer blocks")
        }
        var stages: [StagePlan] = []
        var first = 0
        for s in 0..<pp {
            // Blocks split as evenly as integers allow, the remainder to the earliest stages.
            let count = blocks / pp + (s < blocks % pp ? 1 : 0)
            let lower = s == 0 ? 0 : first
            let upper = first + count + (s == 0 ? 1 : 0) + (s == pp - 1 ? 1 : 0)
            first = upper
            let replicas = (0..<dp).map { d -> ReplicaPlan in
                let start = s * dp * tp + d * tp
                let group = Array(ranks[start..<(start + tp)])
                return ReplicaPlan(ranks: group, chip: cluster.chip(ofRank: group[0]), microbatches: m / dp)
            }
            stages.append(StagePlan(layers: lower..<upper, replicas: replicas))
        }
        let plan = Plan(model: model, config: config, stages: stages, cluster: cluster, strategy: "uniform")
        try plan.validate(on: cluster)
        return plan
    }
}
