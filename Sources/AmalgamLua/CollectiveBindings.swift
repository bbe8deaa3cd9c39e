import AmalgamCore
import AmalgamIO

/// A timed collective as scripts see it: the core result plus the cluster's
/// links (for names, kinds and the JSON link graph).
final class CollectiveRun {
    let result: CollectiveTimingResult
    let links: [Link]
    let dtypeBytes: Int
    let clusterName: String

    init(result: CollectiveTimingResult, links: [Link], dtypeBytes: Int, clusterName: String) {
        self.result = result; self.links = links; self.dtypeBytes = dtypeBytes; self.clusterName = clusterName
    }

    /// Utilisation of link `l`: bytes over what its line rate moves in the collective's time.
    func utilisation(_ l: Int) -> Double {
        let t = result.seconds
        return t > 0 ? result.bytesPerLink[l] / (links[l].gbs * 1e9 * t) : 0
    }

    /// Links that carried bytes, in link order.
    var usedLinks: [Int] { result.bytesPerLink.indices.filter { result.bytesPerLink[$0] > 0 } }
}

/// `am.allreduce`, `am.reduce_scatter`, `am.all_gather`, `am.broadcast`,
/// `am.all_to_all`, `am.collectives` and `am.allreduce.execute`.
enum CollectiveBindings {
    static let dtypes: [(String, Int)] = [("f32", 4), ("f64", 8), ("f16", 2), ("bf16", 2)]

    static let exampleCluster = """
    local c = am.cluster{ sites = { { name = "dc", nodes = { { chip = "nvidia_a100_sxm4_80g", nodes = 2 } } } } }
    """

