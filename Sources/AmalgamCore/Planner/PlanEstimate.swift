/// One replica's part of an analytical plan estimate.
public struct ReplicaEstimate: Sendable, Equatable {
    /// Forward + backward seconds of one micro-batch (with in-node TP collectives).
    public var perMicrobatchSeconds: Double
    /// `microbatches × perMicrobatchSeconds`.
    public var computeSeconds: Double
    /// The backward part of `perMicrobatchSeconds` (with recomputation and TP collectives).
    public var backwardSeconds: Double = 0
}

/// One stage's part of an analytical plan estimate.
public struct StageEstimate: Sendable, Equatable {
    /// Per replica, in plan order.
    public var replicas: [ReplicaEstimate]
    /// Slowest replica's compute for its share (the stage's busy time per iteration).
    public var computeSeconds: Double
    /// One micro-batch's activation send to the next stage (0 for the last stage).
    public var boundarySeconds: Double
    /// Seconds the links to the next stage need to carry the whole batch's activations
    /// (0 for the last stage): the busiest of each replica's own sends, each receiver's
    /// receipts and the links every send crosses (a WAN, typically), by bytes ÷ effective
    /// rate. Latencies overlap across micro-batches, so they are not in it.
    public var linkSeconds: Double
    /// The stage's data-parallel gradient synchronisation (all-reduce, or reduce-scatter
    /// plus the post-optimizer all-gather with ZeRO ≥ 1); 0 with one replica.
    public var syncSeconds: Double
    /// The part of `syncSeconds` that runs after the optimizer step (ZeRO ≥ 1's
    /// all-gather of the updated shards), which no backward can hide.
    public var gatherSeconds: Double = 0
    /// Gradient buckets the gradient part of the synchronisation is split into (≥ 1).
    public var bucketCount: Double = 1
    /// The final backward the synchronisation overlaps (one micro-batch's backward of the
    /// stage's slowest active replica, per model chunk), set by the estimate.
    public var syncWindowSeconds: Double = 0
    /// The stage's optimizer step (slowest replica; measured where the store has it).
    public var optimizerSeconds: Double
    /// Time the stage finishes its last gradient-producing pass, from the iteration start.
    public var computeEndSeconds: Double
    /// Time the stage is done with synchronisation and optimizer.
    public var doneSeconds: Double

    /// Synchronisation seconds not hidden behind a final backward of `window` seconds:
    /// gradient buckets run while the backward produces them, except the last, which is
    /// ready only when the backward ends; the all-gather after the optimizer hides behind
    /// nothing. The one overlap rule of the analytical, timeline and explain figures.
    public func exposedSyncSeconds(window: Double) -> Double {
        let gradients = syncSeconds - gatherSeconds
        guard gradients > 0 else { return gatherSeconds }
        return max(gradients - window, gradients / max(bucketCount, 1)) + gatherSeconds
    }
}

/// An analytical estimate of one training iteration, built to track `IterationSimulator`
/// (which stays the final cost model):
///
/// - `τ_s` = one micro-batch's forward + backward on stage `s` (its slowest replica);
///   `B` = the busiest stage's compute for its share, `max_s max_r m_r·t_r`, or the
///   steady-state link bound (``StageEstimate/linkSeconds``) when a boundary's links
///   are slower than compute.
/// - 1F1B/GPipe pipeline end: `B + Σ_{s≠b} τ_s + 2·Σ p2p_s` (fill and drain go through
///   every other stage once forward and once backward); the interleaved schedule
///   divides the fill/drain terms by `v`.
/// - Stage `s` runs its last backward `Σ_{q<s} (β_q + p2p_q)` before the pipeline
///   end, `β_q` = stage q's backward of one micro-batch (the workload's or the
///   measured-data store's backward time, with TP collectives); its DP sync overlaps
///   that last backward except the last bucket (``StageEstimate/exposedSyncSeconds(window:)``),
///   then the optimizer and, with ZeRO ≥ 1, the all-gather.
/// - Iteration = `max_s` (stage done time).
public struct PlanEstimate: Sendable, Equatable {
    /// Per stage, in pipeline order.
    public var stages: [StageEstimate]
    /// Estimated seconds of one iteration.
    public var iterationSeconds: Double
    /// Index of the stage with the largest compute.
    public var bottleneckStage: Int
    /// `global_batch × seq_len / iterationSeconds`.
    public var tokensPerSecond: Double

