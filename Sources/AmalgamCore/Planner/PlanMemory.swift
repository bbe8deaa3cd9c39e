/// One chip's memory in a plan: the workload's `memory(...)` breakdown for its stage,
/// replica, ZeRO sharding over the stage's replicas and the schedule's in-flight count.
public struct PlanMemoryRow: Sendable, Equatable {
    /// 0-based stage.
    public var stage: Int
    /// 0-based replica of the stage.
    public var replica: Int
    /// Chip type of the replica.
    public var chipId: String
    /// TP degree of the replica.
    public var tp: Int
    /// One chip's memory by component.
    public var breakdown: MemoryBreakdown
}

extension Plan {
    /// Memory per stage and replica (every chip of a TP group holds the same slice).
    public func memoryRows() throws -> [PlanMemoryRow] {
        var rows: [PlanMemoryRow] = []
        for (s, stage) in stages.enumerated() {
            // Replicas of one chip type, tp and in-flight count hold identical memory.
            var seen: [(chip: String, tp: Int, held: Int, breakdown: MemoryBreakdown)] = []
            for (r, rep) in stage.replicas.enumerated() {
                let held = try config.schedule.inFlight(stage: s, pp: pp, microBatches: max(rep.microbatches, 1),
                                                         virtualStages: config.virtualStages)
                let inFlight = rep.microbatches > 0 ? held : 0
                if let b = seen.first(where: { $0.tp == rep.tp && $0.held == inFlight && $0.chip == rep.chip.id })?.breakdown {
                    rows.append(PlanMemoryRow(stage: s, replica: r, chipId: rep.chip.id, tp: rep.tp, breakdown: b))
                    continue
                }
                let b = try model.memory(chip: rep.chip, tp: rep.tp, pp: pp, ppStage: s, dp: stage.replicas.count,
                                         zero: config.zero, microBatch: config.microBatch, recompute: config.recompute,
                                         sequenceParallel: config.sequenceParallel, layers: stage.layers,
                                         inFlight: rep.microbatches > 0 ? held : 0, state: config.stateBytes)
                seen.append((rep.chip.id, rep.tp, inFlight, b))
                rows.append(PlanMemoryRow(stage: s, replica: r, chipId: rep.chip.id, tp: rep.tp, breakdown: b))
            }
        }
        return rows
    }

    /// Throws when any chip's memory exceeds its capacity, naming the stage, replica,
    /// the excess and the largest component.
    public func validateMemory() throws {
        for row in try memoryRows() where !row.breakdown.fits {
            let b = row.breakdown
            throw AmalgamError("stage \(row.stage + 1) replica \(row.replica + 1) (\(row.chipId), tp \(row.tp), layers \(b.layers.lowerBound)-\(b.layers.upperBound - 1)) needs \(PlannerFormat.gb(b.totalBytes)) per chip but has \(PlannerFormat.gb(b.capacityBytes)) (over by \(PlannerFormat.gb(b.totalBytes - b.capacityBytes)); \(MemoryBreakdown.largestComponent(b)) dominates)")
        }
    }
}

extension MemoryBreakdown {
    /// Name and size of the largest component, for error messages.
    static func largestComponent(_ b: MemoryBreakdown) -> String {
        let parts = [("weights", b.weightsBytes), ("gradients", b.gradientsBytes), ("optimizer state", b.optimizerBytes),
                     ("activations", b.activationsBytes), ("framework overhead", b.overheadBytes)]
        var top = parts[0]
        for p in parts where p.1 > top.1 { top = p }
        return "\(top.0) (\(PlannerFormat.gb(top.1)))"
    }
}

/// The cluster-wide lower bound on memory a model needs, used to reject impossible
/// requests with a message that says by how much and why.
public enum PlanFeasibility {
    /// Throws when the training state alone cannot fit the usable `ranks`: whatever the
    /// ZeRO stage and data-parallel degree, each parameter needs its weight, gradient
    /// and optimizer state at least once in the cluster (sharding splits copies, it
    /// cannot remove the last one), and every chip pays the framework overhead.
    public static func check(model: TransformerModel, cluster: Cluster, config: TrainingConfig, ranks: [Int]) throws {
        let p = Double(model.params)
        let s = config.stateBytes
        let parts = [("weights", p * s.weight), ("gradients", p * s.gradient), ("optimizer state", p * s.optimizer)]
        let state = parts.reduce(0) { $0 + $1.1 }
        let overhead = Double(ranks.count) * TransformerModel.defaultOverheadBytes
        let capacity = ranks.reduce(0.0) { $0 + cluster.chip(ofRank: $1).memBytes }
        guard state + overhead > capacity else { return }
        var top = parts[0]
        for q in parts where q.1 > top.1 { top = q }
        func tb(_ x: Double) -> String { "\(PlannerFormat.rounded(x / 1e12)) TB" }
        throw AmalgamError("\(model.name) needs at least \(tb(state + overhead)) (weights+grads+optimizer \(tb(state)) held once even with ZeRO-\(config.zero) sharding, plus \(tb(overhead)) framework overhead on \(ranks.count) chips) but the cluster has \(tb(capacity)): short by \(tb(state + overhead - capacity)); \(top.0) dominates (\(tb(top.1)), \(Int((top.1 / state * 100).rounded()))% of the state)")
    }
}
