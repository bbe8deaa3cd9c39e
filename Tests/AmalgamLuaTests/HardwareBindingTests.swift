import AmalgamLua
import Foundation
import XCTest

/// The Lua surface of the hardware model: chips, clusters, paths, overrides.
final class HardwareBindingTests: XCTestCase {
    /// The issue's cluster: 64 A100 + 128 H20 in beijing, 256 Ascend 910B2 in
    /// guiyang, WAN 400 Gb/s and 10 ms. Default fabric: InfiniBand, 0.5 µs per
    /// scale-out link (FabricKind assumption), non-blocking.
    static let mixed = """
    local c = am.cluster{
      name = "mixed",
      sites = {
        { name = "beijing", nodes = { { chip = "nvidia_a100_sxm4_80g", count = 64 },
                                      { chip = "nvidia_h20", count = 128 } } },
        { name = "guiyang", nodes = { { chip = "huawei_ascend_910b2", count = 256 } } },
      },
      wan = { { "beijing", "guiyang", gbps = 400, latency_ms = 10 } },
    }
    local function near(a, b, what) assert(math.abs(a - b) <= 1e-9 * math.max(1, math.abs(b)), what .. ": " .. a .. " vs " .. b) end

    """

    func testIssueClusterCountsAndTotals() throws {
        try assertLuaRuns(Self.mixed + """
        assert(#c == 448, #c)                      -- 64 + 128 + 256
        assert(c.name == "mixed" and c.sites[1] == "beijing" and c.sites[2] == "guiyang" and #c.sites == 2)
        assert(c.node_count == 56, c.node_count)   -- 64/8 + 128/8 + 256/8 = 8 + 16 + 32
        local s = c:summary()
        assert(#s == 3)
        -- A100: 64 x 312 TFLOP/s = 19968; 64 x 80 GB = 5120 GB
        assert(s[1].chip == "nvidia_a100_sxm4_80g" and s[1].vendor == "NVIDIA" and s[1].count == 64)
        near(s[1].total_bf16_tflops, 19968, "a100 tflops"); near(s[1].total_mem_gb, 5120, "a100 mem")
        -- H20: 128 x 148 = 18944; 128 x 96 GB = 12288 GB
        assert(s[2].chip == "nvidia_h20" and s[2].count == 128)
        near(s[2].total_bf16_tflops, 18944, "h20 tflops"); near(s[2].total_mem_gb, 12288, "h20 mem")
        -- 910B2: 256 x 353.9 = 90598.4; 256 x 64 GB = 16384 GB
        assert(s[3].chip == "huawei_ascend_910b2" and s[3].count == 256)
        near(s[3].total_bf16_tflops, 90598.4, "910b2 tflops"); near(s[3].total_mem_gb, 16384, "910b2 mem")
        near(c.tflops, 19968 + 18944 + 90598.4, "total")
        assert(s.columns[4] == "total_bf16_tflops")
        local chips = c:chips()
        assert(#chips == 448 and chips[1].rank == 0 and chips[65].chip == "nvidia_h20" and chips[193].site == "guiyang")
        assert(chips[448].node == "guiyang/huawei_ascend_910b2/n31", chips[448].node)
        local nodes = c:nodes()
        assert(#nodes == 56 and nodes[9].node == "beijing/nvidia_h20/n0" and nodes[9].first_rank == 64)
        assert(tostring(c):find("448 chips in 56 nodes, 2 sites", 1, true), tostring(c))
        """)
    }

