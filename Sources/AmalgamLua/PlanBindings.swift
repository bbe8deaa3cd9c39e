import AmalgamCore
import AmalgamIO

/// A plan as Lua sees it: the request it answers (for re-planning), the chosen
/// candidate with its simulation, the ranked alternatives and, after `replan`, the
/// throughput lost.
struct PlanHandle {
    var request: PlanRequest
    var best: PlanCandidate
    var alternatives: [PlanCandidate]
    var simulation: SimulationResult
    var lost: Double?
}

/// `am.plan{...}` and the `amalgam.Plan` object.
enum PlanBindings {
    static let example = """
    local c = am.cluster{ name = "mix", sites = { { name = "a", nodes = {
      { chip = "nvidia_a100_sxm4_80g", count = 8 }, { chip = "nvidia_h20", count = 8 } } } } }
    local p = am.plan{ cluster = c, model = "gpt3-1.3b", global_batch = 16, tp = { 4, 8 }, pp = { 1, 2 } }
    """

    /// An integer or an array of integers at `key` (nil when absent).
    static func integers(_ o: LuaOptions, _ key: String) throws -> [Int]? {
        guard o.has(key) else { return nil }
        if let v = try? o.integer(key) { return [v] }
        let values = try o.table(key) { try $0.numbers() } ?? []
        return try values.map { d in
            guard d == d.rounded(), abs(d) < 1e15 else { throw LuaError.message("plan: option '\(key)' must hold integers (got \(d))") }
            return Int(d)
        }
    }

    static func row(_ c: PlanCandidate, rank: Int) -> [LuaValue] {
        [.integer(rank), .string(c.origin), .integer(c.plan.pp), .integer(c.plan.dp), .string(c.tpSummary),
         .integer(c.plan.config.microBatch), .number(c.estimateSeconds), .number(c.analyticalSeconds),
         c.timelineSeconds.map { .number($0) } ?? .nil, .bool(c.simulatedSeconds != nil)]
    }

    static func describe(_ h: PlanHandle) -> String {
        let p = h.best.plan
        var s = "Plan \(p.strategy) (\(h.best.origin)) for \(p.model.name) on '\(p.clusterName)': pp \(p.pp), dp up to \(p.dp), micro_batch \(p.config.microBatch), \(p.config.microbatches) micro-batches\n"
        s += "  estimate \(NumberFormat.format(h.best.estimateSeconds)) s/iteration, \(NumberFormat.format(h.simulation.tokensPerSecond.rounded())) tokens/s, MFU \(NumberFormat.format((h.simulation.mfu * 1000).rounded() / 1000))"
        if let lost = h.lost { s += ", lost \(NumberFormat.format((lost * 1000).rounded() / 10))% vs the previous plan" }
        for (i, st) in p.stages.enumerated() {
            let reps = st.replicas.map { "\($0.chip.id)×\($0.tp)[\($0.ranks.first ?? 0)…]:\($0.microbatches)" }
            s += "\n  stage \(i + 1): layers \(st.layers.lowerBound)-\(st.layers.upperBound - 1), \(st.replicas.count) replicas: \(reps.prefix(4).joined(separator: " "))\(reps.count > 4 ? " …" : "")"
        }
        return s
    }

    static func json(_ p: Plan) -> JSONValue {
        .object([
            ("model", .string(p.model.name)), ("cluster", .string(p.clusterName)), ("strategy", .string(p.strategy)),
            ("global_batch", .integer(Int64(p.config.globalBatch))), ("micro_batch", .integer(Int64(p.config.microBatch))),
            ("pp", .integer(Int64(p.pp))),
            ("ranks", .array(p.rankAssignments().map { a in
                .object([("rank", .integer(Int64(a.rank))), ("stage", .integer(Int64(a.stage))), ("replica", .integer(Int64(a.replica))),
                         ("tp_rank", .integer(Int64(a.tpRank))), ("layers", .array([.integer(Int64(a.firstLayer)), .integer(Int64(a.lastLayer))])),
                         ("microbatches", .integer(Int64(a.microbatches))), ("tp_group", .array(a.tpGroup.map { .integer(Int64($0)) }))])
            })),
        ])
    }

