/// One row of a plan explanation: what a replica does, what it costs and what limits it.
public struct PlanExplainRow: Sendable, Equatable {
    /// 0-based stage.
    public var stage: Int
    /// 0-based replica.
    public var replica: Int
    /// Chip type.
    public var chipId: String
    /// Ranks of the TP group.
    public var ranks: [Int]
    /// TP degree.
    public var tp: Int
    /// First and last layer, inclusive (0 = embedding).
    public var firstLayer: Int
    /// Last layer, inclusive.
    public var lastLayer: Int
    /// Micro-batches per iteration.
    public var microbatches: Int
    /// Compute for the replica's share per iteration (analytical).
    public var computeSeconds: Double
    /// Its boundary sends (activations forward, gradients back) plus the stage's DP sync.
    public var commSeconds: Double
    /// Bytes one chip of the replica needs.
    public var memUsedBytes: Double
    /// The chip's capacity, bytes.
    public var memCapacityBytes: Double
    /// What limits the replica: `memory` (≥ 95 % of capacity), `link to stage k`
    /// (1-based; the boundary's steady-state time reaches the stage's compute),
    /// `data-parallel sync` (the exposed sync exceeds 10 % of the iteration),
    /// `compute` (the bottleneck stage) or `compute (slack)` (a faster stage waiting on it).
    public var binding: String
    /// Where the replica's layer times come from (measured, interpolated, rescaled,
    /// roofline, or mixed when its layers differ): see ``Calibration``.
    public var timing: TimingSource = .roofline
}

/// Evaluates a fixed plan (hand-written or found): exact memory check, analytical
/// estimate and simulation.
public enum PlanEvaluation {
    /// Validates `plan` (placement and memory) and simulates it; the candidate's
    /// `simulatedSeconds` is the simulator's iteration time.
    public static func evaluate(_ plan: Plan, cluster: Cluster, simulation: SimulationOptions = SimulationOptions(),
                                origin: String = "manual") throws -> (candidate: PlanCandidate, simulation: SimulationResult) {
        try plan.validate(on: cluster)
        try plan.validateMemory()
        var costs = PlannerCostModel(model: plan.model, cluster: cluster, config: plan.config, simulation: simulation)
        let e = try costs.estimate(plan)
        let r = try IterationSimulator(plan: plan, cluster: cluster, options: simulation).run()
        return (PlanCandidate(plan: plan, origin: origin, analyticalSeconds: e.iterationSeconds, simulatedSeconds: r.iterationSeconds), r)
    }

    /// Explanation rows for every stage and replica, in order.
    public static func explain(_ plan: Plan, cluster: Cluster, simulation: SimulationOptions = SimulationOptions()) throws -> [PlanExplainRow] {
        var costs = PlannerCostModel(model: plan.model, cluster: cluster, config: plan.config, simulation: simulation)
        let e = try costs.estimate(plan)
        let mem = try plan.memoryRows()
        var rows: [PlanExplainRow] = []
        var k = 0
        for (s, stage) in plan.stages.enumerated() {
            let st = e.stages[s]
            let exposedSync = st.exposedSyncSeconds(window: st.syncWindowSeconds)
            for (r, rep) in stage.replicas.enumerated() {
                let b = mem[k].breakdown
                k += 1
                let sends = Double(rep.microbatches) * (st.boundarySeconds + (s > 0 ? e.stages[s - 1].boundarySeconds : 0))
                let binding: String
                if b.totalBytes >= 0.95 * b.capacityBytes { binding = "memory" }
                else if s + 1 < plan.pp && st.linkSeconds >= st.computeSeconds { binding = "link to stage \(s + 2)" }
                else if exposedSync > 0.1 * e.iterationSeconds { binding = "data-parallel sync" }
                else if s == e.bottleneckStage { binding = "compute" }
                else { binding = "compute (slack)" }
                rows.append(PlanExplainRow(stage: s, replica: r, chipId: rep.chip.id, ranks: rep.ranks, tp: rep.tp,
                                           firstLayer: stage.layers.lowerBound, lastLayer: stage.layers.upperBound - 1,
                                           microbatches: rep.microbatches, computeSeconds: st.replicas[r].computeSeconds,
                                           commSeconds: sends + st.syncSeconds, memUsedBytes: b.totalBytes,
                                           memCapacityBytes: b.capacityBytes, binding: binding,
                                           timing: try plan.model.stageCost(layers: stage.layers, chip: rep.chip,
                                                                            microBatch: plan.config.microBatch, tp: rep.tp,
                                                                            recompute: plan.config.recompute,
                                                                            sequenceParallel: plan.config.sequenceParallel,
                                                                            calibration: simulation.calibration,
                                                                            options: simulation.costOptions).timing))
            }
        }
        return rows
    }
}