    func testPathsMatchTheConfiguration() throws {
        try assertLuaRuns(Self.mixed + """
        -- One NVSwitch node: A100 600 GB/s bidirectional -> 300 GB/s per direction
        -- through the switch; two switch-port links of 0.5 µs (assumption).
        local p = c:path(0, 1)
        near(p.gbs, 300, "nvswitch gbs"); near(p.latency_s, 1e-6, "nvswitch latency"); assert(#p.hops == 2)
        -- 910B2 HCCS full mesh: 392 / 2 / 7 peers = 28 GB/s, one 1 µs link.
        p = c:path(192, 193)
        near(p.gbs, 28, "mesh gbs"); near(p.latency_s, 1e-6, "mesh latency"); assert(#p.hops == 1)
        -- Two A100 nodes of beijing: NIC 200 Gb/s = 25 GB/s is the bottleneck (the
        -- node uplinks carry 8 x 25 = 200 GB/s); NIC up, uplink up, uplink down,
        -- NIC down at 0.5 µs each = 2 µs.
        p = c:path(0, 8)
        near(p.gbs, 25, "node-node gbs"); near(p.latency_s, 2e-6, "node-node latency"); assert(#p.hops == 4)
        assert(p.hops[1] == "beijing/nvidia_a100_sxm4_80g/n0/c0/nic_up", p.hops[1])
        -- Across the WAN: the same four scale-out links plus the WAN link (400 Gb/s
        -- = 50 GB/s, 10 ms); bottleneck still the 25 GB/s NICs.
        p = c:path(0, 192)
        near(p.gbs, 25, "wan gbs"); near(p.latency_s, 10e-3 + 2e-6, "wan latency"); assert(#p.hops == 5)
        assert(p.hops[3] == "wan:beijing->guiyang", p.hops[3])
        -- Self: no links, infinite bandwidth.
        p = c:path(5, 5)
        assert(p.gbs == math.huge and p.latency_s == 0 and #p.hops == 0)
        """)
        // A thinner WAN becomes the bottleneck: 100 Gb/s = 12.5 GB/s.
        try assertLuaRuns("""
        local c = am.cluster{ sites = {
            { name = "a", nodes = { { chip = "nvidia_h20", count = 8 } } },
            { name = "b", nodes = { { chip = "nvidia_h20", count = 8 } } } },
          wan = { { "a", "b", gbps = 100, latency_ms = 3 } } }
        local p = c:path(0, 8)
        assert(p.gbs == 12.5, p.gbs)
        assert(math.abs(p.latency_s - (3e-3 + 4 * 0.5e-6)) < 1e-15, p.latency_s)
        """)
    }

    func testFabricAndCrossVendorOptions() throws {
        try assertLuaRuns("""
        local c = am.cluster{ name = "mixed", sites = {
          { name = "beijing",
            nodes = { { chip = "nvidia_a100_sxm4_80g", count = 64 }, { chip = "nvidia_h20", nodes = 16 } },
            fabric = { kind = "infiniband", nic_gbps = 400, hop_latency_s = 1e-6, oversubscription = 2 },
            cross_vendor = { mode = "host_bounce", gbs = 10, latency_s = 20e-6 } },
          { name = "guiyang", nodes = { { chip = "huawei_ascend_910b2", count = 256 } } } },
          wan = { { "beijing", "guiyang", gbps = 400, latency_ms = 10 } }, wan_routing = "shortest_latency" }
        assert(#c == 64 + 16 * 8 + 256)
        -- Site NIC 400 Gb/s = 50 GB/s per chip; uplink 8 x 50 / 2 = 200 GB/s; so 50.
        -- Four links at 1 µs.
        local p = c:path(0, 8)
        assert(p.gbs == 50, p.gbs); assert(math.abs(p.latency_s - 4e-6) < 1e-15, p.latency_s)
        -- The A100 and H20 are both NVIDIA: no bounce. Still 50 GB/s.
        assert(c:path(0, 64).gbs == 50)
        """)
        try assertLuaRuns("""
        local c = am.cluster{ sites = { { name = "s",
            nodes = { { chip = "nvidia_h20", count = 8 }, { chip = "huawei_ascend_910b2", count = 8 } },
            cross_vendor = { mode = "host_bounce", gbs = 10, latency_s = 20e-6 } } } }
        -- Host bounce out (10 GB/s, 10 µs), uplinks (0.5 µs each), bounce in (10 µs).
        local p = c:path(0, 8)
        assert(p.gbs == 10, p.gbs)
        assert(math.abs(p.latency_s - (20e-6 + 1e-6)) < 1e-15, p.latency_s)
        assert(p.hops[1] == "s/nvidia_h20/n0/host_bounce_out", p.hops[1])
        """)
    }