    /// The `amalgam.CollectiveResult` class.
    static let resultClass: LuaClass<CollectiveRun> = {
        let cls = LuaClass<CollectiveRun>("amalgam.CollectiveResult")
        let example = exampleCluster + "\nlocal r = am.allreduce{ cluster = c, bytes = 64 * 2^20, algo = \"ring\" }\n"
        return cls
            .field("collective", "all_reduce, reduce_scatter, all_gather, broadcast or all_to_all") { .string($0.result.collective.rawValue) }
            .field("algo", "the algorithm used (the winner for algo = \"auto\"; \"measured\" when timed from a measured curve)") { .string($0.result.algorithm) }
            .field("source", "\"measured\" (from a curve loaded with c:load_nccl_tests for exactly these ranks) or \"model\" (the network model)") { .string($0.result.source.rawValue) }
            .field("ranks", "cluster ranks taking part, 0-based, in schedule order") { .array($0.result.ranks.map { .integer($0) }) }
            .field("bytes", "buffer size S the bandwidths use, bytes") { .number($0.result.bytes) }
            .field("time_s", "predicted time, seconds") { .number($0.result.seconds) }
            .field("algbw_gbs", "S / time_s, GB/s (nccl-tests algbw)") { .number($0.result.algbwGBs) }
            .field("busbw_gbs", "algbw x the nccl-tests bus factor, GB/s") { .number($0.result.busbwGBs) }
            .field("protocol", "the NCCL protocol the time is for (\"LL\", \"LL128\" or \"Simple\"; the fastest unless protocol = ... forced one); nil with protocol = \"off\", for measured results and when nothing moved") { r in
                r.result.ncclProtocol.map { .string($0.rawValue) } ?? .nil
            }
            .field("protocol_latency_s", "the protocol's latency included in time_s (NCCL's base latency + per-step latency beyond the links' own), seconds") { .number($0.result.protocolLatencySeconds) }
            .field("flows", "flows the network model simulated") { .integer($0.result.flowCount) }
            .field("transfers", "transfers in the schedule") { .integer($0.result.schedule.count) }
            .field("busiest_link", "{ name, bytes, utilisation } of the most utilised link (nil if nothing moved)") { run in
                guard let b = run.result.busiestLink else { return .nil }
                return .record([("name", .string(b.name)), ("bytes", .number(b.bytes)), ("utilisation", .number(b.utilisation))])
            }
            .field("candidates", "algo = \"auto\": rows algo, time_s (nil if skipped), skipped (reason); empty otherwise") { run in
                luaRows(["algo", "time_s", "skipped"], run.result.candidates.map {
                    [.string($0.algorithm), .number($0.seconds), .string($0.skipped)]
                })
            }
            .method("schedule", FunctionDoc(
                "CollectiveResult:schedule", "r:schedule() -> rows",
                "Every transfer of the schedule as a row: step (0-based, the transfer's depth in the dependency graph), src and dst (cluster ranks), bytes, op (copy or reduce). Local copies (src = dst) use no link.",
                returns: "an array of rows with columns step, src, dst, bytes, op",
                example: example + "for _, t in ipairs(r:schedule()) do if t.step == 0 then print(t.src, t.dst, t.bytes) end end"
            )) { call in
                let run = try call.object(1, cls)
                let s = run.result.schedule, steps = s.steps(), ranks = run.result.ranks
                return call.push(luaRows(["step", "src", "dst", "bytes", "op"], (0..<s.count).map { i in
                    [.integer(Int(steps[i])), .integer(ranks[Int(s.src[i])]), .integer(ranks[Int(s.dst[i])]),
                     .integer(s.length(of: i) * run.dtypeBytes), .string(s.op[i] == .reduce ? "reduce" : "copy")]
                }))
            }
            .method("links", FunctionDoc(
                "CollectiveResult:links", "r:links() -> rows",
                "Every link that carried bytes, in the cluster's link order: name, kind, gbs (line rate per direction), bytes, utilisation (bytes / (line rate x time_s)).",
                returns: "an array of rows with columns name, kind, gbs, bytes, utilisation",
                example: example + "am.csv.write(\"allreduce_links.csv\", r:links())"
            )) { call in
                let run = try call.object(1, cls)
                return call.push(luaRows(["name", "kind", "gbs", "bytes", "utilisation"], run.usedLinks.map { l in
                    [.string(run.links[l].name), .string(run.links[l].kind.rawValue), .number(run.links[l].gbs),
                     .number(run.result.bytesPerLink[l]), .number(run.utilisation(l))]
                }))
            }
            .method("to_json", FunctionDoc(
                "CollectiveResult:to_json", "r:to_json(path) -> path",
                "Writes the result as JSON, written atomically; a relative path goes under --out. Format \"amalgam.collective/1\", one object with keys in this order: format, cluster (name), collective, algo, source (measured or model; a measured result has no steps and carries no link bytes), ranks (0-based cluster ranks, schedule order), bytes (S), dtype_bytes, time_s, algbw_gbs, busbw_gbs, flows, busiest_link ({ name, bytes, utilisation } or null), steps (array of { step, transfers = [{ src, dst (cluster ranks), bytes, op (\"copy\" or \"reduce\") }] }, step = depth in the dependency graph), links (the cluster's whole link graph: [{ index, name, kind, gbs (line rate per direction), latency_s, bytes (carried), utilisation }]).",
                arguments: [("path", "file path, relative to --out")],
                returns: "the resolved path written",
                example: example + "r:to_json(\"allreduce.json\")"
            )) { call in
                let run = try call.object(1, cls)
                let path = try call.string(2)
                let resolved = CSVBindings.resolveOutput(call.runtime, path)
                try AtomicFileWriter.write(json(run).encoded(pretty: true) + "\n", to: resolved)
                return call.push(string: resolved)
            }
            .describe { run in
                let r = run.result
                return "CollectiveResult(\(r.collective.rawValue) \(r.algorithm), \(r.ranks.count) ranks, \(Int(r.bytes)) bytes: \(r.seconds) s, busbw \(r.busbwGBs) GB/s)"
            }
    }()

    /// The JSON document `to_json` writes.
    static func json(_ run: CollectiveRun) -> JSONValue {
        let r = run.result, s = r.schedule, steps = s.steps()
        var byStep: [[JSONValue]] = Array(repeating: [], count: s.stepCount)
        for i in 0..<s.count {
            byStep[Int(steps[i])].append(.object([
                ("src", .integer(Int64(r.ranks[Int(s.src[i])]))), ("dst", .integer(Int64(r.ranks[Int(s.dst[i])]))),
                ("bytes", .integer(Int64(s.length(of: i) * run.dtypeBytes))),
                ("op", .string(s.op[i] == .reduce ? "reduce" : "copy")),
            ]))
        }
        let busiest: JSONValue = r.busiestLink.map {
            .object([("name", .string($0.name)), ("bytes", .number($0.bytes)), ("utilisation", .number($0.utilisation))])
        } ?? .null
        return .object([
            ("format", .string("amalgam.collective/1")),
            ("cluster", .string(run.clusterName)),
            ("collective", .string(r.collective.rawValue)),
            ("algo", .string(r.algorithm)),
            ("source", .string(r.source.rawValue)),
            ("ranks", .array(r.ranks.map { .integer(Int64($0)) })),
            ("bytes", .number(r.bytes)),
            ("dtype_bytes", .integer(Int64(run.dtypeBytes))),
            ("time_s", .number(r.seconds)),
            ("algbw_gbs", .number(r.algbwGBs)),
            ("busbw_gbs", .number(r.busbwGBs)),
            ("flows", .integer(Int64(r.flowCount))),
            ("busiest_link", busiest),
            ("steps", .array(byStep.enumerated().map { .object([("step", .integer(Int64($0.offset))), ("transfers", .array($0.element))]) })),
            ("links", .array(run.links.indices.map { l in
                .object([("index", .integer(Int64(l))), ("name", .string(run.links[l].name)),
                         ("kind", .string(run.links[l].kind.rawValue)), ("gbs", .number(run.links[l].gbs)),
                         ("latency_s", .number(run.links[l].latencySeconds)),
                         ("bytes", .number(r.bytesPerLink[l])), ("utilisation", .number(run.utilisation(l)))])
            })),
        ])
    }

