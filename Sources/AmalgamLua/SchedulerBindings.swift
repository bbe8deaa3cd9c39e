import AmalgamCore
import AmalgamIO

/// How a scheduler runs plans: the pipeline schedule and the simulation settings.
struct SchedulerSpec {
    var kind: PipelineKind
    var microbatches: Int?
    var virtualStages: Int?
    /// Re-split each stage's batch for the stragglers before running.
    var rebalance: Bool
    var options: SimulationOptions
}

/// A finished simulation with what made it (for rows, links and the trace).
final class SimulationRun {
    let result: SimulationResult
    let plan: Plan
    let cluster: Cluster
    let options: SimulationOptions
    init(result: SimulationResult, plan: Plan, cluster: Cluster, options: SimulationOptions) {
        self.result = result; self.plan = plan; self.cluster = cluster; self.options = options
    }
}

/// `am.scheduler`, `am.simulate` and the Result object (issue 7).
enum SchedulerBindings {
    static let schedulerClass: LuaClass<SchedulerSpec> = {
        let cls = LuaClass<SchedulerSpec>("amalgam.Scheduler")
        return cls
            .field("kind", "pipeline schedule: gpipe, 1f1b, interleaved_1f1b or zb_h1") { .string($0.kind.rawValue) }
            .field("microbatches", "micro-batches per iteration, or nil for the plan's own") { .number($0.microbatches.map(Double.init)) }
            .field("virtual_stages", "model chunks per stage, or nil for the plan's own") { .number($0.virtualStages.map(Double.init)) }
            .field("bucket_mb", "gradient bucket size, MB") { .number($0.options.bucketBytes / 1e6) }
            .method("run", FunctionDoc(
                "Scheduler:run", "s:run(plan) -> Result",
                "Simulates one training iteration of `plan` on its cluster with this schedule (discrete-event: compute from the workload model, transfers and all-reduces sharing links in the network model).",
                arguments: [("plan", "a Plan from am.plan")],
                returns: "a Result (iteration_s, tokens_per_s, mfu, bubble, ...; :chips(), :links(), :trace(path))",
                example: "local c = am.cluster{ sites = { { name = \"a\", nodes = { { chip = \"nvidia_a100_sxm4_80g\", nodes = 2 } } } } }\nlocal p = am.plan{ cluster = c, model = \"gpt3-1.3b\", global_batch = 32, strategy = \"uniform\", tp = 4, pp = 2 }\nlocal r = am.scheduler{ kind = \"1f1b\" }:run(p)\nprint(r.iteration_s, r.mfu)"
            )) { call in
                let spec = try call.object(1, schedulerClass)
                let handle = try call.object(2, PlanBindings.planClass)
                return call.push(try simulate(call.runtime, spec, handle.best.plan, handle.request.cluster), as: resultClass)
            }
            .describe { "Scheduler(\($0.kind.rawValue)\($0.virtualStages.map { ", v=\($0)" } ?? ""))" }
    }()