    func testNodeGroupOverrides() throws {
        try assertLuaRuns("""
        local c = am.cluster{ sites = { { name = "s", nodes = {
          { chip = "nvidia_a100_sxm4_80g", count = 8, name = "pod", chips_per_node = 4, intra_link_gbs = 200,
            intra_topology = "full_mesh", intra_hop_latency_s = 2e-6, nic_gbps = 100 } } } } }
        -- 4 chips per node: 2 nodes; mesh link 200 / 2 / 3 GB/s, 2 µs.
        assert(c.node_count == 2)
        local p = c:path(0, 1)
        assert(math.abs(p.gbs - 100 / 3) < 1e-12 and p.latency_s == 2e-6, p.gbs)
        -- NIC 100 Gb/s = 12.5 GB/s between the nodes.
        assert(c:path(0, 4).gbs == 12.5)
        assert(c:nodes()[2].node == "s/pod/n1")
        """)
    }

    func testChipLookupCustomAndDerived() throws {
        try assertLuaRuns("""
        local all = am.chips()
        assert(#all > 20 and all[1].id ~= nil)
        local a = am.chip "nvidia_a100_sxm4_80g"
        assert(a.vendor == "NVIDIA" and a.bf16_tflops == 312 and a.mem_gb == 80 and a.mem_bw_gbs == 2039)
        assert(a.intra_topology == "switch" and a.chips_per_node == 8 and a.nic_gbps == 200 and a.confidence == "high")
        assert(a.fp8_tflops == nil)      -- no FP8 on A100
        assert(a == am.chip "nvidia_a100_sxm4_80g" and a ~= am.chip "nvidia_h20")
        assert(tostring(a):find("312 TFLOP/s bf16", 1, true), tostring(a))
        local row = a:row()
        assert(row.id == a.id and row.mem_bw_gbs == 2039 and row.fp8_tflops == nil)

        local npu = am.chip{ id = "my_npu", vendor = "Acme", bf16_tflops = 400, mem_gb = 64,
                             mem_bw_gbs = 1600, intra_link_gbs = 300, nic_gbps = 200 }
        assert(npu.id == "my_npu" and npu.name == "my_npu" and npu.fp16_tflops == 400 and npu.source == "user-defined")
        assert(npu.intra_topology == "switch" and npu.chips_per_node == 8)

        local d = am.chip{ base = "huawei_ascend_910b2", bf16_tflops = 280 }
        assert(d.bf16_tflops == 280 and d.mem_gb == 64 and d.intra_topology == "full_mesh" and d.confidence == "unknown")
        assert(d.source:find("derived from huawei_ascend_910b2", 1, true))
        local d2 = am.chip{ base = npu, id = "my_npu2", mem_gb = 128 }
        assert(d2.mem_gb == 128 and d2.bf16_tflops == 400)

        -- Custom chips in a cluster: 16 my_npu (2 nodes) + 8 derived.
        local c = am.cluster{ sites = { { name = "lab", nodes = {
          { chip = npu, count = 16 }, { chip = d, count = 8, name = "slow" } } } } }
        assert(#c == 24 and math.abs(c.tflops - (16 * 400 + 8 * 280)) < 1e-9, c.tflops)
        -- my_npu: switch 300 GB/s bidirectional -> 150 per direction.
        assert(c:path(0, 1).gbs == 150)
        assert(c:summary()[2].chip == "huawei_ascend_910b2" and c:summary()[2].total_bf16_tflops == 8 * 280)

        -- Measured scale-up efficiency: the A100's own (nccl-tests ~230 of 300 GB/s), none for
        -- chips without a measurement, overridable like any figure.
        assert(math.abs(a.scale_up_efficiency - 230 / 300) < 1e-12 and a.scale_up_efficiency_source:find("nccl", 1, true))
        assert(am.chip("nvidia_h20").scale_up_efficiency == nil and npu.scale_up_efficiency == nil)
        local tuned = am.chip{ base = "nvidia_a100_sxm4_80g", scale_up_efficiency = 0.5 }
        assert(tuned.scale_up_efficiency == 0.5 and tuned.scale_up_efficiency_source == "user-defined")
        local eight = am.cluster{ sites = { { name = "s", nodes = { { chip = "nvidia_a100_sxm4_80g", count = 8 } } } } }
        local half = am.cluster{ sites = { { name = "s", nodes = { { chip = tuned, count = 8 } } } } }
        local bw = am.allreduce{ cluster = eight, bytes = 1 << 33 }.busbw_gbs
        assert(math.abs(bw - 230) < 1, bw)
        assert(math.abs(am.allreduce{ cluster = half, bytes = 1 << 33 }.busbw_gbs - 150) < 1)
        -- A per-kind efficiency the script gives wins over the chip's own figure.
        assert(math.abs(am.allreduce{ cluster = eight, bytes = 1 << 33, efficiency = { scale_up = 0.9 } }.busbw_gbs - 270) < 1)
        """)
        try assertLuaFails("am.chip{ base = 'nvidia_a100_sxm4_80g', scale_up_efficiency = 1.5 }", "scale_up_efficiency must be in (0, 1] (got 1.5)")
    }