    static let planClass: LuaClass<PlanHandle> = {
        let cls = LuaClass<PlanHandle>("amalgam.Plan")
        return cls
            .field("pp", "pipeline depth") { .integer($0.best.plan.pp) }
            .field("dp", "largest number of data-parallel replicas of any stage") { .integer($0.best.plan.dp) }
            .field("estimate_s", "simulated seconds per iteration (the simulator is the final cost model)") { .number($0.best.estimateSeconds) }
            .field("analytical_s", "the planner's analytical estimate, seconds per iteration") { .number($0.best.analyticalSeconds) }
            .field("tokens_per_s", "simulated training throughput, tokens/s") { .number($0.simulation.tokensPerSecond) }
            .field("mfu", "simulated model FLOPs utilisation (0-1)") { .number($0.simulation.mfu) }
            .field("strategy", "auto, uniform, proportional or manual") { .string($0.best.plan.strategy) }
            .field("origin", "which builder made the chosen plan: exact, uniform, proportional or manual") { .string($0.best.origin) }
            .field("micro_batch", "sequences per micro-batch") { .integer($0.best.plan.config.microBatch) }
            .field("lost", "after replan: fraction of throughput lost against the previous plan (nil otherwise)") { .number($0.lost) }
            .describe(describe)
            .method("stages", FunctionDoc(
                "Plan:stages", "p:stages() -> rows",
                "One row per stage and replica: stage, replica (1-based), chip, tp, first_rank, first_layer, last_layer (0-based, inclusive), microbatches.",
                returns: "an array of rows",
                example: example + "\nfor _, r in ipairs(p:stages()) do print(r.stage, r.chip, r.first_layer, r.last_layer, r.microbatches) end"
            )) { call in
                let p = try call.object(1, cls).best.plan
                var rows: [[LuaValue]] = []
                for (s, st) in p.stages.enumerated() {
                    for (r, rep) in st.replicas.enumerated() {
                        rows.append([.integer(s + 1), .integer(r + 1), .string(rep.chip.id), .integer(rep.tp), .integer(rep.ranks[0]),
                                     .integer(st.layers.lowerBound), .integer(st.layers.upperBound - 1), .integer(rep.microbatches)])
                    }
                }
                return call.push(luaRows(["stage", "replica", "chip", "tp", "first_rank", "first_layer", "last_layer", "microbatches"], rows))
            }
            .method("explain", FunctionDoc(
                "Plan:explain", "p:explain() -> rows",
                "Why the plan looks as it does, per stage and replica: stage, replica, chip, ranks (text), tp, layers (first-last), microbatches, compute_s (its share, analytical), comm_s (boundary sends + the stage's DP sync), mem_used_gb, mem_capacity_gb, binding (memory, compute, compute (slack), link to stage k, data-parallel sync), timing (where the layer times come from: measured, interpolated, rescaled, roofline, or mixed; see am.calibrate).",
                returns: "an array of rows",
                example: example + "\nfor _, r in ipairs(p:explain()) do print(r.stage, r.chip, r.binding, r.mem_used_gb) end"
            )) { call in
                let h = try call.object(1, cls)
                let rows = try PlanEvaluation.explain(h.best.plan, cluster: h.request.cluster, simulation: h.request.simulation)
                return call.push(luaRows(["stage", "replica", "chip", "ranks", "tp", "layers", "microbatches", "compute_s", "comm_s",
                                          "mem_used_gb", "mem_capacity_gb", "binding", "timing"], rows.map { r in
                    [.integer(r.stage + 1), .integer(r.replica + 1), .string(r.chipId),
                     .string(r.ranks.count > 1 ? "\(r.ranks[0])-\(r.ranks[r.ranks.count - 1])" : "\(r.ranks[0])"), .integer(r.tp),
                     .string("\(r.firstLayer)-\(r.lastLayer)"), .integer(r.microbatches), .number(r.computeSeconds), .number(r.commSeconds),
                     .number(r.memUsedBytes / 1e9), .number(r.memCapacityBytes / 1e9), .string(r.binding), .string(r.timing.rawValue)]
                }))
            }
            .method("memory", FunctionDoc(
                "Plan:memory", "p:memory() -> rows",
                "Memory of one chip of every stage replica by component, GB: stage, replica, chip, tp, weights_gb, gradients_gb, optimizer_gb, activations_gb, in_flight, overhead_gb, total_gb, capacity_gb.",
                returns: "an array of rows",
                example: example + "\nfor _, r in ipairs(p:memory()) do print(r.stage, r.chip, r.total_gb, r.capacity_gb) end"
            )) { call in
                let rows = try call.object(1, cls).best.plan.memoryRows()
                return call.push(luaRows(["stage", "replica", "chip", "tp", "weights_gb", "gradients_gb", "optimizer_gb", "activations_gb",
                                          "in_flight", "overhead_gb", "total_gb", "capacity_gb"], rows.map { r in
                    let b = r.breakdown
                    return [.integer(r.stage + 1), .integer(r.replica + 1), .string(r.chipId), .integer(r.tp), .number(b.weightsBytes / 1e9),
                            .number(b.gradientsBytes / 1e9), .number(b.optimizerBytes / 1e9), .number(b.activationsBytes / 1e9),
                            .integer(b.inFlight), .number(b.overheadBytes / 1e9), .number(b.totalBytes / 1e9), .number(b.capacityBytes / 1e9)]
                }))
            }
            .method("alternatives", FunctionDoc(
                "Plan:alternatives", "p:alternatives() -> rows",
                "The ranked candidates (best first): rank, origin, pp, dp, tp (per chip type, e.g. nvidia_h20:4), micro_batch, estimate_s (simulated when simulated is true, else the timeline estimate when there is one, else analytical), analytical_s, timeline_s (the pipeline-timeline estimate, for the best candidates only; nil otherwise), simulated.",
                returns: "an array of rows",
                example: example + "\nfor _, a in ipairs(p:alternatives()) do print(a.rank, a.pp, a.tp, a.estimate_s) end"
            )) { call in
                let h = try call.object(1, cls)
                return call.push(luaRows(["rank", "origin", "pp", "dp", "tp", "micro_batch", "estimate_s", "analytical_s", "timeline_s", "simulated"],
                                         h.alternatives.enumerated().map { row($0.element, rank: $0.offset + 1) }))
            }
            .method("replan", FunctionDoc(
                "Plan:replan", "p:replan{ without = { ranks = {...} } | { nodes = {...} } } -> Plan, lost",
                "Plans again (same model, batch and options, strategy auto) without the given ranks or node indices (0-based, as in c:nodes()); returns the new plan and the fraction of throughput lost (also its `lost` field).",
                arguments: [("without.ranks", "0-based ranks to leave out"), ("without.nodes", "0-based node indices to leave out")],
                returns: "the new Plan and lost = 1 − new tokens/s ÷ old tokens/s",
                example: example + "\nlocal q, lost = p:replan{ without = { nodes = { 1 } } }\nprint(q.pp, lost)"
            )) { call in
                let h = try call.object(1, cls)
                let o = try call.options(2, context: "replan")
                let (ranks, nodes) = try o.table("without") { w in
                    (try integers(w, "ranks") ?? [], try integers(w, "nodes") ?? [])
                } ?? ([], [])
                try o.finish()
                guard !ranks.isEmpty || !nodes.isEmpty else { throw LuaError.message("replan: give without = { ranks = {...} } or { nodes = {...} }") }
                let excluded = try Replan.excluded(cluster: h.request.cluster, ranks: ranks, nodes: nodes)
                var request = h.request
                if request.strategy != .auto { request.strategy = .auto }
                let (result, lost) = try Replan.replan(request, previousSeconds: h.best.estimateSeconds, without: excluded)
                request.excludedRanks.formUnion(excluded)
                _ = call.push(PlanHandle(request: request, best: result.best, alternatives: result.alternatives, simulation: result.simulation, lost: lost), as: cls)
                return call.push(number: lost) + 1
            }
            .method("aggregate_efficiency", FunctionDoc(
                "Plan:aggregate_efficiency", "p:aggregate_efficiency() -> { efficiency, aggregate_tokens_per_s, per_chip = rows }",
                "Plans every chip type of the cluster alone (strategy auto, same model and batch), simulates, and sums their tokens/s; efficiency = this plan's tokens/s ÷ that sum (1 = the mixed cluster is worth as much as its parts trained apart). A chip type that cannot train the model alone counts 0.",
                returns: "{ efficiency, aggregate_tokens_per_s, per_chip = rows of chip, tokens_per_s }",
                example: example + "\nlocal a = p:aggregate_efficiency()\nprint(a.efficiency, a.aggregate_tokens_per_s)"
            )) { call in
                let h = try call.object(1, cls)
                var request = h.request
                request.config.microBatch = h.best.plan.config.microBatch
                let a = try aggregateEfficiency(request, mixedTokensPerSecond: h.simulation.tokensPerSecond)
                return call.push(.record([("efficiency", .number(a.efficiency)), ("aggregate_tokens_per_s", .number(a.aggregateTokensPerSecond)),
                                          ("per_chip", luaRows(["chip", "tokens_per_s"], a.perChipType.map { [.string($0.chip), .number($0.tokensPerSecond)] }))]))
            }
            .method("to_json", FunctionDoc(
                "Plan:to_json", "p:to_json(path)",
                "Writes the plan as JSON (atomically; relative paths go under --out): model, cluster, strategy, batch, pp and one entry per rank with stage, replica, tp_rank (0-based), layers {first, last}, microbatches and tp_group.",
                arguments: [("path", "file path, relative to --out, or \"-\" for stdout")],
                returns: "the resolved path written",
                example: example + "\np:to_json(\"plan.json\")"
            )) { call in
                let text = json(try call.object(1, cls).best.plan).encoded(pretty: true) + "\n"
                let path = try call.string(2)
                if path == "-" { print(text, terminator: ""); return call.push(string: "-") }
                let resolved = CSVBindings.resolveOutput(call.runtime, path)
                try AtomicFileWriter.write(text, to: resolved)
                return call.push(string: resolved)
            }
    }()