    static let resultClass: LuaClass<SimulationRun> = {
        let cls = LuaClass<SimulationRun>("amalgam.Result")
        return cls
            .field("iteration_s", "seconds of one training iteration") { .number($0.result.iterationSeconds) }
            .field("tokens_per_s", "training throughput, tokens per second") { .number($0.result.tokensPerSecond) }
            .field("samples_per_s", "sequences per second") { .number($0.result.samplesPerSecond) }
            .field("mfu", "model FLOPs utilisation: model FLOPs (no recompute) / (Σ peak × time)") { .number($0.result.mfu) }
            .field("hfu", "hardware FLOPs utilisation (with recompute)") { .number($0.result.hfu) }
            .field("bubble", "mean idle fraction of the plan's chips") { .number($0.result.bubbleFraction) }
            .field("exposed_comm_s", "iteration seconds lost to communication (vs the same schedule with free communication)") { .number($0.result.exposedCommunicationSeconds) }
            .field("compute_only_s", "iteration seconds with free communication") { .number($0.result.computeOnlySeconds) }
            .field("flows", "flows simulated by the network model") { .integer($0.result.flowCount) }
            .field("operations", "compute operations simulated") { .integer($0.result.operationCount) }
            .field("chip_count", "chips in the plan") { .integer($0.result.chips.count) }
            .method("chips", FunctionDoc(
                "Result:chips", "r:chips() -> rows",
                "Per chip: rank, stage, replica, chip, compute_s, comm_s, idle_s, peak_mem_gb, capacity_gb (stage and replica 1-based).",
                returns: "array of rows for am.csv.write",
                example: "am.csv.write(\"chips.csv\", r:chips())"
            )) { call in
                let run = try call.object(1, resultClass)
                let columns = ["rank", "stage", "replica", "chip", "compute_s", "comm_s", "idle_s", "peak_mem_gb", "capacity_gb"]
                return call.push(luaRows(columns, run.result.chips.map { c in
                    [.integer(c.rank), .integer(c.stage + 1), .integer(c.replica + 1), .string(c.chipId), .number(c.computeSeconds),
                     .number(c.communicationSeconds), .number(c.idleSeconds), .number(c.peakMemoryBytes / 1e9), .number(c.capacityBytes / 1e9)]
                }))
            }
            .method("links", FunctionDoc(
                "Result:links", "r:links() -> rows",
                "Per link that carried traffic: link, kind, bytes, utilisation (bytes / (line rate × iteration)), busiest first.",
                returns: "array of rows",
                example: "for _, l in ipairs(r:links()) do print(l.link, l.utilisation) end"
            )) { call in
                let run = try call.object(1, resultClass)
                let sorted = run.result.links.sorted { $0.utilisation != $1.utilisation ? $0.utilisation > $1.utilisation : $0.index < $1.index }
                return call.push(luaRows(["link", "kind", "bytes", "utilisation"], sorted.map {
                    [.string($0.name), .string($0.kind.rawValue), .number($0.bytes), .number($0.utilisation)]
                }))
            }
            .method("trace", FunctionDoc(
                "Result:trace", "r:trace(path)",
                "Writes the iteration as Chrome trace / Perfetto JSON (one track per chip, one per busy link), atomically; relative paths go under --out. Open it in ui.perfetto.dev or chrome://tracing.",
                arguments: [("path", "file path, e.g. \"iteration.json\"")],
                returns: "the path written",
                example: "r:trace(\"iteration.json\")"
            )) { call in
                let run = try call.object(1, resultClass)
                let path = try call.string(2)
                var result = run.result
                if !run.options.recordTrace {
                    // Re-run with recording on: the simulation is deterministic.
                    var options = run.options
                    options.recordTrace = true
                    result = try IterationSimulator(plan: run.plan, cluster: run.cluster, options: options).run()
                }
                let resolved = CSVBindings.resolveOutput(call.runtime, path)
                try AtomicFileWriter.write(ChromeTrace.render(result, plan: run.plan, cluster: run.cluster).encoded() + "\n", to: resolved)
                return call.push(string: resolved)
            }
            .describe { r in
                String(format: "Result(iteration %.4g s, %.4g tokens/s, MFU %.1f%%, bubble %.1f%%, %d chips)",
                       r.result.iterationSeconds, r.result.tokensPerSecond, r.result.mfu * 100, r.result.bubbleFraction * 100, r.result.chips.count)
            }
    }()

    static func register(_ rt: LuaRuntime) {
        rt.define(schedulerClass)
        rt.define(resultClass)
        let optionDocs: [(String, String)] = [
            ("kind", "\"gpipe\", \"1f1b\" (default), \"interleaved_1f1b\" or \"zb_h1\""),
            ("microbatches", "micro-batches per iteration (default: the plan's global_batch / micro_batch; a different value re-splits each stage's shares exactly)"),
            ("virtual_stages", "model chunks per stage for interleaved_1f1b (default: the plan's)"),
            ("bucket_mb", "gradient all-reduce bucket, MB (default 25, PyTorch DDP's bucket_cap_mb)"),
            ("overlap_grad_reduce", "start each bucket's all-reduce during the backward (default true)"),
            ("slowdown", "stragglers: { [rank] = factor } multiplies that chip's compute time"),
            ("slice_kb", "network slicing of large transfers, KiB (default 512; false = off)"),
            ("efficiency", "per link kind effective/line rate, e.g. { scale_up = 0.8, nic = 0.94, wan = 0.9 }; a kind given here also overrides the chips' own measured scale_up_efficiency"),
            ("rebalance", "re-split every stage's micro-batches for the stragglers in `slowdown` before running (the exact batch split; layers stay put)"),
            ("trace", "record the timeline during the run (r:trace works either way)"),
        ]
        rt.function(FunctionDoc(
            "am.scheduler", "am.scheduler{ kind = \"1f1b\", ... } -> Scheduler",
            "A pipeline schedule plus simulation settings; `s:run(plan)` simulates one iteration.",
            arguments: optionDocs, returns: "a Scheduler",
            example: "local s = am.scheduler{ kind = \"interleaved_1f1b\", virtual_stages = 2, bucket_mb = 25 }"
        )) { call in
            let o = try call.options(1)
            let spec = try readSpec(o, kindKey: "kind")
            try o.finish()
            return call.push(spec, as: schedulerClass)
        }
        rt.function(FunctionDoc(
            "am.simulate", "am.simulate{ plan = p, schedule = \"1f1b\", ... } -> Result",
            "Shorthand for am.scheduler{ kind = schedule, ... }:run(plan).",
            arguments: [("plan", "a Plan")] + optionDocs.map { $0.0 == "kind" ? ("schedule", $0.1) : $0 },
            returns: "a Result",
            example: "local c = am.cluster{ sites = { { name = \"a\", nodes = { { chip = \"nvidia_h100_sxm5\", nodes = 1 } } } } }\nlocal p = am.plan{ cluster = c, model = \"gpt3-1.3b\", global_batch = 16, strategy = \"uniform\", tp = 8, pp = 1 }\nprint(am.simulate{ plan = p, schedule = \"gpipe\" })"
        )) { call in
            let o = try call.options(1)
            let spec = try readSpec(o, kindKey: "schedule")
            guard let handle = try o.object("plan", PlanBindings.planClass) else {
                throw LuaError.message("simulate: option 'plan' is required (a Plan from am.plan)")
            }
            try o.finish()
            return call.push(try simulate(call.runtime, spec, handle.best.plan, handle.request.cluster), as: resultClass)
        }
    }