    /// Fewer NICs than chips: 8 chips share 2 NICs through PCIe switches; the
    /// setting survives JSON; bad counts are clear errors.
    func testSharedNICs() throws {
        try assertLuaRuns("""
        local c = am.cluster{ sites = { { name = "s", nodes = {
          { chip = "nvidia_a100_sxm4_80g", nodes = 2, nics_per_node = 2, pcie_gbs = 20 } } } } }
        local p = c:path(1, 9)
        -- chip -> PCIe switch (20 GB/s) -> NIC 0 (25 GB/s) -> uplinks -> NIC 0 -> PCIe -> chip
        assert(#p.hops == 6 and p.gbs == 20, #p.hops)
        assert(p.hops[1] == "dc/nvidia_a100_sxm4_80g/n0/c1->pcie_sw0" or p.hops[1]:find("pcie_sw0", 1, true), p.hops[1])
        assert(p.hops[2]:find("nic0/nic_up", 1, true), p.hops[2])
        assert(c:path(5, 13).hops[2]:find("nic1/nic_up", 1, true))
        local back = am.cluster.from_json(c:to_json())
        assert(back == c and back:path(1, 9).gbs == 20)
        """)
        try assertLuaFails("""
        am.cluster{ sites = { { name = "s", nodes = { { chip = "nvidia_a100_sxm4_80g", nodes = 1, nics_per_node = 9 } } } } }
        """, "nics_per_node = 9 exceeds the 8 chips per node")
        try assertLuaFails("""
        am.cluster{ sites = { { name = "s", nodes = { { chip = "nvidia_a100_sxm4_80g", nodes = 1, pcie_gbs = 9 } } } } }
        """, "pcie_gbs applies only with nics_per_node")
    }

    func testJSONRoundTrip() throws {
        try assertLuaRuns(Self.mixed + """
        local npu = am.chip{ id = "my_npu", bf16_tflops = 400, mem_gb = 64, mem_bw_gbs = 1600, intra_link_gbs = 300 }
        c:add_nodes("guiyang", { chip = npu, count = 8 })
        c:connect("beijing/nvidia_h20", "guiyang/huawei_ascend_910b2", { gbs = 3, latency_s = 0.02 })
        local text = c:to_json()
        assert(type(text) == "string" and text:find('"my_npu"', 1, true))
        local back = am.cluster.from_json(text)
        assert(back == c and #back == 456 and back:to_json() == text)
        assert(back:path(64, 192).gbs == 3 and back.tflops == c.tflops)
        """)
        try assertLuaFails("am.cluster.from_json('{\"name\": \"x\"}')", "cluster JSON: missing")
    }

    func testConnectAndMatrixOverridesChangePath() throws {
        let dir = try makeTempDirectory()
        let csv = dir + "/measured.csv"
        try """
        from,to,gbs,latency_s
        beijing/nvidia_a100_sxm4_80g/n0,beijing/nvidia_a100_sxm4_80g/n1,12,5e-6
        beijing/nvidia_a100_sxm4_80g/n1,beijing/nvidia_a100_sxm4_80g/n0,11,6e-6
        beijing/nvidia_a100_sxm4_80g/n0,beijing/nvidia_a100_sxm4_80g/n2,9,7e-6
        beijing/nvidia_a100_sxm4_80g/n2,beijing/nvidia_a100_sxm4_80g/n1,8,8e-6

        """.write(toFile: csv, atomically: true, encoding: .utf8)
        try assertLuaRuns(Self.mixed + """
        -- Site-level connect replaces the WAN path (25 GB/s, 10.002 ms).
        assert(c:connect("beijing", "guiyang", { gbs = 5, latency_s = 0.03 }) == c)
        local p = c:path(0, 192)
        assert(p.gbs == 5 and p.latency_s == 0.03 and p.hops[1] == "measured:beijing->guiyang", p.hops[1])
        -- Node-level by index (node 8 = first H20 node, 9 = second) wins over the site pair.
        c:connect(8, 9, { gbs = 40, latency_s = 3e-6 })
        p = c:path(64, 72)
        assert(p.gbs == 40 and p.latency_s == 3e-6)
        -- Matrix file: directed figures; the missing n1->n2 mirrors n2->n1, n2->n0 mirrors n0->n2.
        c:load_matrix("\(csv)")
        assert(c:path(0, 8).gbs == 12 and c:path(8, 0).gbs == 11 and c:path(8, 0).latency_s == 6e-6)
        assert(c:path(0, 16).gbs == 9 and c:path(16, 0).gbs == 9)
        assert(c:path(16, 8).gbs == 8 and c:path(8, 16).gbs == 8 and c:path(8, 16).latency_s == 8e-6)
        -- Untouched pairs keep the derived path.
        assert(c:path(0, 24).gbs == 25)
        local kinds = 0
        for _, l in ipairs(c:links()) do if l.kind == "measured" then kinds = kinds + 1 end end
        assert(kinds == 2 + 2 + 6, kinds)  -- two connects (both ways) + 3x2 matrix entries
        """)
    }