    /// Whole numbers from a Lua array, naming the bad entry.
    static func integers(_ t: LuaOptions, _ what: String) throws -> [Int] {
        try t.numbers().enumerated().map { i, x in
            guard x.rounded() == x, abs(x) < 1e15 else { throw LuaError.message("\(what)[\(i + 1)] is \(x); it must be a whole number") }
            return Int(x)
        }
    }

    /// Reads the shared options, times the collective, pushes the result.
    static func timed(_ call: LuaCall, _ collective: CollectiveKind, context: String) throws -> Int32 {
        let o = try call.options(1, context: context)
        guard case .object(let cluster)? = try o.stringOrObject("cluster", ClusterBindings.clusterClass) else {
            throw LuaError.message("\(context): option 'cluster' must be a Cluster (from am.cluster{...})")
        }
        var req = CollectiveTimingRequest(collective, bytes: try o.requiredInteger("bytes"))
        let algo = try o.string("algo")
        req.algorithm = algo ?? "ring"
        // A measured curve answers when no algorithm is named or "auto" is; a named
        // algorithm asks for the model of that algorithm. `measured` overrides both.
        switch try o.bool("measured") {
        case true?: req.measured = .preferred
        case false?: req.measured = .ignored
        case nil: req.measured = algo == nil ? .preferred : .whenAuto
        }
        req.ranks = try o.table("ranks") { try integers($0, "ranks") }
        if collective == .broadcast { req.root = try o.integer("root", default: 0) }
        let dtype = try o.choice("dtype", dtypes.map(\.0)) ?? "f32"
        req.dtypeBytes = dtypes.first { $0.0 == dtype }?.1 ?? 4
        if let slice = try o.number("slice_bytes") { req.options.sliceBytes = slice == 0 ? nil : slice }
        if let passes = try o.number("reduction_memory_passes") { req.options.reductionMemoryPasses = passes }
        if let p = try o.string("protocol") { req.options.protocolChoice = try ProtocolChoice.named(p) }
        try o.table("efficiency") { t in
            for kind in LinkKind.allCases {
                if let e = try t.number(kind.rawValue) { req.options.kindEfficiency[kind] = e }
            }
        }
        req.parameters.pipelineChunks = try o.integer("pipeline_chunks")
        req.parameters.channels = try o.integer("channels")
        req.parameters.foldNonPowerOfTwo = try o.bool("fold") ?? false
        req.parameters.ringOrders = try o.array("ring_orders") { t, i in try integers(t, "ring_orders[\(i)]") }
        try o.finish()
        let result = try CollectiveTiming.time(req, on: cluster)
        return call.push(CollectiveRun(result: result, links: cluster.links, dtypeBytes: req.dtypeBytes, clusterName: cluster.name),
                         as: resultClass)
    }

