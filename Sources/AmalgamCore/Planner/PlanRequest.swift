/// How a plan is chosen.
public enum PlanStrategy: String, Sendable, CaseIterable {
    /// Search over TP per chip type, pipeline depth, stage layout and order, with the
    /// exact layer and batch split kernels; baselines are included as candidates.
    case auto
    /// Megatron-style: equal blocks per stage, equal batch share per replica.
    case uniform
    /// Layers by peak FLOP/s per stage, batch by peak FLOP/s per replica, rounded.
    case proportional

    /// Parses a strategy name, listing the choices on error.
    public static func parse(_ text: String) throws -> PlanStrategy {
        try choice(text, what: "strategy")
    }
}

/// Everything a planner run needs.
public struct PlanRequest: Sendable {
    /// The model to train.
    public var model: TransformerModel
    /// The cluster to place it on.
    public var cluster: Cluster
    /// Batch and training options (the micro-batch is overridden by `microBatchOptions`).
    public var config: TrainingConfig
    /// How to choose the plan.
    public var strategy: PlanStrategy
    /// TP degrees to try per chip type (each must divide the model's heads and fit a node).
    public var tpOptions: [Int]
    /// Pipeline depths to try; nil = a default ladder up to the model's blocks.
    public var ppOptions: [Int]?
    /// Micro-batch sizes to try (the config's global batch must divide by each).
    public var microBatchOptions: [Int]
    /// Ranks the plan must not use (failed chips, drained nodes).
    public var excludedRanks: Set<Int>
    /// Alternatives to return.
    public var top: Int
    /// Candidates (by the pipeline-timeline estimate) re-ranked with the simulator, plus
    /// each baseline's own best that many unless a compute-only bound rules them out;
    /// capped so planning stays fast on large clusters (one simulation of 8,192 chips
    /// takes seconds).
    public var simulateTop: Int
    /// Candidates (by analytical estimate, plus each baseline's own best that many)
    /// re-estimated on the pipeline timeline before the simulator tier.
    public var timelineTop: Int = AutoPlanner.timelineTop
    /// Options of the simulator runs (and of the cost model: calibration, cost options).
    public var simulation: SimulationOptions

    /// Defaults: tp {1, 2, 4, 8}, the pp ladder, the config's micro-batch, top 5, simulate 2,
    /// timeline 24.
    public init(model: TransformerModel, cluster: Cluster, config: TrainingConfig, strategy: PlanStrategy = .auto,
                tpOptions: [Int] = [1, 2, 4, 8], ppOptions: [Int]? = nil, microBatchOptions: [Int]? = nil,
                excludedRanks: Set<Int> = [], top: Int = 5, simulateTop: Int = 2, simulation: SimulationOptions = SimulationOptions()) {
        self.model = model; self.cluster = cluster; self.config = config; self.strategy = strategy
        self.tpOptions = tpOptions; self.ppOptions = ppOptions
        self.microBatchOptions = microBatchOptions ?? [config.microBatch]
        self.excludedRanks = excludedRanks; self.top = top; self.simulateTop = simulateTop; self.simulation = simulation
    }

    /// Checks the request's own figures, naming the bad field.
    public func validate() throws {
        guard cluster.chipCount > 0 else { throw AmalgamError("the cluster has no chips") }
        guard !microBatchOptions.isEmpty else { throw AmalgamError("micro_batch: give at least one size") }
        for mb in microBatchOptions {
            guard mb >= 1 else { throw AmalgamError("micro_batch must be >= 1 sequence (got \(mb))") }
            guard config.globalBatch % mb == 0 else {
                throw AmalgamError("global_batch \(config.globalBatch) is not divisible by micro_batch \(mb); every micro-batch must be full")
            }
        }
        var c = config; c.microBatch = microBatchOptions[0]
        try c.validate()
        guard !tpOptions.isEmpty else { throw AmalgamError("tp: give at least one degree") }
        let maxNode = cluster.nodes.map(\.chipCount).max() ?? 0
        for tp in tpOptions {
            do { try model.validateTP(tp) } catch let e as AmalgamError { throw AmalgamError("tp option \(tp): \(e.message)") }
            guard tp <= maxNode else {
                throw AmalgamError("tp option \(tp) exceeds the largest node (\(maxNode) chips); a TP group must sit inside one node")
            }
        }
        for pp in ppOptions ?? [] {
            guard pp >= 1 && pp <= model.numLayers else {
                throw AmalgamError("pp option \(pp) must be between 1 and the model's \(model.numLayers) transformer blocks")
            }
        }
        guard top >= 1 else { throw AmalgamError("top must be >= 1 (got \(top))") }
        guard simulateTop >= 1 else { throw AmalgamError("simulate_top must be >= 1 (got \(simulateTop))") }
        guard timelineTop >= 1 else { throw AmalgamError("timeline_top must be >= 1 (got \(timelineTop))") }
        for r in excludedRanks where r < 0 || r >= cluster.chipCount {
            throw AmalgamError("excluded rank \(r) does not exist (the cluster has ranks 0..\(cluster.chipCount - 1))")
        }
    }

    /// Ranks the plan may use, ascending.
    public var usableRanks: [Int] { (0..<cluster.chipCount).filter { !excludedRanks.contains($0) } }
}

/// One evaluated plan.
public struct PlanCandidate: Sendable {
    /// The plan.
    public var plan: Plan
    /// Which builder produced it: `exact` (the search's kernels), `proportional`,
    /// `uniform` or `manual`.
    public var origin: String
    /// The analytical estimate (``PlanEstimate``).
    public var analyticalSeconds: Double
    /// The pipeline-timeline estimate (``PlannerCostModel/timelineSeconds(_:estimate:)``),
    /// when this candidate was among the best analytically.
    public var timelineSeconds: Double? = nil
    /// The simulated iteration time, when this candidate was re-ranked.
    public var simulatedSeconds: Double?
    /// The time the candidate is ranked by: simulated, else timeline, else analytical.
    public var estimateSeconds: Double { simulatedSeconds ?? timelineSeconds ?? analyticalSeconds }
    /// TP degree per chip type, in first-use order, e.g. `a100:8,h20:4`.
    public var tpSummary: String {
        var seen: [String] = []
        for s in plan.stages { for r in s.replicas where !seen.contains("\(r.chip.id):\(r.tp)") { seen.append("\(r.chip.id):\(r.tp)") } }
        return seen.joined(separator: ",")
    }
}

/// The planner's answer: the best plan and ranked alternatives (best first, including it).
public struct PlanResult: Sendable {
    /// The fastest simulated candidate.
    public var best: PlanCandidate
    /// Ranked candidates, best first: the simulated ones by simulated time, then the rest by analytical estimate.
    public var alternatives: [PlanCandidate]
    /// The simulator's result for the best plan.
    public var simulation: SimulationResult
    /// Candidate plans evaluated analytically.
    public var candidatesEvaluated: Int
}