    func testMutationsRecompileAndErrorsLeaveClusterUnchanged() throws {
        try assertLuaRuns(Self.mixed + """
        c:add_nodes("beijing", { chip = "nvidia_h20", count = 16, name = "extra" })
        assert(#c == 464 and c:chips()[193].chip == "nvidia_h20")   -- guiyang ranks shift by 16
        c:add_site{ name = "shanghai", nodes = { { chip = "nvidia_h20", nodes = 2 } },
                    wan = { { "guiyang", "shanghai", gbps = 200, latency_ms = 20 } } }
        assert(#c == 480 and c.sites[3] == "shanghai")
        -- beijing -> shanghai goes through guiyang: 10 + 20 ms.
        assert(math.abs(c:path(0, 464).latency_s - (30e-3 + 2e-6)) < 1e-12)
        local before = c:to_json()
        assert(not pcall(c.add_nodes, c, "beijing", { chip = "nvidia_h20", count = 0 }))
        assert(not pcall(c.add_site, c, { name = "island", nodes = { { chip = "nvidia_h20", count = 8 } } }))
        assert(not pcall(c.connect, c, "beijing", "nowhere", { gbs = 1, latency_s = 0 }))
        assert(not pcall(c.load_matrix, c, "no_such_file.csv"))
        assert(c:to_json() == before and #c == 480)
        """)
    }