    static let commonArguments: [(String, String)] = [
        ("cluster", "a Cluster (am.cluster{...})"),
        ("bytes", "buffer size S in bytes, as nccl-tests counts it (all-gather: the output; reduce-scatter: the input; all-to-all: each rank's send buffer); a whole number of elements"),
        ("ranks", "0-based cluster ranks taking part, in ring/schedule order (default every rank)"),
        ("algo", "algorithm name (see am.collectives()) or \"auto\" (times every applicable one, keeps the fastest); default: a measured curve for these ranks (c:load_nccl_tests) if there is one, else \"ring\". As NCCL runs them: \"ring\" is one ring per NIC rail on several nodes with several NICs (channel c leaves each node through NIC c; one ring otherwise), \"single_ring\" always one ring, \"nccl_tree\" a double binary tree across nodes with a chain inside each node (one channel per NIC), \"nvls\" NVLink SHARP on one node whose chip has nvls = 1 (auto includes it there)"),
        ("measured", "true: use a measured curve for exactly these ranks whenever there is one (even with a named algo); false: always the model. Default: only when algo is \"auto\" or not given"),
        ("dtype", "f32 (default, as nccl-tests), f64, f16 or bf16"),
        ("slice_bytes", "pipeline slice size in bytes (default 524288, NCCL's Simple-protocol step); 0 disables slicing"),
        ("efficiency", "table of effective/line rate by link kind: scale_up, peer, pcie, cross_vendor, nic, fabric, wan, measured (each in (0, 1]); a kind given here also overrides the chips' own measured scale_up_efficiency"),
        ("reduction_memory_passes", "memory passes per reduced byte at the receiver (default 3)"),
        ("protocol", "NCCL protocol model: \"auto\" (default: LL, LL128 or Simple, whichever is predicted fastest, as NCCL's tuner picks; constants from NCCL src/graph/tuning.cc), \"LL\", \"LL128\", \"Simple\" (forced), or \"off\" (the pure link model: no per-step software latency, full link rate)"),
        ("pipeline_chunks, channels, ring_orders, fold", "algorithm knobs (see am.collectives()); ring_orders are arrays of 0-based positions into ranks"),
    ]

    static let resultDoc = "a CollectiveResult: time_s, algbw_gbs, busbw_gbs, algo, protocol (LL, LL128, Simple or nil), source (\"measured\" or \"model\"), flows, busiest_link { name, bytes, utilisation }, candidates; methods schedule(), links(), to_json(path)"

