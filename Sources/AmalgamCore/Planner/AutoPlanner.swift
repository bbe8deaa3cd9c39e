/// The planner driver: enumerates TP degree per chip type, micro-batch size, pipeline
/// depth and stage layout; builds each candidate with the exact kernels
/// (``StageAssembly``), the proportional rule and Megatron's uniform rule; checks memory
/// exactly (``Plan/validateMemory()``); then ranks in three tiers — the analytical
/// ``PlanEstimate`` for every candidate, the pipeline timeline
/// (``PlannerCostModel/timelineSeconds(_:estimate:)``) for the best `timelineTop`, the
/// ``IterationSimulator`` for the best `simulateTop` of those. Every tier also keeps each
/// baseline's own best (what that strategy would keep alone), so `auto` can never lose to
/// a baseline; a baseline is only left unsimulated when its compute-only bound proves it
/// slower than the best simulated plan. TP assignments and simulations run on all cores.
public enum AutoPlanner {
    /// Pipeline depths tried when none are given.
    public static let ppLadder = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128]
    /// Cartesian TP combinations above this count switch to one-type-at-a-time variation.
    public static let maxTPCombinations = 32
    /// Feasible pipeline depths tried past the best one before the ladder stops.
    public static let ppPatience = 2
    /// Stage groups ordered exhaustively by ``StageOrder`` up to this count (heuristic
    /// swaps beyond): 8 distinct groups cost up to ~1 s each (kernel benchmark), too much
    /// inside a search that orders hundreds of layouts; 5 groups are 120 orders at most.
    public static let exhaustiveOrderLimit = 5
    /// Default ``PlanRequest/timelineTop``: the timeline costs about 3 ms a candidate at
    /// 1,024 chips, so 24 (and as many per baseline) stay well under the search's time.
    public static let timelineTop = 24

    /// Plans `request` by its strategy.
    public static func plan(_ request: PlanRequest) throws -> PlanResult {
        try request.validate()
        let usable = request.usableRanks
        guard !usable.isEmpty else { throw AmalgamError("no chips left to plan on (all \(request.cluster.chipCount) ranks excluded)") }
        try PlanFeasibility.check(model: request.model, cluster: request.cluster, config: request.config, ranks: usable)
        var search = Search(request: request)
        for mb in request.microBatchOptions {
            var config = request.config
            config.microBatch = mb
            try search.run(config: config)
        }
        return try search.finish()
    }

    /// Chip types among the usable ranks (first-appearance order) with the TP degrees each allows.
    static func tpChoices(_ request: PlanRequest) -> [(chip: String, tps: [Int])] {
        var out: [(chip: String, tps: [Int])] = []
        let excluded = request.excludedRanks
        for node in request.cluster.nodes {
            let free = node.ranks.filter { !excluded.contains($0) }.count
            guard free > 0 else { continue }
            let id = request.cluster.groups[node.group].chip.id
            let tps = request.tpOptions.filter { $0 <= free }
            if let k = out.firstIndex(where: { $0.chip == id }) {
                out[k].tps = out[k].tps.filter { tps.contains($0) } .isEmpty ? out[k].tps : out[k].tps.filter { tps.contains($0) }
            } else { out.append((id, tps)) }
        }
        return out.filter { !$0.tps.isEmpty }
    }

    /// TP assignments to try: the full product when small, else every uniform degree
    /// plus one chip type varied at a time around each uniform one.
    static func tpCombinations(_ choices: [(chip: String, tps: [Int])]) -> [[String: Int]] {
        let product = choices.reduce(1) { $0 * $1.tps.count }
        if product <= maxTPCombinations {
            var out: [[String: Int]] = [[:]]
            for c in choices { out = out.flatMap { base in c.tps.map { var d = base; d[c.chip] = $0; return d } } }
            return out
        }
        var out: [[String: Int]] = []
        let all = Array(Set(choices.flatMap(\.tps))).sorted()
        for tp in all {
            var base: [String: Int] = [:]
            for c in choices { base[c.chip] = c.tps.contains(tp) ? tp : c.tps.min { abs($0 - tp) < abs($1 - tp) }! }
            if !out.contains(base) { out.append(base) }
            for c in choices { for t in c.tps where t != base[c.chip] {
                var d = base; d[c.chip] = t
                if !out.contains(d) { out.append(d) }
            } }
        }
        return out
    }

    struct Search {
        let request: PlanRequest
        var candidates: [PlanCandidate] = []
        var evaluated = 0
        /// The memory error of the candidate closest to fitting (for the no-plan error).
        var closest: (ratio: Double, message: String)? = nil

        init(request: PlanRequest) { self.request = request }

        mutating func consider(_ plan: Plan?, origin: String, costs: inout PlannerCostModel) throws {
            guard var plan else { return }
            evaluated += 1
            plan.strategy = request.strategy.rawValue
            do { try plan.validate(on: request.cluster) } catch { return }
            if plan.config.virtualStages > 1 {
                // Interleaving needs whole chunks per stage and equal shares; the simulator
                // (the final cost model) rejects other plans, so they are not candidates.
                do {
                    _ = try IterationSimulator(plan: plan, cluster: request.cluster, options: request.simulation)
                    _ = try PipelineLayout(kind: plan.config.schedule, shares: plan.stages.map { $0.replicas.map(\.microbatches) },
                                           virtualStages: plan.config.virtualStages)
                } catch { return }
            }
            let rows = try plan.memoryRows()
            if let worst = rows.max(by: { $0.breakdown.totalBytes / $0.breakdown.capacityBytes < $1.breakdown.totalBytes / $1.breakdown.capacityBytes }),
               !worst.breakdown.fits {
                let ratio = worst.breakdown.totalBytes / worst.breakdown.capacityBytes
                if closest == nil || ratio < closest!.ratio {
                    do { try plan.validateMemory() } catch let e as AmalgamError { closest = (ratio, "\(origin) pp \(plan.pp): \(e.message)") }
                }
                return
            }
            let e = try costs.estimate(plan)
            candidates.append(PlanCandidate(plan: plan, origin: origin, analyticalSeconds: e.iterationSeconds, simulatedSeconds: nil))
        }

        mutating func run(config: TrainingConfig) throws {
            let model = request.model, cluster = request.cluster
            var costs = PlannerCostModel(model: model, cluster: cluster, config: config, simulation: request.simulation)
            let usable = request.usableRanks
            let ppChoices = (request.ppOptions ?? AutoPlanner.ppLadder).filter { $0 <= model.numLayers }
            if request.strategy != .uniform {
                // TP combinations are independent searches: run them on all cores, then
                // merge in combination order (the order a sequential run would append in).
                let combos = AutoPlanner.tpCombinations(AutoPlanner.tpChoices(request))
                let request = self.request, start = costs
                let parts = try Parallel.map(combos.count) { k in
                    var part = Search(request: request)
                    try part.search(tp: combos[k], ppChoices: ppChoices, costs: start)
                    return part
                }
                for part in parts {
                    candidates += part.candidates
                    evaluated += part.evaluated
                    if let c = part.closest, closest == nil || c.ratio < closest!.ratio { closest = c }
                }
            }
            if request.strategy != .proportional {
                // Megatron's defaults: for each tp, the smallest pp whose memory fits (all pp
                // listed when the user gave them).
                for tp in request.tpOptions {
                    for pp in ppChoices {
                        guard let plan = try? UniformPlan.make(model: model, cluster: cluster, config: config, tp: tp, pp: pp, ranks: usable) else { continue }
                        let before = candidates.count
                        try consider(plan, origin: "uniform", costs: &costs)
                        if candidates.count > before && request.ppOptions == nil { break }
                    }
                }
            }
        }

        /// The proportional and exact candidates of one TP assignment over the pp ladder.
        mutating func search(tp combo: [String: Int], ppChoices: [Int], costs start: PlannerCostModel) throws {
            var costs = start
            let units = ReplicaLayout.units(cluster: request.cluster, tpByChip: combo, excluded: request.excludedRanks)
            var assembly = StageAssembly(costs: costs, units: units)
            var seen: [[[Int]]] = []
            // Iteration time is close to unimodal in pp (fewer stages: less memory
            // headroom, more DP sync; more stages: longer fill/drain), so the ladder
            // stops after `ppPatience` feasible depths without improvement.
            // Tracked and applied per builder: each builder stops at its own patience, so
            // `auto`'s proportional candidates are exactly those the proportional baseline
            // builds alone (not a superset, which could displace the baseline's own pick
            // from the tiers), while the exact builder may walk further.
            let origins = request.strategy == .auto ? ["proportional", "exact"] : ["proportional"]
            var bestHere = [Double](repeating: .infinity, count: origins.count)
            var worse = [Int](repeating: 0, count: origins.count)
            for pp in ppChoices where pp <= units.count && (request.ppOptions != nil || worse.contains { $0 < AutoPlanner.ppPatience }) {
                let active = origins.indices.map { request.ppOptions != nil || worse[$0] < AutoPlanner.ppPatience }
                let before = candidates.count
                for layout in StageLayout.allCases {
                    guard let groups = ReplicaLayout.stages(units, pp: pp, layout: layout), !seen.contains(groups) else { continue }
                    seen.append(groups)
                    if active[0] { try consider(assembly.proportional(groups), origin: "proportional", costs: &costs) }
                    if request.strategy == .auto && active[1] {
                        try consider(try assembly.exact(groups, exhaustiveLimit: AutoPlanner.exhaustiveOrderLimit, maxSwaps: 24), origin: "exact", costs: &costs)
                    }
                }
                for (k, origin) in origins.enumerated() where active[k] {
                    let here = candidates[before...].filter { $0.origin == origin }.map(\.analyticalSeconds).min() ?? .infinity
                    if here < bestHere[k] { bestHere[k] = here; worse[k] = 0 } else if here.isFinite { worse[k] += 1 }
                }
            }
        }

        /// Simulates independent plans on all cores; results in the plans' order.
        func simulate(_ plans: [Plan]) throws -> [SimulationResult] {
            let request = self.request
            return try Parallel.map(plans.count) { k in
                try IterationSimulator(plan: plans[k], cluster: request.cluster, options: request.simulation).run()
            }
        }

        mutating func finish() throws -> PlanResult {
            guard !candidates.isEmpty else {
                var why = "no \(request.strategy.rawValue) plan fits"
                if let c = closest { why += "; the closest candidate (\(c.message))" }
                else if request.strategy == .uniform {
                    why += ": a uniform plan needs the usable chips (\(request.usableRanks.count)) divisible by tp × pp and the micro-batches (\(request.config.microbatches)) divisible by dp for some tp in \(request.tpOptions) and pp"
                }
                throw AmalgamError(why)
            }
            candidates.sort { ($0.analyticalSeconds, $0.plan.pp) < ($1.analyticalSeconds, $1.plan.pp) }
            // Three tiers, each a subset of the last, each set being the union of the
            // overall best and each baseline's own best — the set that baseline's strategy
            // would carry forward alone — so auto's pick can never lose to a baseline run
            // on the same inputs: analytical for all, the pipeline timeline for the best
            // `timelineTop`, the simulator for the best `simulateTop` of those.
            func tier(_ pool: [Int], _ n: Int) -> [Int] {
                var pick = Array(pool.prefix(n))
                for origin in ["uniform", "proportional"] {
                    for i in pool.filter({ candidates[$0].origin == origin }).prefix(n) where !pick.contains(i) { pick.append(i) }
                }
                return pick
            }
            var models: [Int: PlannerCostModel] = [:]
            let refined = tier(Array(candidates.indices), request.timelineTop)
            for i in refined {
                let plan = candidates[i].plan
                var costs = models[plan.config.microBatch]
                    ?? PlannerCostModel(model: request.model, cluster: request.cluster, config: plan.config, simulation: request.simulation)
                candidates[i].timelineSeconds = try costs.timelineSeconds(plan, estimate: costs.estimate(plan))
                models[plan.config.microBatch] = costs
            }
            let byTimeline = refined.sorted { (candidates[$0].timelineSeconds!, $0) < (candidates[$1].timelineSeconds!, $1) }
            // The simulator runs the best `simulateTop` by timeline, then each baseline's
            // own best `simulateTop` unless the timeline's compute-only bound (which the
            // simulated time can only exceed) already shows it cannot beat the best so far.
            var pick = Array(byTimeline.prefix(request.simulateTop))
            let baselines = tier(byTimeline, request.simulateTop).dropFirst(pick.count)
            var best: (Int, SimulationResult)? = nil
            func record(_ i: Int, _ r: SimulationResult) {
                candidates[i].simulatedSeconds = r.iterationSeconds
                if best == nil || r.iterationSeconds < candidates[best!.0].simulatedSeconds!
                    || (r.iterationSeconds == candidates[best!.0].simulatedSeconds! && candidates[i].origin == "exact" && candidates[best!.0].origin != "exact") {
                    best = (i, r)
                }
            }
            for (i, r) in zip(pick, try simulate(pick.map { candidates[$0].plan })) { record(i, r) }
            // Baselines: a plan already simulated (the same plan built two ways) reuses its
            // result; one whose bound rules it out is skipped; the rest run on all cores.
            var rest: [Int] = []
            for i in baselines {
                let plan = candidates[i].plan
                if let twin = pick.first(where: { candidates[$0].plan.stages == plan.stages && candidates[$0].plan.config == plan.config }) {
                    candidates[i].simulatedSeconds = candidates[twin].simulatedSeconds
                    pick.append(i)
                    continue
                }
                var costs = models[plan.config.microBatch]!
                if let bound = try costs.computeBoundSeconds(plan, estimate: costs.estimate(plan)),
                   bound * (1 - 1e-9) > candidates[best!.0].simulatedSeconds! { continue }
                rest.append(i)
            }
            for (i, r) in zip(rest, try simulate(rest.map { candidates[$0].plan })) { record(i, r) }
            pick += rest
            // Ties (the same plan built two ways) go to the search's own result.
            let simulated = pick.sorted {
                (candidates[$0].simulatedSeconds!, candidates[$0].origin == "exact" ? 0 : 1) < (candidates[$1].simulatedSeconds!, candidates[$1].origin == "exact" ? 0 : 1)
            }
            let timed = byTimeline.filter { !pick.contains($0) }
            let others = candidates.indices.filter { !refined.contains($0) }
            let ranked = (simulated + timed + others).prefix(max(request.top, 1)).map { candidates[$0] }
            return PlanResult(best: candidates[best!.0], alternatives: Array(ranked), simulation: best!.1, candidatesEvaluated: evaluated)
        }
    }
}
