/// Per-layer figures of one (chip type, tp) combination for one training setting, with
/// prefix sums so a planner can cost and size any layer range in O(1).
struct PlannerLayerFigures {
    /// Prefix sums over layers of: fwd+bwd seconds per micro-batch (including the
    /// in-node tensor-parallel collectives), parameters held per chip, activation
    /// bytes per in-flight micro-batch.
    let secondsPrefix: [Double]
    /// Prefix sums of the forward part alone (with its TP collectives).
    let forwardPrefix: [Double]
    let paramsPrefix: [Double]
    let activationPrefix: [Double]
    /// Extra parameters a last stage holds for a tied embedding it does not own.
    let tiedExtraParams: Double
    let layerCount: Int

    @inline(__always) func seconds(_ r: Range<Int>) -> Double { secondsPrefix[r.upperBound] - secondsPrefix[r.lowerBound] }
    @inline(__always) func forwardSeconds(_ r: Range<Int>) -> Double { forwardPrefix[r.upperBound] - forwardPrefix[r.lowerBound] }
    @inline(__always) func params(_ r: Range<Int>) -> Double {
        paramsPrefix[r.upperBound] - paramsPrefix[r.lowerBound]
            + (r.upperBound == layerCount && r.lowerBound > 0 ? tiedExtraParams : 0)
    }
    @inline(__always) func activations(_ r: Range<Int>) -> Double { activationPrefix[r.upperBound] - activationPrefix[r.lowerBound] }
}

/// The planner's cost model: per-layer compute from the workload model (with the same
/// calibration and cost options the simulator uses), tensor-parallel collectives as
/// ring collectives over the TP group (`RingCost`, as the simulator), memory by the
/// workload's `memory(...)` rules. Tables are cached per (chip type, tp).
public struct PlannerCostModel: Sendable {
    /// The model being planned.
    public let model: TransformerModel
    /// The cluster the ranks belong to.
    public let cluster: Cluster
    /// Batch, micro-batch, ZeRO, recompute and schedule of every estimate.
    public let config: TrainingConfig
    /// Calibration, cost options and optimizer/activation figures shared with the simulator.
    public let simulation: SimulationOptions
    /// Figures per (node group, tp, whether the first two ranks share a node): the group,
    /// not the chip id, decides them, since groups of one chip type may override its
    /// scale-up rate, topology or hop latency (and with them the TP collectives). A
    /// handful of entries, scanned linearly (cheaper than hashing a key per replica).
    /// `curves` tells TP groups with measured collective curves apart (-1: none).
    /// `placement` tells TP groups at different chips of a non-switch node apart (-1: a switch).
    private var cache: [(group: Int, tp: Int, sameNode: Bool, curves: Int, placement: Int, figures: PlannerLayerFigures)] = []
    private var pathCache = IntKeyTable<PathInfo>()

    /// Empty caches; tables are built on first use.
    public init(model: TransformerModel, cluster: Cluster, config: TrainingConfig, simulation: SimulationOptions = SimulationOptions()) {
        self.model = model; self.cluster = cluster; self.config = config; self.simulation = simulation
    }

    /// Route figures between two ranks' nodes (cached by node pair: chips of one node
    /// share its scale-out links, so the pair decides the bottleneck). `gbs` is the
    /// simulator's effective rate — each link's line rate times its efficiency
    /// (``NetworkOptions``) — so the planner's transfers take what the flow engine's
    /// uncontended ones take.
    mutating func path(_ a: Int, _ b: Int) throws -> PathInfo {
        let key = cluster.node(ofRank: a) &* cluster.nodes.count &+ cluster.node(ofRank: b)
        if a != b, cluster.node(ofRank: a) == cluster.node(ofRank: b) {
            return effective(try cluster.path(from: a, to: b))
        }
        if let p = pathCache.value(for: key) { return p }
        let p = effective(try cluster.path(from: a, to: b))
        pathCache.insert(p, for: key)
        return p
    }

    /// Effective rate of cluster link `l`, bytes/s (line rate × efficiency).
    func linkBytesPerSecond(_ l: Int) -> Double {
        let link = cluster.links[l]
        return link.gbs * simulation.network.efficiency(of: link, index: l) * 1e9
    }