    static func register(_ rt: LuaRuntime) {
        rt.define(planClass)
        rt.function(FunctionDoc(
            "am.plan", "am.plan{ cluster, model, global_batch, ... } -> Plan",
            "Makes a training plan for a (mixed) cluster: non-uniform layer split over pipeline stages, heterogeneous data-parallel replicas (each a TP group inside one node) with integer micro-batch shares. strategy auto searches TP per chip type, pipeline depth, stage layout and order, micro-batch size with the exact layer/batch split kernels, prunes by memory, ranks analytically and re-ranks the best few (plus the baselines) with the iteration simulator; uniform is Megatron's even split; proportional splits by peak FLOP/s. With `stages` the plan is hand-written and only evaluated. The plan keeps the measured-data store as it was when planned (am.calibrate afterwards changes am.simulate and s:run, not this plan's explain, alternatives or replan).",
            arguments: [
                ("cluster", "a Cluster (am.cluster)"), ("model", "a Model (am.model) or a preset id, e.g. \"llama2-70b\""),
                ("global_batch", "sequences per iteration"), ("micro_batch", "sequences per micro-batch, or a list to search (default 1)"),
                ("zero", "ZeRO stage 0-3 over each stage's replicas (default 1)"), ("recompute", "none, selective or full (default selective)"),
                ("sequence_parallel", "boolean (default false)"), ("schedule", "1f1b, gpipe, zb_h1 or interleaved_1f1b (default 1f1b)"),
                ("virtual_stages", "model chunks per stage for interleaved_1f1b (default 1)"),
                ("strategy", "auto (default), uniform or proportional"), ("tp", "TP degrees to try, a number or a list (default {1, 2, 4, 8})"),
                ("pp", "pipeline depths to try, a number or a list (default: a ladder up to the model's blocks)"),
                ("stages", "hand-written plan: { { layers = {first, last}, replicas = { { ranks = {...}, microbatches = n } } }, ... } (0-based, inclusive)"),
                ("top", "alternatives to keep (default 5)"), ("timeline_top", "best candidates (by the analytical estimate) re-timed on the pipeline timeline, plus each baseline's own best that many (default 24)"), ("simulate_top", "best candidates (by the pipeline-timeline estimate) re-ranked by the simulator, plus each baseline's own best that many unless a compute-only bound rules them out (default 2)"),
                ("without", "{ ranks = {...} } or { nodes = {...} } to leave out from the start"),
            ],
            returns: "a Plan: fields pp, dp, estimate_s, analytical_s, tokens_per_s, mfu, strategy, origin, micro_batch, lost; methods stages, explain, memory, alternatives, replan, to_json",
            example: example + "\nprint(p)\nprint(p.pp, p.dp, p.estimate_s, p.tokens_per_s)"
        )) { call in
            let o = try call.options(1, context: "plan")
            guard case .object(let cluster)? = try o.stringOrObject("cluster", ClusterBindings.clusterClass) else {
                throw LuaError.message("plan: option 'cluster' is required (a Cluster from am.cluster)")
            }
            let model: TransformerModel
            switch try o.stringOrObject("model", WorkloadBindings.modelClass) {
            case .string(let id)?: model = try TransformerModel.preset(id)
            case .object(let handle)?: model = handle.model
            case nil: throw LuaError.message("plan: option 'model' is required (a Model from am.model, or a preset id)")
            }
            let batch = try o.requiredInteger("global_batch")
            let micro = try integers(o, "micro_batch") ?? [1]
            guard !micro.isEmpty else { throw LuaError.message("plan: micro_batch list is empty") }
            let zero = try o.integer("zero", default: 1)
            let recompute = try Recompute.parse(try o.string("recompute", default: "selective"))
            let sp = try o.bool("sequence_parallel") ?? false
            let scheduleName = try o.string("schedule", default: "1f1b")
            guard let schedule = PipelineKind(rawValue: scheduleName) else {
                throw AmalgamError.unknown("schedule", scheduleName, among: PipelineKind.allCases.map(\.rawValue))
            }
            let v = try o.integer("virtual_stages", default: 1)
            let strategy = try PlanStrategy.parse(try o.string("strategy", default: "auto"))
            let tp = try integers(o, "tp") ?? [1, 2, 4, 8]
            let pp = try integers(o, "pp")
            let top = try o.integer("top", default: 5)
            let simTop = try o.integer("simulate_top", default: 2)
            let timelineTop = try o.integer("timeline_top", default: AutoPlanner.timelineTop)
            let manual = try o.array("stages") { st, _ -> ManualStage in
                let layers = try st.table("layers") { try $0.numbers() } ?? []
                guard layers.count == 2 else { throw LuaError.message("plan.stages: layers must be {first, last} (0-based, inclusive)") }
                let reps = try st.array("replicas") { rp, _ -> (ranks: [Int], microbatches: Int) in
                    let ranks = try rp.table("ranks") { try $0.numbers() } ?? []
                    return (ranks.map { Int($0) }, try rp.requiredInteger("microbatches"))
                } ?? []
                return ManualStage(firstLayer: Int(layers[0]), lastLayer: Int(layers[1]), replicas: reps)
            }
            let without = try o.table("without") { w in (try integers(w, "ranks") ?? [], try integers(w, "nodes") ?? []) }
            try o.finish()
            let config = TrainingConfig(globalBatch: batch, microBatch: micro[0], zero: zero, recompute: recompute, sequenceParallel: sp,
                                        schedule: schedule, virtualStages: v)
            var request = PlanRequest(model: model, cluster: cluster, config: config, strategy: strategy, tpOptions: tp, ppOptions: pp,
                                      microBatchOptions: micro, top: top, simulateTop: simTop)
            request.timelineTop = timelineTop
            // Every tier (analytical, timeline, simulator) uses the runtime's measured data.
            request.simulation.calibration = call.runtime.calibration.isEmpty ? nil : call.runtime.calibration
            if let without { request.excludedRanks = try Replan.excluded(cluster: cluster, ranks: without.0, nodes: without.1) }
            if let manual {
                try config.validate()
                let plan = try Plan.manual(model: model, cluster: cluster, config: config, stages: manual)
                let (cand, sim) = try PlanEvaluation.evaluate(plan, cluster: cluster, simulation: request.simulation)
                return call.push(PlanHandle(request: request, best: cand, alternatives: [cand], simulation: sim, lost: nil), as: planClass)
            }
            let result = try AutoPlanner.plan(request)
            return call.push(PlanHandle(request: request, best: result.best, alternatives: result.alternatives, simulation: result.simulation, lost: nil), as: planClass)
        }
    }
}