    static func register(_ rt: LuaRuntime) {
        rt.define(resultClass)

        rt.callableTable(FunctionDoc(
            "am.allreduce", "am.allreduce{ cluster = c, bytes = ..., ranks = {...}, algo = ..., dtype = ..., slice_bytes = ..., efficiency = {...} } -> CollectiveResult",
            "Predicts an all-reduce on a cluster with the network model: builds the algorithm's schedule over the ranks (ring and nccl_tree take the nodes and NICs, hierarchical_2d its nodes, weighted_ring and blink_trees their link speeds from the cluster's routes), lowers it to transfers and simulates them with contention, then applies NCCL's protocol model (protocol = \"auto\": LL, LL128 or Simple, whichever is fastest; r.protocol says which). busbw uses the nccl-tests factor 2(p-1)/p. When a measured curve covers exactly these ranks (c:load_nccl_tests) and algo is \"auto\" or not given, the time comes from the curve instead (r.source == \"measured\"; the same holds for the other collectives).",
            arguments: commonArguments,
            returns: resultDoc,
            example: exampleCluster + "\nlocal r = am.allreduce{ cluster = c, bytes = 256 * 2^20, algo = \"auto\" }\nprint(r.algo, r.time_s, r.busbw_gbs, r.busiest_link.name)"
        )) { call in try timed(call, .allReduce, context: "allreduce") }

        rt.function(FunctionDoc(
            "am.allreduce.execute", "am.allreduce.execute{ ranks = 12, count = ..., algo = ..., dtype = ..., seed = ... } -> { ok, max_abs_err, seconds }",
            "Runs an all-reduce schedule on real buffers in this process (one buffer per rank, filled from the seed) and checks every rank's result against the exact sum within the floating-point error bound. A correctness check of the algorithm, not a performance model.",
            arguments: [
                ("ranks", "number of ranks (>= 1)"), ("count", "elements per rank"),
                ("algo", "algorithm name (default \"ring\")"), ("dtype", "f32 (default), f64, f16 or bf16"),
                ("seed", "input seed (default 1)"), ("ranks_per_node", "hierarchical_2d: consecutive ranks per node"),
                ("fold", "recursive_doubling: fold non-powers of two"), ("pipeline_chunks, channels", "algorithm knobs"),
            ],
            returns: "{ ok = bool, max_abs_err, worst_error_to_bound, seconds (execution wall time), steps, first_mismatch (nil when ok) }",
            example: "local r = am.allreduce.execute{ ranks = 12, count = 1000003, algo = \"rabenseifner\", dtype = \"f32\", seed = 7 }\nassert(r.ok)\nprint(r.max_abs_err, r.seconds)"
        )) { call in
            let o = try call.options(1, context: "allreduce.execute")
            let p = try o.requiredInteger("ranks")
            var params = AlgorithmParameters()
            if let g = try o.integer("ranks_per_node") {
                guard g >= 1 else { throw LuaError.message("allreduce.execute: ranks_per_node must be >= 1 (got \(g))") }
                params.nodeOfRank = (0..<max(p, 0)).map { $0 / g }
            }
            params.foldNonPowerOfTwo = try o.bool("fold") ?? false
            params.pipelineChunks = try o.integer("pipeline_chunks")
            params.channels = try o.integer("channels")
            let request = CollectiveRequest(.allReduce, rankCount: p, elementCount: try o.requiredInteger("count"),
                                            algorithm: try o.string("algo", default: "ring"), parameters: params)
            let dtype = try o.choice("dtype", dtypes.map(\.0)) ?? "f32"
            let seed = try o.integer("seed", default: 1)
            try o.finish()
            guard seed >= 0 else { throw LuaError.message("allreduce.execute: seed must be >= 0 (got \(seed))") }
            let schedule = try CollectiveAlgorithms.schedule(request)
            let report: ExecutionReport
            switch dtype {
            case "f64": report = try ScheduleExecutor.run(schedule, as: Double.self, seed: UInt64(seed))
            case "f16": report = try ScheduleExecutor.run(schedule, as: Float16.self, seed: UInt64(seed))
            case "bf16": report = try ScheduleExecutor.run(schedule, as: BFloat16.self, seed: UInt64(seed))
            default: report = try ScheduleExecutor.run(schedule, as: Float.self, seed: UInt64(seed))
            }
            return call.push(.record([
                ("ok", .bool(report.ok)), ("max_abs_err", .number(report.maxAbsError)),
                ("worst_error_to_bound", .number(report.worstErrorToBound)), ("seconds", .number(report.seconds)),
                ("steps", .integer(report.steps)), ("first_mismatch", .string(report.firstMismatch)),
            ]))
        }

        rt.function(FunctionDoc(
            "am.reduce_scatter", "am.reduce_scatter{ cluster = c, bytes = ..., ... } -> CollectiveResult",
            "Predicts a reduce-scatter (bytes = the input buffer; each rank ends with bytes/p); options as am.allreduce. busbw factor (p-1)/p.",
            arguments: commonArguments, returns: resultDoc,
            example: exampleCluster + "\nprint(am.reduce_scatter{ cluster = c, bytes = 2^26 }.busbw_gbs)"
        )) { call in try timed(call, .reduceScatter, context: "reduce_scatter") }

        rt.function(FunctionDoc(
            "am.all_gather", "am.all_gather{ cluster = c, bytes = ..., ... } -> CollectiveResult",
            "Predicts an all-gather (bytes = the gathered output; each rank contributes bytes/p); options as am.allreduce. busbw factor (p-1)/p.",
            arguments: commonArguments, returns: resultDoc,
            example: exampleCluster + "\nprint(am.all_gather{ cluster = c, bytes = 2^26, algo = \"auto\" }.algo)"
        )) { call in try timed(call, .allGather, context: "all_gather") }

        rt.function(FunctionDoc(
            "am.broadcast", "am.broadcast{ cluster = c, bytes = ..., root = 0, ... } -> CollectiveResult",
            "Predicts a broadcast from `root` (a 0-based position in ranks, default 0); options as am.allreduce. busbw factor 1.",
            arguments: commonArguments + [("root", "0-based position in ranks of the sender (default 0)")], returns: resultDoc,
            example: exampleCluster + "\nprint(am.broadcast{ cluster = c, bytes = 2^26, root = 3 }.time_s)"
        )) { call in try timed(call, .broadcast, context: "broadcast") }

        rt.function(FunctionDoc(
            "am.all_to_all", "am.all_to_all{ cluster = c, bytes = ..., ... } -> CollectiveResult",
            "Predicts an all-to-all (bytes = each rank's send buffer, bytes/p to every rank, rounded down to whole elements); options as am.allreduce; algorithms direct or pairwise. busbw factor (p-1)/p.",
            arguments: commonArguments, returns: resultDoc,
            example: exampleCluster + "\nprint(am.all_to_all{ cluster = c, bytes = 2^26, algo = \"pairwise\" }.busbw_gbs)"
        )) { call in try timed(call, .allToAll, context: "all_to_all") }

        rt.function(FunctionDoc(
            "am.collectives", "am.collectives() -> rows",
            "The collective algorithm registry: name, collectives (comma-separated), power_of_two (any, required, required_unless_folded), parameters (knobs it reads), summary.",
            returns: "an array of rows",
            example: "for _, a in ipairs(am.collectives()) do print(a.name, a.collectives) end"
        )) { call in
            call.push(luaRows(["name", "collectives", "power_of_two", "parameters", "summary"], CollectiveAlgorithms.all.map {
                [.string($0.name), .string($0.collectives.map(\.rawValue).joined(separator: ", ")),
                 .string($0.powerOfTwo.rawValue), .string($0.parameters.joined(separator: ", ")), .string($0.summary)]
            }))
        }
    }
}