    private func effective(_ p: PathInfo) -> PathInfo {
        guard !p.links.isEmpty else { return p }
        var gbs = Double.infinity
        for l in p.links {
            let link = cluster.links[l]
            gbs = min(gbs, link.gbs * simulation.network.efficiency(of: link, index: l))
        }
        return PathInfo(gbs: gbs, latencySeconds: p.latencySeconds, hops: p.hops, links: p.links)
    }

    /// The layer figures of a TP group whose first two ranks are `ranks` (the pair
    /// decides the TP collective route).
    mutating func figures(chip: Chip, ranks: [Int]) throws -> PlannerLayerFigures {
        let tp = ranks.count
        let node = cluster.node(ofRank: ranks[0])
        let sameNode = node == cluster.node(ofRank: ranks[min(1, tp - 1)])
        let group = cluster.nodes[node].group
        let curves = tp > 1 ? cluster.measuredCurveTag(ranks: ranks) : -1
        // On a switch every TP group of a node group has the same ring; on ring, mesh and
        // PCIe nodes the ring depends on which chips of the node it joins, in which order.
        var placement = -1
        if tp > 1 && chip.intraTopology != .switch {
            let first = cluster.nodes[node].ranks.lowerBound
            placement = 0
            for r in ranks { placement = placement &* 1_000_003 &+ (r - first) }
        }
        if let hit = cache.first(where: {
            $0.group == group && $0.tp == tp && $0.sameNode == sameNode && $0.curves == curves && $0.placement == placement
        }) {
            return hit.figures
        }
        let table = try model.costTable(chip: chip, microBatch: config.microBatch, tp: tp, recompute: config.recompute,
                                        sequenceParallel: config.sequenceParallel, calibration: simulation.calibration,
                                        options: simulation.costOptions)
        var sp = [0.0], fp = [0.0], pp = [0.0], ap = [0.0]
        // The TP group's ring (only on a cache miss): every edge's route, shared links divided.
        let ring = tp > 1 ? RingEdgeSummary(topology: cluster, ranks: ranks, options: simulation.network) : nil
        for l in 0..<model.layerCount {
            let c = try table.layer(l)
            var t = c.fwdSeconds + c.bwdSeconds
            var forward = c.fwdSeconds
            if let ring {
                let tpTimes = cluster.tensorParallelSeconds(c.tpCollective, bytesPerCollective: c.tpBytesPerCollective,
                                                            forwardCollectives: c.tpForwardCollectivesToTime,
                                                            backwardCollectives: c.tpBackwardCollectivesToTime,
                                                            ranks: ranks, ring: ring, options: simulation.network)
                t += tpTimes.forward + tpTimes.backward
                forward += tpTimes.forward
            }
            sp.append(sp[l] + t); fp.append(fp[l] + forward); pp.append(pp[l] + c.params); ap.append(ap[l] + c.activationBytes)
        }
        let tied = model.tiedCopyParams(layers: 1..<model.layerCount, tp: tp)
        let f = PlannerLayerFigures(secondsPrefix: sp, forwardPrefix: fp, paramsPrefix: pp, activationPrefix: ap, tiedExtraParams: tied,
                                    layerCount: model.layerCount)
        cache.append((group, tp, sameNode, curves, placement, f))
        return f
    }

    /// Training-state bytes per parameter on one chip with the config's ZeRO stage over `dp` replicas.
    func stateBytesPerParam(dp: Int) -> Double {
        let s = config.stateBytes, n = Double(max(dp, 1)), z = config.zero
        return s.weight / (z >= 3 ? n : 1) + s.gradient / (z >= 2 ? n : 1) + s.optimizer / (z >= 1 ? n : 1)
    }

    /// Micro-batches of activations stage `position` of `pp` holds when it runs `m`.
    func inFlight(position: Int, pp: Int, microbatches m: Int) throws -> Int {
        try config.schedule.inFlight(stage: position, pp: pp, microBatches: max(m, 1), virtualStages: config.virtualStages)
    }

    /// Bytes one chip of a replica needs for `range` at `position` of `pp`, with `dp`
    /// replicas sharing ZeRO state and `inFlight` micro-batches of activations: the
    /// workload's `memory(...)` formula on prefix sums.
    func bytes(_ f: PlannerLayerFigures, _ range: Range<Int>, dp: Int, inFlight: Int) -> Double {
        f.params(range) * stateBytesPerParam(dp: dp) + Double(inFlight) * f.activations(range) + TransformerModel.defaultOverheadBytes
    }
}
