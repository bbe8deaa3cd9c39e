/// Simulates one training iteration of a `Plan` on its cluster as a discrete-event
/// run: every forward and backward of every micro-batch on every stage replica, every
/// activation and gradient transfer between stages, and the bucketed data-parallel
/// gradient synchronisation, with transfers sharing links through the flow engine.
///
/// Modelling choices (each documented where it is made):
/// - Compute times come from the workload model (calibrated values first); a
///   tensor-parallel group's collectives inside each layer are added to the layer
///   time as ring collectives on the group's own route (they stay inside the node).
/// - Tensor-parallel lanes are symmetric: lane i of one stage talks to lane i of the
///   next, and the data-parallel ring of lane i joins the i-th chips of the replicas.
///   Lanes use different chips' links, so lane 0 is simulated and the others mirror
///   it (exact unless lanes share a link, e.g. a PCIe host bridge).
/// - A data-parallel ring all-reduce of S bytes over R replicas is simulated as its
///   pipelined steady state: R concurrent neighbour flows of 2(R−1)/R·S bytes (half
///   that for ZeRO's reduce-scatter), followed by the rest of `RingCost`'s closed form
///   (per-step latencies, the reduction's memory traffic, pipeline fill and drain). Buckets start once every replica has produced them
///   (gradients become final during the replica's last backward, layer by layer) and
///   run one after another, overlapping the rest of that backward.
/// - The optimizer step is memory-bound; with ZeRO ≥ 1 the updated shards are
///   all-gathered afterwards; with ZeRO-3 the stage's weights are also all-gathered
///   before its first forward (the backward re-gather is assumed prefetched).
public struct IterationSimulator {
    public let plan: Plan
    public let cluster: Cluster
    public let options: SimulationOptions

    public init(plan: Plan, cluster: Cluster, options: SimulationOptions = SimulationOptions()) throws {
        try plan.validate(on: cluster)
        try options.validate()
        let v = plan.config.virtualStages
        if v > 1 {
            for (s, stage) in plan.stages.enumerated() {
                // Embedding and LM head ride along with the first and last chunk.
                let blocks = stage.layers.count - (stage.layers.contains(0) ? 1 : 0) - (stage.layers.contains(plan.model.layerCount - 1) ? 1 : 0)
                guard blocks % v == 0 else {
                    throw AmalgamError("stage \(s + 1) holds \(blocks) transformer blocks, which virtual_stages = \(v) does not divide; each model chunk must hold the same number of blocks")
                }
            }
        }
        self.plan = plan; self.cluster = cluster; self.options = options
    }

    /// Per-replica timing inputs.
    struct ReplicaTiming {
        var forward: Double        // one micro-batch through one chunk, seconds
        var backward: Double       // full backward of one micro-batch chunk
        var lane: Int              // lane-0 rank
        var slow: Double
    }

    /// Runs the iteration.
    public func run() throws -> SimulationResult {
        let config = plan.config
        let layout = try PipelineLayout(kind: config.schedule, shares: plan.stages.map { $0.replicas.map(\.microbatches) },
                                        virtualStages: config.virtualStages)
        var engine = try FlowEngine(topology: cluster, options: options.network)
        let v = Double(config.virtualStages)
        // Compute durations per replica.
        var timing: [[ReplicaTiming]] = []
        // One cost table per (chip type, tp): replicas repeat a handful of them, and a
        // table with measured data costs a scan of the store to build.
        var tables: [(chip: Chip, tp: Int, table: CostTable)] = []
        for stage in plan.stages {
            var row: [ReplicaTiming] = []
            for rep in stage.replicas {
                let table: CostTable
                if let hit = tables.first(where: { $0.tp == rep.tp && $0.chip == rep.chip }) {
                    table = hit.table
                } else {
                    table = try plan.model.costTable(chip: rep.chip, microBatch: config.microBatch, tp: rep.tp,
                                                     recompute: config.recompute, sequenceParallel: config.sequenceParallel,
                                                     calibration: options.calibration, options: options.costOptions)
                    tables.append((rep.chip, rep.tp, table))
                }
                let cost = try table.cost(layers: stage.layers)
                let tpTimes = tensorParallelSeconds(cost.tpCollective, bytesPerCollective: cost.tpBytesPerCollective,
                                                    forwardCollectives: cost.tpForwardCollectivesToTime,
                                                    backwardCollectives: cost.tpBackwardCollectivesToTime, rep)
                let slow = rep.ranks.map { options.slowdown[$0] ?? 1 }.max() ?? 1
                row.append(ReplicaTiming(forward: (cost.fwdSeconds * slow + tpTimes.fwd) / v,
                                         backward: (cost.bwdSeconds * slow + tpTimes.bwd) / v,
                                         lane: rep.ranks[0], slow: slow))
            }
            timing.append(row)
        }
        func duration(_ s: Int, _ r: Int, _ op: PipelineOp) -> Double {
            let t = timing[s][r]
            switch op.pass {
            case .forward: return t.forward
            case .backward: return t.backward
            // Matmul backward is two equal GEMMs (input and weight gradients), so ZB-H1's
            // B and W each take half the backward.
            case .backwardInput, .backwardWeight: return t.backward / 2
            }
        }
        let computeOnly = try PipelineTimeline.evaluate(layout) { e, op in duration(e.stage, e.replica, op) }

        var state = try SimulationState(plan: plan, layout: layout, options: options, cluster: cluster)
        state.timing = timing
        state.duration = duration
        try state.start(&engine)
        var events: [NetworkEvent] = []
        while engine.nextEvents(into: &events) {
            for e in events { try state.handle(e, &engine) }
        }
        guard state.finishedReplicas == state.totalReplicas else {
            throw AmalgamError("simulation stalled: \(state.totalReplicas - state.finishedReplicas) replicas never finished (a dependency cycle in the plan's schedule)")
        }
        return try state.result(engine: engine, computeOnlySeconds: computeOnly.makespanSeconds)
    }

    /// Seconds of the tensor-parallel collectives one micro-batch adds to the forward and
    /// backward of a replica: `forwardCollectives` / `backwardCollectives` ring
    /// collectives over the replica's ranks (`RingCost`).
    func tensorParallelSeconds(_ collective: TPCollectiveKind, bytesPerCollective: Double, forwardCollectives: Int,
                               backwardCollectives: Int, _ rep: ReplicaPlan) -> (fwd: Double, bwd: Double) {
        guard rep.tp > 1, bytesPerCollective > 0 else { return (0, 0) }
        let ring = RingEdgeSummary(topology: cluster, ranks: rep.ranks, options: options.network)
        let t = cluster.tensorParallelSeconds(collective, bytesPerCollective: bytesPerCollective,
                                              forwardCollectives: forwardCollectives, backwardCollectives: backwardCollectives,
                                              ranks: rep.ranks, ring: ring, options: options.network)
        return (t.forward, t.backward)
    }
}
