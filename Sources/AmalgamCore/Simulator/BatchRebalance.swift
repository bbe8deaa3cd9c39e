extension Plan {
    /// The same plan with every stage's micro-batch shares re-split by the exact batch
    /// split, for `microbatches` per iteration (default: the plan's own), with each
    /// replica's compute time per micro-batch from the workload model and the given
    /// straggler factors. The global batch becomes `microbatches × micro_batch`.
    ///
    /// This is how a plan reacts to a slow chip without moving layers.
    public func rebalancingBatch(microbatches: Int? = nil, slowdown: [Int: Double] = [:],
                                 calibration: Calibration? = nil, options: CostOptions = .standard) throws -> Plan {
        let m = microbatches ?? config.microbatches
        guard m >= 1 else { throw AmalgamError("micro-batches per iteration must be >= 1 (got \(m))") }
        var copy = self
        copy.config.globalBatch = m * config.microBatch
        for (s, stage) in stages.enumerated() {
            let times = try stage.replicas.map { rep -> ReplicaTime in
                let cost = try model.stageCost(layers: stage.layers, chip: rep.chip, microBatch: config.microBatch, tp: rep.tp,
                                               recompute: config.recompute, sequenceParallel: config.sequenceParallel,
                                               calibration: calibration, options: options)
                let slow = rep.ranks.map { slowdown[$0] ?? 1 }.max() ?? 1
                return ReplicaTime(perMicrobatchSeconds: cost.totalSeconds * slow, maxMicrobatches: m)
            }
            let split = try BatchSplit.split(microbatches: m, replicas: times)
            for r in stage.replicas.indices { copy.stages[s].replicas[r].microbatches = split.microbatches[r] }
        }
        return copy
    }
}