    func testErrorMessages() throws {
        try assertLuaFails("am.chip 'a100'", "unknown chip 'a100' (did you mean 'nvidia_a100")
        try assertLuaFails("am.chip(42)", "bad argument #1 to 'chip' (string or table expected, got number)")
        try assertLuaFails("am.chip{ id = 'x', bf16_tflops = 1, mem_gb = 1, mem_bw_gbs = 1, intra_link_gbs = 1, mem_bw = 3 }",
                           "unknown option 'mem_bw' (did you mean 'mem_bw_gbs'?)")
        try assertLuaFails("am.chip{ id = 'x', bf16_tflops = -1, mem_gb = 1, mem_bw_gbs = 1, intra_link_gbs = 1 }",
                           "chip 'x': bf16_tflops must be > 0 TFLOP/s (got -1)")
        try assertLuaFails("am.chip{ id = 'x', bf16_tflops = 1 }", "custom chip needs mem_gb, mem_bw_gbs, intra_link_gbs")
        try assertLuaFails("am.chip{ base = 'huawei_ascend_910b2', efficiency = 2 }", "efficiency must be in (0, 1] (got 2)")
        try assertLuaFails("am.chip{ base = 'huawei_ascend_910b2', intra_topology = 'mesh' }", "unknown intra_topology 'mesh'")
        try assertLuaFails("am.chip{ base = 'huawei_ascend_910b2', mem_gb = 'lots' }", "mem_gb must be a number (GB)")
        try assertLuaFails("am.chip{ base = 'huawei_ascend_910b2', mem_gb = {} }", "option 'mem_gb' must be a number or a string (got table)")

        func cluster(_ group: String, extra: String = "") -> String {
            "am.cluster{ sites = { { name = 'a', nodes = { \(group) } }, { name = 'b', nodes = { { chip = 'nvidia_h20', count = 8 } } } }, \(extra) }"
        }
        let wan = "wan = { { 'a', 'b', gbps = 100, latency_ms = 1 } }"
        try assertLuaFails("\n" + cluster("{ chip = 'a100', count = 8 }", extra: wan), "test:2: site 'a', node group 1: unknown chip 'a100' (did you mean")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', count = 0 }", extra: wan), "count must be >= 1 (got 0)")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', nodes = -2 }", extra: wan), "nodes must be >= 1 (got -2)")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', count = 1.5 }", extra: wan), "option 'count' must be an integer")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20' }", extra: wan), "give the number of chips (count = N) or of whole nodes (nodes = N)")
        try assertLuaFails(cluster("{ count = 8 }", extra: wan), "cluster.sites[1].nodes[1]: option 'chip' is required")
        try assertLuaFails(cluster("{ chip = 42, count = 8 }", extra: wan), "option 'chip' must be a string or a Chip (got number)")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', cuont = 8 }", extra: wan), "cluster.sites[1].nodes[1]: unknown option 'cuont' (did you mean 'count'?)")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', count = 8 }", extra: "wan = { { 'a', 'c', gbps = 100, latency_ms = 1 } }"),
                           "wan link 1 ('a' <-> 'c'): unknown site 'c'")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', count = 8 }"), "cluster 'cluster' is disconnected")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', count = 8 }", extra: "wan = { { 'a', 'b', gbps = 100 } }"), "cluster.wan[1]: option 'latency_ms' is required")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', count = 8 }", extra: "wan = { { 'a', gbps = 100, latency_ms = 1 } }"), "give the two site names first")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan + ", wan_routing = 'fastest'"), "unknown wan_routing 'fastest'")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan + ", colour = 'red'"), "cluster: unknown option 'colour'")
        try assertLuaFails("am.cluster{ sites = { { name = 'a', nodes = { { chip = 'nvidia_h20', count = 8 } }, fabric = { kind = 'myrinet' } } } }",
                           "unknown fabric kind 'myrinet'")
        try assertLuaFails("am.cluster{ sites = { { name = 'a', nodes = { { chip = 'nvidia_h20', count = 8 } }, fabric = { oversubscription = 0.5 } } } }",
                           "oversubscription must be >= 1 (got 0.5)")
        try assertLuaFails("am.cluster{ sites = { { name = 'a', nodes = { { chip = 'nvidia_h20', count = 8 } }, fabric = { latency_us = 1 } } } }",
                           "cluster.sites[1].fabric: unknown option 'latency_us'")
        try assertLuaFails("am.cluster{ sites = { { nodes = { { chip = 'nvidia_h20', count = 8 } } } } }", "option 'name' is required")
        try assertLuaFails("am.cluster{ name = 'x' }", "option 'sites' is required")
        try assertLuaFails("am.cluster(3)", "bad argument #1 to 'cluster' (table expected, got number)")
        try assertLuaFails(cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan) + ":path(0, 16)",
                           "path: rank to = 16 is out of range (cluster 'cluster' has 16 chips, ranks 0...15)")
        try assertLuaFails("local c = " + cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan) + "\nc:path(-1, 0)", "rank from = -1 is out of range")
        try assertLuaFails("local c = " + cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan) + "\nc:path('x', 0)", "bad argument #1 to 'path' (number expected, got string)")
        try assertLuaFails("local c = " + cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan) + "\nc:connect('a', 'b/nvidia_h20', { gbs = 1, latency_s = 0 })",
                           "both ends must be of one kind")
        try assertLuaFails("local c = " + cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan) + "\nc:connect(0, 7, { gbs = 1, latency_s = 0 })",
                           "node index 7 is out of range")
        try assertLuaFails("local c = " + cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan) + "\nc:connect('a', 'b', { gbs = 1 })",
                           "connect: option 'latency_s' is required")
        try assertLuaFails("local c = " + cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan) + "\nc:connect('a', {}, { gbs = 1, latency_s = 0 })",
                           "site/group/node name or node index expected, got table")
        try assertLuaFails("local c = " + cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan) + "\nc:add_nodes('c', { chip = 'nvidia_h20', count = 8 })",
                           "unknown site 'c'")
        try assertLuaFails("local c = " + cluster("{ chip = 'nvidia_h20', count = 8 }", extra: wan) + "\nprint(c.colour)",
                           "amalgam.Cluster has no field 'colour'")
    }

    func testMatrixFileErrors() throws {
        let dir = try makeTempDirectory()
        func check(_ text: String, _ fragment: String) throws {
            let path = dir + "/m\(UUID().uuidString).csv"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try assertLuaFails("""
            local c = am.cluster{ sites = { { name = "s", nodes = { { chip = "nvidia_h20", count = 24 } } } } }
            c:load_matrix("\(path)")
            """, fragment)
        }
        try check("from,to,gbs,latency_ms\ns/nvidia_h20/n0,s/nvidia_h20/n1,1,1\n", "unknown column 'latency_ms'")
        try check("from,to,gbs\ns/nvidia_h20/n0,s/nvidia_h20/n1,1\n", "missing column 'latency_s'")
        try check("from,to,gbs,latency_s\ns/nvidia_h20/n0,s/nvidia_h20/n1,x,1\n", "row 1: 'gbs' must be a number")
        try check("from,to,gbs,latency_s\n3,s/nvidia_h20/n1,1,1\n", "row 1: 'from' must be a node name")
        try check("from,to,gbs,latency_s\ns/nvidia_h20/n0,s/nvidia_h20/n1,1,1\ns/nvidia_h20/n0,s/nvidia_h20/n1,2,1\n",
                  "measured links row 2: s/nvidia_h20/n0 -> s/nvidia_h20/n1 was already given in row 1")
        try check("from,to,gbs,latency_s\ns/nvidia_h20/n0,s/nvidia_h20/n1,1,1\ns/nvidia_h20/n1,s/nvidia_h20/n2,1,1\n",
                  "no row between 's/nvidia_h20/n0' and 's/nvidia_h20/n2'")
        try check("from,to,gbs,latency_s\ns/nvidia_h20/n0,s/nvidia_h20/n9,1,1\n", "unknown node 's/nvidia_h20/n9' (group 's/nvidia_h20' has nodes n0...n2)")
        try check("from,to,gbs,latency_s\ns/nvidia_h20/n0,s/nvidia_h20/n1,-1,1\n", "gbs must be > 0 GB/s (got -1)")
    }

    func testCatalogRowsKeepColumnOrder() throws {
        let dir = try makeTempDirectory()
        let outcome = try runLua("""
        local rows = am.catalog_rows()
        assert(#rows == #am.chips() and rows.columns[1] == "id" and rows.columns[4] == "bf16_tflops")
        local n = 0
        for k in pairs(rows) do n = n + 1 end
        assert(n == #rows, "pairs sees only the rows")
        am.csv.write("catalog.csv", rows)
        """, options: RuntimeOptions(outputDirectory: dir))
        if case .failed(let m) = outcome { XCTFail(m) }
        let text = try String(contentsOfFile: dir + "/catalog.csv", encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("id,vendor,name,bf16_tflops,fp16_tflops,fp32_tflops,fp8_tflops,mem_gb,mem_bw_gbs,intra_link_gbs,"), text)
        XCTAssertTrue(text.contains("\nnvidia_a100_sxm4_80g,NVIDIA,A100 SXM4 80GB,312,312,19.5,,80,2039,600,switch,8,200,400,"), text)
    }

    /// Every hardware example in the reference runs as written.
    func testDocumentedExamplesRun() throws {
        let dir = try makeTempDirectory()
        let rt = try LuaRuntime(options: RuntimeOptions(outputDirectory: dir))
        let docs = rt.docs.all.filter {
            $0.name.hasPrefix("am.chip") || $0.name.hasPrefix("am.cluster") || $0.name == "am.catalog_rows"
                || $0.name.hasPrefix("Cluster:") || $0.name.hasPrefix("Chip:")
        }
        XCTAssertEqual(docs.count, 17)  // 4 chip functions + 2 cluster constructors + 11 Cluster methods
        for doc in docs {
            let fresh = try LuaRuntime(options: RuntimeOptions(outputDirectory: dir))
            if case .failed(let m) = fresh.run(string: "local print = function() end\n" + doc.example, name: "=\(doc.name)") {
                XCTFail("\(doc.name): \(m)")
            }
        }
    }
}