    /// Link kinds that are one chip's own port (scale-up switch port, NIC), as opposed to
    /// links several chips' traffic can share (chip-to-chip, uplinks, fabric, host
    /// bridge, WAN).
    static let perChipKinds: Set<LinkKind> = [.scaleUp, .nic]
}

extension PlannerCostModel {
    /// The lane-0 data-parallel ring of `replicas` (their first ranks in plan order), from
    /// the cached node-pair paths, built by ``RingEdgeSummary``'s one edge rule: links
    /// several edges cross (a PCIe bridge, an oversubscribed uplink) give each its share;
    /// a chip's own ports (scale-up port, NIC) are never shared between edges, and the
    /// node-pair cache names one chip's, so they are not counted.
    mutating func ringEdges(_ replicas: [ReplicaPlan]) throws -> RingEdgeSummary {
        guard replicas.count > 1 else { return RingEdgeSummary() }
        var paths: [PathInfo] = []
        paths.reserveCapacity(replicas.count)
        for (i, rep) in replicas.enumerated() { paths.append(try path(rep.ranks[0], replicas[(i + 1) % replicas.count].ranks[0])) }
        let cluster = self.cluster
        return RingEdgeSummary(topology: cluster, ranks: replicas.map { $0.ranks[0] }, options: simulation.network,
                               edgeLinks: { paths[$0].links }, edgeLatencySeconds: { paths[$0].latencySeconds },
                               divides: { !PlanEstimate.perChipKinds.contains(cluster.links[$0].kind) })
    }

