import AmalgamCore
import AmalgamIO

/// `am.cluster{...}`, `am.cluster.from_json` and the `Cluster` object.
enum ClusterBindings {
    /// Example cluster used by the method examples (kept small so they run fast).
    static let exampleCluster = """
    local c = am.cluster{ name = "demo",
      sites = { { name = "beijing", nodes = { { chip = "nvidia_a100_sxm4_80g", count = 16 } } },
                { name = "guiyang", nodes = { { chip = "huawei_ascend_910b2", count = 16 } } } },
      wan = { { "beijing", "guiyang", gbps = 400, latency_ms = 10 } } }
    """

    /// Replaces the cluster in `box` by `change` applied to its specification,
    /// recompiled; on any error the cluster is left as it was.
    static func mutate(_ box: LuaBox<Cluster>, _ change: (inout ClusterSpec) throws -> Void) throws {
        var spec = box.value.spec
        try change(&spec)
        box.value = try spec.compile()
    }

    /// The `amalgam.Cluster` class.
    static let clusterClass: LuaClass<Cluster> = {
        let cls = LuaClass<Cluster>("amalgam.Cluster")
        return cls
            .field("name", "cluster name") { .string($0.name) }
            .field("sites", "site names, in rank order") { .array($0.sites.map { .string($0.name) }) }
            .field("tflops", "total dense BF16 peak of all chips, TFLOP/s") { .number($0.totalBf16Tflops) }
            .field("node_count", "number of nodes") { .integer($0.nodes.count) }
            .field("assumptions", "figures the cluster had to assume (one sentence each)") { .array($0.assumptions.map { .string($0) }) }
            .method("path", FunctionDoc(
                "Cluster:path", "c:path(from_rank, to_rank) -> { gbs, latency_s, hops }",
                "The route between two chips (ranks are 0-based, in site, group, node, chip order): the bottleneck line rate, the summed latency and the links crossed. Measured overrides (c:connect, c:load_matrix) replace the derived path between the nodes they cover.",
                arguments: [("from_rank", "0-based rank of the sender"), ("to_rank", "0-based rank of the receiver")],
                returns: "{ gbs = bottleneck GB/s per direction (inf for a rank to itself), latency_s = seconds, hops = { link names } }",
                example: exampleCluster + "\nlocal p = c:path(0, 20)\nprint(p.gbs, p.latency_s * 1e3, #p.hops)"
            )) { call in
                let p = try call.object(1, cls).path(from: call.integer(2), to: call.integer(3))
                return call.push(.record([("gbs", .number(p.gbs)), ("latency_s", .number(p.latencySeconds)),
                                          ("hops", .array(p.hops.map { .string($0) }))]))
            }
            .method("links", FunctionDoc(
                "Cluster:links", "c:links() -> rows",
                "Every directed link as a row: name, kind (scale_up, peer, pcie, cross_vendor, nic, fabric, wan, measured), gbs (GB/s per direction), latency_s.",
                returns: "an array of rows (rows.columns gives the column order)",
                example: exampleCluster + "\nam.csv.write(\"links.csv\", c:links())"
            )) { call in call.push(.table(try call.object(1, cls).linkTable())) }
            .method("chips", FunctionDoc(
                "Cluster:chips", "c:chips() -> rows",
                "One row per chip in rank order: rank (0-based), site, node, group, chip (id), vendor.",
                returns: "an array of rows",
                example: exampleCluster + "\nprint(c:chips()[17].site)  -- rank 16: the first guiyang chip"
            )) { call in call.push(.table(try call.object(1, cls).chipTable())) }
            .method("nodes", FunctionDoc(
                "Cluster:nodes", "c:nodes() -> rows",
                "One row per node: node (name `site/group/n<i>`, usable in c:connect and measured-link files), site, group, chip, chips, first_rank.",
                returns: "an array of rows",
                example: exampleCluster + "\nfor _, n in ipairs(c:nodes()) do print(n.node, n.chips) end"
            )) { call in call.push(.table(try call.object(1, cls).nodeTable())) }
            .method("summary", FunctionDoc(
                "Cluster:summary", "c:summary() -> rows",
                "Totals per chip type, in order of first appearance: chip, vendor, count, total_bf16_tflops (dense peak, TFLOP/s), total_mem_gb. `tostring(c)` gives the one-screen text summary.",
                returns: "an array of rows",
                example: exampleCluster + "\nam.csv.write(\"summary.csv\", c:summary())"
            )) { call in call.push(.table(try call.object(1, cls).chipTypeTable())) }
            .method("add_site", FunctionDoc(
                "Cluster:add_site", "c:add_site{ name = ..., nodes = { ... }, fabric = { ... }, cross_vendor = { ... }, wan = { ... } }",
                "Adds a site (same keys as a site in am.cluster) and recompiles in place. `wan` adds WAN links (same form as in am.cluster) to join it: a site nothing reaches is an error. On any error the cluster is unchanged.",
                arguments: [("site", "a site table as in am.cluster"), ("wan", "array of { \"site_a\", \"site_b\", gbps = ..., latency_ms = ... }")],
                returns: "the cluster (for chaining)",
                example: exampleCluster + "\nc:add_site{ name = \"shanghai\", nodes = { { chip = \"nvidia_h20\", nodes = 2 } },\n            wan = { { \"beijing\", \"shanghai\", gbps = 100, latency_ms = 15 } } }\nprint(#c, c.sites[3])  -- 48 shanghai"
            )) { call in
                let box = try call.box(1, cls)
                let o = try call.options(2, context: "add_site")
                let site = try ClusterSpecReader.site(o)
                let wan = try o.array("wan") { w, _ in try ClusterSpecReader.wanLink(w) } ?? []
                try o.finish()
                try mutate(box) { $0.sites.append(site); $0.wan += wan }
                return call.pushArgument(1)
            }
            .method("add_nodes", FunctionDoc(
                "Cluster:add_nodes", "c:add_nodes(site, { chip = ..., count = N | nodes = N, ... })",
                "Adds a node group to a site (same keys as a node group in am.cluster) and recompiles in place; ranks after the site shift. On any error the cluster is unchanged.",
                arguments: [("site", "site name"), ("group", "a node group table as in am.cluster")],
                returns: "the cluster (for chaining)",
                example: exampleCluster + "\nc:add_nodes(\"beijing\", { chip = \"nvidia_h20\", count = 16 })\nprint(#c)  -- 48"
            )) { call in
                let box = try call.box(1, cls)
                let site = try call.string(2)
                let o = try call.options(3, context: "add_nodes")
                let group = try ClusterSpecReader.group(o)
                try o.finish()
                try mutate(box) { try $0.addNodes(group, toSite: site) }
                return call.pushArgument(1)
            }
            .method("connect", FunctionDoc(
                "Cluster:connect", "c:connect(a, b, { gbs = ..., latency_s = ... })",
                "Overrides the derived network between two endpoints with a measured figure (both directions): traffic between them then crosses one link of `gbs` each way with `latency_s`. Endpoints are both sites (\"beijing\"), both node groups (\"beijing/nvidia_h20\"), or both nodes (\"beijing/nvidia_h20/n0\" or a 0-based node index). On any error the cluster is unchanged.",
                arguments: [("a, b", "site name, \"site/group\", \"site/group/n<i>\" or node index"),
                            ("gbs", "measured throughput per direction, GB/s"), ("latency_s", "measured one-way latency, seconds")],
                returns: "the cluster (for chaining)",
                example: exampleCluster + "\nc:connect(\"beijing\", \"guiyang\", { gbs = 20, latency_s = 0.012 })\nprint(c:path(0, 20).gbs)  -- 20"
            )) { call in
                let box = try call.box(1, cls)
                let a = try ClusterSpecReader.endpoint(call, 2), b = try ClusterSpecReader.endpoint(call, 3)
                let o = try call.options(4, context: "connect")
                let gbs = try o.requiredNumber("gbs"), latency = try o.requiredNumber("latency_s")
                try o.finish()
                try mutate(box) { $0.connect(a, b, gbs: gbs, latencySeconds: latency) }
                return call.pushArgument(1)
            }
            .method("load_matrix", FunctionDoc(
                "Cluster:load_matrix", "c:load_matrix(csv_path)",
                "Reads measured node-to-node figures from a CSV with columns `from,to,gbs,latency_s` (one row per directed pair; node names as in c:nodes(); gbs in GB/s, latency_s in seconds). A pair given one way only is used both ways; every pair of the nodes listed must appear at least once. The derived path between those nodes is replaced. Row numbers in messages count data rows (not the header). On any error the cluster is unchanged.",
                arguments: [("csv_path", "file path (looked up as am.csv.read does)")],
                returns: "the cluster (for chaining)",
                example: exampleCluster + """

                am.csv.write("measured.csv", {
                  { from = "beijing/nvidia_a100_sxm4_80g/n0", to = "beijing/nvidia_a100_sxm4_80g/n1", gbs = 18, latency_s = 4e-6 },
                }, { columns = { "from", "to", "gbs", "latency_s" } })
                c:load_matrix("measured.csv")
                print(c:path(0, 8).gbs)  -- 18
                """
            )) { call in
                let box = try call.box(1, cls)
                let path = try call.string(2)
                let (columns, rows) = try CSVBindings.readCSV(call.runtime, path)
                let pairs = try ClusterSpecReader.measurements(columns: columns, rows: rows, path: path)
                let matrix = try prefixedLua(path) { try NodeMatrixSpec(pairs: pairs) }
                try prefixedLua(path) { try mutate(box) { $0.matrices.append(matrix) } }
                return call.pushArgument(1)
            }
            .method("load_nccl_tests", NcclTestsBindings.doc) { call in try NcclTestsBindings.load(call, cls) }
            .method("to_json", FunctionDoc(
                "Cluster:to_json", "c:to_json() -> string",
                "The cluster's specification as JSON (keys sorted, so equal clusters give equal text): what to save and share. Custom chips, measured links and measured nccl-tests curves are stored whole. Read it back with am.cluster.from_json.",
                returns: "JSON text",
                example: exampleCluster + "\nlocal same = am.cluster.from_json(c:to_json())\nassert(same == c)"
            )) { call in call.push(string: try call.object(1, cls).spec.jsonString()) }
            .describe { $0.summary() }
            .equatable { $0.spec == $1.spec }
            .countable { $0.chipCount }
    }()