    static func readSpec(_ o: LuaOptions, kindKey: String) throws -> SchedulerSpec {
        let kindName = try o.choice(kindKey, PipelineKind.allCases.map(\.rawValue)) ?? PipelineKind.oneFOneB.rawValue
        var options = SimulationOptions()
        if let mb = try o.number("bucket_mb") {
            guard mb > 0 else { throw LuaError.message("\(o.context): bucket_mb must be > 0 (got \(mb))") }
            options.bucketBytes = mb * 1e6
        }
        if let overlap = try o.bool("overlap_grad_reduce") { options.overlapGradientReduce = overlap }
        if let slow = try o.integerMap("slowdown") { options.slowdown = slow }
        if o.has("slice_kb") {
            if let kb = try? o.number("slice_kb") {
                guard kb > 0 else { throw LuaError.message("\(o.context): slice_kb must be > 0 or false (got \(kb))") }
                options.network.sliceBytes = kb * 1024
            } else if try o.bool("slice_kb") == false {
                options.network.sliceBytes = nil
            } else {
                throw LuaError.message("\(o.context): option 'slice_kb' must be a number of KiB or false")
            }
        }
        _ = try o.table("efficiency") { e in
            for kind in LinkKind.allCases {
                if let v = try e.number(kind.rawValue) {
                    guard v > 0 && v <= 1 else { throw LuaError.message("\(e.context): \(kind.rawValue) must be in (0, 1] (got \(v))") }
                    options.network.kindEfficiency[kind] = v
                }
            }
        }
        if let t = try o.bool("trace") { options.recordTrace = t }
        let microbatches = try o.integer("microbatches")
        if let m = microbatches, m < 1 { throw LuaError.message("\(o.context): microbatches must be >= 1 (got \(m))") }
        let v = try o.integer("virtual_stages")
        if let v, v < 1 { throw LuaError.message("\(o.context): virtual_stages must be >= 1 (got \(v))") }
        let rebalance = try o.bool("rebalance") ?? false
        return SchedulerSpec(kind: PipelineKind(rawValue: kindName)!, microbatches: microbatches, virtualStages: v, rebalance: rebalance, options: options)
    }

    /// Applies the scheduler to the plan and simulates.
    static func simulate(_ rt: LuaRuntime, _ spec: SchedulerSpec, _ plan: Plan, _ cluster: Cluster) throws -> SimulationRun {
        var p = plan
        var options = spec.options
        options.calibration = rt.calibration.isEmpty ? nil : rt.calibration
        p.config.schedule = spec.kind
        p.config.virtualStages = spec.virtualStages ?? (spec.kind == .interleaved ? max(plan.config.virtualStages, 1) : 1)
        if spec.rebalance || (spec.microbatches.map { $0 != p.config.microbatches } ?? false) {
            p = try p.rebalancingBatch(microbatches: spec.microbatches, slowdown: options.slowdown, calibration: options.calibration, options: options.costOptions)
        }
        let result = try IterationSimulator(plan: p, cluster: cluster, options: options).run()
        return SimulationRun(result: result, plan: p, cluster: cluster, options: options)
    }
}
