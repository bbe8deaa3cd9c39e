import AmalgamCore

/// `c:load_nccl_tests{...}`: attaches measured nccl-tests curves to a group of a
/// cluster's ranks.
enum NcclTestsBindings {
    /// The reference entry.
    static let doc = FunctionDoc(
        "Cluster:load_nccl_tests",
        "c:load_nccl_tests{ file = path, ranks = { ... } | nodes = { ... }, collective = ..., placement = ... } -> summary",
        "Reads the text an nccl-tests binary printed (all_reduce_perf, all_gather_perf, reduce_scatter_perf, broadcast_perf, reduce_perf, alltoall_perf; with or without the root column, several processes' device lines, CRLF) and attaches the measured curve to exactly that group of ranks. From then on am.allreduce and friends over the same set of ranks (any order) with algo = \"auto\" or no algo answer from the curve (r.source == \"measured\"); other groups, and an explicitly named algorithm, keep the link model. Time for a size S: below the smallest measured size, the smallest size's time (latency floor); between two sizes, linear interpolation of time; above the largest, that size's algbw carries on (time linear in S). The curve is saved by c:to_json. On any error (bad line, rank count differing from the output's device lines, a second curve for the same ranks and collective) the cluster is unchanged.",
        arguments: [
            ("file", "path of the saved output (looked up as am.csv.read does: current directory, then under --out)"),
            ("ranks", "0-based cluster ranks the test ran on"),
            ("nodes", "instead of ranks: node names (\"site/group/n0\", see c:nodes()), all their chips"),
            ("collective", "all_reduce, all_gather, reduce_scatter, broadcast, reduce or all_to_all; required when the output has no '# Collective test starting:' line, else must agree with it"),
            ("placement", "in_place (default: what training frameworks run) or out_of_place timing columns"),
        ],
        returns: "{ collective, ranks = { ... }, sizes (rows loaded), min_bytes, max_bytes, max_busbw_gbs (of the chosen placement), avg_busbw_gbs (nil if not printed), placement }",
        example: ClusterBindings.exampleCluster + """

        -- what all_reduce_perf -b 1M -e 1G -f 1024 -g 8 printed on beijing's first node
        local path = os.tmpname()
        local f = assert(io.open(path, "w"))
        f:write([[
        # Collective test starting: all_reduce_perf
        #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
        #        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)
             1048576        262144     float     sum      -1    30.00   34.95   61.17      0    29.00   36.16   63.28      0
          1073741824     268435456     float     sum      -1   4800.0  223.70  391.47      0   4790.0  224.16  392.29      0
        # Out of bounds values : 0 OK
        ]])
        f:close()
        local s = c:load_nccl_tests{ file = path, nodes = { "beijing/nvidia_a100_sxm4_80g/n0" } }
        os.remove(path)
        print(s.collective, s.sizes, s.max_busbw_gbs)  -- all_reduce 2 392.29
        local r = am.allreduce{ cluster = c, bytes = 2^29, ranks = { 0, 1, 2, 3, 4, 5, 6, 7 } }
        print(r.source, r.time_s)  -- measured, interpolated between the two sizes
        print(am.allreduce{ cluster = c, bytes = 2^29, ranks = { 0, 1, 2, 3, 4, 5, 6, 8 } }.source)  -- model
        """
    )

    /// Reads the options, parses the file, attaches the curve, pushes the summary.
    static func load(_ call: LuaCall, _ cls: LuaClass<Cluster>) throws -> Int32 {
        let box = try call.box(1, cls)
        let o = try call.options(2, context: "load_nccl_tests")
        let path = try o.requiredString("file")
        let ranks = try o.table("ranks") { try CollectiveBindings.integers($0, "ranks") }
        let nodes = try o.table("nodes") { try CSVBindings.stringArray($0) }
        let collective = try o.string("collective").map { try CollectiveKind.named($0) }
        let placement = try o.string("placement").map { try MeasuredPlacement.named($0) } ?? .inPlace
        try o.finish()
        let group: [Int]
        switch (ranks, nodes) {
        case (let r?, nil): group = r
        case (nil, let n?): group = try box.value.ranks(onNodes: n)
        case (nil, nil): throw LuaError.message("load_nccl_tests: give the ranks the test ran on (ranks = {...} or nodes = {...})")
        case (_?, _?): throw LuaError.message("load_nccl_tests: give ranks or nodes, not both")
        }
        let text = try CSVBindings.readText(call.runtime, path)
        let curve = try ClusterBindings.prefixedLua(path) { try NcclTestsParser.parse(text, collective: collective) }
        let source = String(path.split(separator: "/").last ?? Substring(path))
        try ClusterBindings.prefixedLua(path) {
            try ClusterBindings.mutate(box) { $0.attach(curve, ranks: group, placement: placement, source: source) }
        }
        return call.push(.record([
            ("collective", .string(curve.collective.rawValue)),
            ("ranks", .array(group.map { .integer($0) })),
            ("sizes", .integer(curve.points.count)),
            ("min_bytes", .number(curve.minBytes)),
            ("max_bytes", .number(curve.maxBytes)),
            ("max_busbw_gbs", .number(curve.maxBusbwGBs(placement))),
            ("avg_busbw_gbs", .number(curve.averageBusbwGBs)),
            ("placement", .string(placement.rawValue)),
        ]))
    }
}