    static func register(_ rt: LuaRuntime) {
        rt.callableTable(FunctionDoc(
            "am.cluster", "am.cluster{ name = ..., sites = { ... }, wan = { ... }, wan_routing = ... } -> Cluster",
            "Builds a cluster: sites of node groups, each site with its scale-out fabric and cross-vendor path, joined by WAN links. Every value is checked; unknown keys, unknown chips (with suggestions), bad counts, WAN links naming unknown sites and disconnected sites are errors. Latencies are in seconds (`_s`) except WAN `latency_ms`.",
            arguments: [
                ("name", "cluster name (default \"cluster\")"),
                ("sites", "array of { name, nodes = { group, ... }, fabric = {...}, cross_vendor = {...} }"),
                ("nodes[i]", "node group: chip (catalog id or Chip), count (chips) or nodes (whole nodes), name, chips_per_node, intra_link_gbs (aggregate bidirectional GB/s per chip), intra_topology (switch|full_mesh|ring|pcie), intra_hop_latency_s, nic_gbps (per chip, or per NIC with nics_per_node; per direction), nics_per_node (scale-out NICs per node, default one per chip; fewer NICs are shared by the chips behind each, reached over a PCIe switch), pcie_gbs (chip <-> NIC switch PCIe GB/s per direction with nics_per_node; default 31.5, PCIe Gen4 x16, an assumption)"),
                ("fabric", "kind (ib|infiniband|roce|ethernet), nic_gbps (per chip, overrides the chips'), hop_latency_s (per scale-out link), oversubscription (>= 1, at node uplinks)"),
                ("cross_vendor", "mode (device_rdma|host_bounce), gbs (bounce GB/s per node and direction), latency_s (added by the bounce)"),
                ("wan", "array of { \"site_a\", \"site_b\", gbps = Gb/s per direction, latency_ms = one-way ms }"),
                ("wan_routing", "shortest_latency (default) or widest_path"),
            ],
            returns: "a Cluster: #c chips; c.name, c.sites, c.tflops; methods path, links, chips, nodes, summary, add_site, add_nodes, connect, load_matrix, load_nccl_tests, to_json; tostring(c) summarises",
            example: """
            local c = am.cluster{
              name = "mixed",
              sites = {
                { name = "beijing",
                  nodes = { { chip = "nvidia_a100_sxm4_80g", count = 64 }, { chip = "nvidia_h20", nodes = 16 } },
                  fabric = { kind = "infiniband", nic_gbps = 400, hop_latency_s = 1e-6, oversubscription = 2 },
                  cross_vendor = { mode = "host_bounce", gbs = 10, latency_s = 20e-6 } },
                { name = "guiyang", nodes = { { chip = "huawei_ascend_910b2", count = 256 } } },
              },
              wan = { { "beijing", "guiyang", gbps = 400, latency_ms = 10 } },
              wan_routing = "shortest_latency",
            }
            print(#c, c.tflops)
            print(c)
            """
        )) { call in
            call.push(try ClusterSpecReader.cluster(call.options(1, context: "cluster")).compile(), as: clusterClass)
        }

        rt.function(FunctionDoc(
            "am.cluster.from_json", "am.cluster.from_json(text) -> Cluster",
            "Rebuilds a cluster from the JSON that c:to_json() wrote (checked and compiled like am.cluster).",
            arguments: [("text", "JSON text")],
            returns: "a Cluster",
            example: exampleCluster + "\nlocal copy = am.cluster.from_json(c:to_json())\nprint(#copy)"
        )) { call in
            call.push(try ClusterSpec(json: call.string(1)).compile(), as: clusterClass)
        }
        // After the functions, so the reference lists them before the methods.
        rt.define(clusterClass)
    }

    /// Runs `body`, prefixing a core error with `context` (a file path).
    static func prefixedLua<T>(_ context: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as AmalgamError { throw LuaError.message("\(context): \(e.message)") }
    }
}