    /// The analytical estimate of `plan` (see ``PlanEstimate``).
    public mutating func estimate(_ plan: Plan) throws -> PlanEstimate {
        let m = Double(config.microbatches)
        let pp = plan.stages.count
        var stages: [StageEstimate] = []
        let actBytes = Double(config.microBatch * model.seqLen * model.hidden) * simulation.activationBytesPerElement
        for (s, stage) in plan.stages.enumerated() {
            var reps: [ReplicaEstimate] = []
            for rep in stage.replicas {
                let f = try figures(chip: rep.chip, ranks: rep.ranks)
                let t = f.seconds(stage.layers)
                reps.append(ReplicaEstimate(perMicrobatchSeconds: t, computeSeconds: Double(rep.microbatches) * t,
                                            backwardSeconds: t - f.forwardSeconds(stage.layers)))
            }
            var boundary = 0.0, link = 0.0
            if s + 1 < pp {
                // Micro-batches are dealt over the next stage's replicas, so sender k is
                // paired with receiver k mod Q; TP lane l talks to lane l.
                let senders = stage.replicas.filter { $0.microbatches > 0 }
                let receivers = plan.stages[s + 1].replicas.filter { $0.microbatches > 0 }
                var shared: [Int]? = nil
                var received = [Double](repeating: 0, count: receivers.count)
                for (k, rep) in senders.enumerated() {
                    let q = k % receivers.count, next = receivers[q]
                    let lanes = min(rep.tp, next.tp)
                    // Lane 0 stands for every lane (each lane's chips have links of the same
                    // rates). A chip's own ports (scale-up port, NIC) carry only its lane's
                    // share — the send and receipt terms — so they never count as shared,
                    // which also keeps the node-pair path cache's links (some chip's) safe.
                    // Chip-to-chip links inside a ring or mesh node may be crossed by every
                    // lane, or by one only: lane 1 of the first pair, routed afresh, settles it.
                    let info = try path(rep.ranks[0], next.ranks[0])
                    if shared?.isEmpty != true {
                        var nodeLevel = info.links.filter { !PlanEstimate.perChipKinds.contains(cluster.links[$0].kind) }
                        if k == 0 && lanes > 1 { nodeLevel = nodeLevel.filter(try cluster.path(from: rep.ranks[1], to: next.ranks[1]).links.contains) }
                        shared = shared.map { $0.filter(nodeLevel.contains) } ?? nodeLevel
                    }
                    let one = actBytes / Double(lanes) / (info.gbs * 1e9)
                    boundary = max(boundary, one + info.latencySeconds)
                    link = max(link, Double(rep.microbatches) * one)
                    received[q] = max(received[q], one)
                }
                for (q, next) in receivers.enumerated() { link = max(link, Double(next.microbatches) * received[q]) }
                for l in shared ?? [] { link = max(link, m * actBytes / linkBytesPerSecond(l)) }
            }
            let r = Double(stage.replicas.count)
            let lanes = Double(stage.replicas.map(\.tp).min() ?? 1)
            let f0 = try figures(chip: stage.replicas[0].chip, ranks: stage.replicas[0].ranks)
            let fullParams = f0.params(stage.layers) * Double(stage.replicas[0].tp)
            let perLane = fullParams / lanes
            var sync = 0.0, gather = 0.0, bucketCount = 1.0
            if stage.replicas.count > 1 {
                let grads = perLane * config.stateBytes.gradient
                let ring = try ringEdges(stage.replicas)
                // Gradients go in buckets, one ring after another (as the simulator runs
                // them), and every bucket's ring pays its steps' latencies: on a WAN hop of
                // milliseconds this latency term, not bandwidth, dominates.
                let buckets = max(1, (grads / simulation.bucketBytes).rounded(.up))
                bucketCount = buckets
                // Lane 0's ring stands for every lane (its ranks are only listed when the
                // cluster has measured curves to look them up in).
                let laneRanks = cluster.hasMeasuredCollectives ? stage.replicas.map { $0.ranks[0] } : []
                func seconds(_ kind: RingCollective, _ bytes: Double) -> Double {
                    cluster.ringSeconds(kind, bytes: bytes, ranks: laneRanks, ring: ring, options: simulation.network)
                }
                sync = buckets * seconds(config.zero >= 1 ? .reduceScatter : .allReduce, grads / buckets)
                if config.zero >= 1 {
                    gather = seconds(.allGather, perLane * config.stateBytes.weight)
                    sync += gather
                }
            }
            let held = config.zero >= 1 ? perLane / r : perLane
            var opt = 0.0, lastChip = ""
            for rep in stage.replicas where rep.chip.id != lastChip {
                lastChip = rep.chip.id
                opt = max(opt, simulation.optimizerStepSeconds(params: held, chip: rep.chip))
            }
            stages.append(StageEstimate(replicas: reps, computeSeconds: reps.map(\.computeSeconds).max() ?? 0,
                                        boundarySeconds: boundary, linkSeconds: link, syncSeconds: sync, gatherSeconds: gather,
                                        bucketCount: bucketCount, optimizerSeconds: opt, computeEndSeconds: 0, doneSeconds: 0))
        }
        let back = plan.stages.indices.map { s in
            zip(plan.stages[s].replicas, stages[s].replicas).filter { $0.0.microbatches > 0 }.map(\.1.backwardSeconds).max() ?? 0
        }
        let tau = plan.stages.indices.map { s in
            zip(plan.stages[s].replicas, stages[s].replicas).filter { $0.0.microbatches > 0 }.map(\.1.perMicrobatchSeconds).max() ?? 0
        }
        var b = 0
        for s in stages.indices where stages[s].computeSeconds > stages[b].computeSeconds { b = s }
        let linkBound = stages.map(\.linkSeconds).max() ?? 0
        let busiest = max(stages[b].computeSeconds, linkBound)
        let v = Double(config.virtualStages)
        let fill = (tau.enumerated().filter { $0.offset != b }.map(\.element).reduce(0, +)
                    + 2 * stages.map(\.boundarySeconds).reduce(0, +)) / v
        let end = busiest + fill
        var iteration = 0.0
        var before = 0.0
        for s in stages.indices {
            let computeEnd = end - before / v
            before += back[s] + stages[s].boundarySeconds
            stages[s].syncWindowSeconds = back[s] / v
            let exposed = stages[s].exposedSyncSeconds(window: stages[s].syncWindowSeconds)
            stages[s].computeEndSeconds = computeEnd
            stages[s].doneSeconds = computeEnd + exposed + stages[s].optimizerSeconds
            iteration = max(iteration, stages[s].doneSeconds)
        }
        let tokens = Double(config.globalBatch * model.seqLen)
        return PlanEstimate(stages: stages, iterationSeconds: iteration, bottleneckStage: b,
                            tokensPerSecond: iteration > 0 ? tokens / iteration : 0)
    }
}
