import AmalgamIO
import AmalgamLua
import Foundation
import XCTest

/// The Lua surface of collectives: am.allreduce and friends, results, JSON, errors.
final class CollectiveBindingTests: XCTestCase {
    /// One 8-GPU A100 node (300 GB/s switch ports, 1 µs GPU to GPU) and two such
    /// nodes over HDR 200 Gb/s NICs.
    static let setup = """
    local node = am.cluster{ sites = { { name = "dc", nodes = { { chip = "nvidia_a100_sxm4_80g", nodes = 1 } } } } }
    local two = am.cluster{ sites = { { name = "dc", nodes = { { chip = "nvidia_a100_sxm4_80g", nodes = 2 } } } } }
    local twelve = am.cluster{ sites = { { name = "dc", nodes = { { chip = "nvidia_a100_sxm4_80g", count = 12 } } } } }
    local ideal = { scale_up = 1, nic = 1, fabric = 1 }
    local function near(a, b, what) assert(math.abs(a - b) <= 1e-9 * math.max(1, math.abs(b)), what .. ": " .. a .. " vs " .. b) end

    """

    func testRingAllReduceMatchesClosedForm() throws {
        try assertLuaRuns(Self.setup + """
        -- 8 ranks, S = 8 MiB, line rate, no slicing, no reduction cost, no NCCL
        -- protocol model (protocol = "off"; by default the fastest protocol's
        -- latency and bandwidth fraction apply, see testProtocolModel):
        -- T = 2(p-1) (S/(p B) + alpha) = 14 * (2^20 / 300e9 + 1e-6)
        local S = 8 * 2^20
        local r = am.allreduce{ cluster = node, bytes = S, algo = "ring", efficiency = ideal, slice_bytes = 0,
                                reduction_memory_passes = 0, protocol = "off" }
        assert(r.protocol == nil and r.protocol_latency_s == 0)
        local T = 14 * (2^20 / 300e9 + 1e-6)
        near(r.time_s, T, "time")
        near(r.algbw_gbs, S / T / 1e9, "algbw")
        near(r.busbw_gbs, S / T / 1e9 * 14 / 8, "busbw")
        assert(r.algo == "ring" and r.collective == "all_reduce" and r.flows == 112 and r.transfers == 112)
        assert(#r.ranks == 8 and r.ranks[1] == 0 and r.ranks[8] == 7)
        assert(r.busiest_link.bytes == 14 * 2^20, r.busiest_link.bytes)
        near(r.busiest_link.utilisation, 14 * 2^20 / (300e9 * T), "utilisation")
        assert(tostring(r):find("CollectiveResult%(all_reduce ring, 8 ranks"))
        """)
    }

    func testScheduleAndLinksRows() throws {
        try assertLuaRuns(Self.setup + """
        -- Ranks 3 and 12 of the 2-node cluster: a 2-rank ring, 2 steps each way.
        local r = am.allreduce{ cluster = two, ranks = { 3, 12 }, bytes = 4096 }
        local s = r:schedule()
        assert(#s == 4, #s)
        assert(s[1].step == 0 and s[1].src == 3 and s[1].dst == 12 and s[1].bytes == 2048 and s[1].op == "reduce",
               s[1].src .. "->" .. s[1].dst .. " " .. s[1].op)
        local ops = {}
        for _, t in ipairs(s) do ops[t.op] = (ops[t.op] or 0) + 1; assert(t.src == 3 or t.src == 12) end
        assert(ops.reduce == 2 and ops.copy == 2)
        local links = r:links()
        local names = {}
        for _, l in ipairs(links) do names[l.name] = l; assert(l.bytes == 4096, l.bytes) end
        assert(names["dc/nvidia_a100_sxm4_80g/n0/c3/nic_up"].kind == "nic")
        assert(names["dc/nvidia_a100_sxm4_80g/n1/c4/nic_down"].gbs == 25)
        assert(names["dc/nvidia_a100_sxm4_80g/n0/uplink_up"].kind == "fabric")
        assert(#links == 8, #links)   -- nic up/down and uplink up/down, both directions
        """)
    }

    func testToJSONWritesScheduleAndLinkGraph() throws {
        let dir = try makeTempDirectory()
        let rt = try LuaRuntime(options: RuntimeOptions(outputDirectory: dir))
        let outcome = rt.run(string: Self.setup + """
        local r = am.allreduce{ cluster = node, ranks = { 0, 1, 2, 3 }, bytes = 1024, algo = "ring" }
        r:to_json("ar.json")
        """, name: "=test")
        if case .failed(let m) = outcome { XCTFail(m); return }
        let text = try String(contentsOfFile: dir + "/ar.json", encoding: .utf8)
        let json = try JSONValue.parse(text)
        XCTAssertEqual(json["format"], .string("amalgam.collective/1"))
        XCTAssertEqual(json["algo"], .string("ring"))
        XCTAssertEqual(json["ranks"], .array([.integer(0), .integer(1), .integer(2), .integer(3)]))
        // Ring on 4 ranks: 2(p-1) = 6 steps of 4 transfers of 1024/4 bytes.
        guard case .array(let steps)? = json["steps"] else { return XCTFail("steps missing") }
        XCTAssertEqual(steps.count, 6)
        guard case .array(let first)? = steps[0]["transfers"] else { return XCTFail("transfers missing") }
        XCTAssertEqual(first.count, 4)
        XCTAssertEqual(first[0]["bytes"], .integer(256))
        // The link graph is the whole node: 8 ports up + 8 down, 8 NICs x 2, 2 uplinks.
        guard case .array(let links)? = json["links"] else { return XCTFail("links missing") }
        XCTAssertEqual(links.count, 16 + 16 + 2)
        XCTAssertEqual(links[0]["kind"], .string("scale_up"))
    }

    func testAutoReportsCandidatesAndPicksTheFastest() throws {
        try assertLuaRuns(Self.setup + """
        local r = am.allreduce{ cluster = two, bytes = 64 * 2^20, algo = "auto" }
        local best, name = math.huge, nil
        for _, c in ipairs(r.candidates) do
          if c.time_s and c.time_s < best then best, name = c.time_s, c.algo end
        end
        assert(r.algo == name, r.algo .. " vs " .. tostring(name))
        assert(r.time_s == best)
        assert(#r.candidates >= 5)
        """)
    }

    /// NCCL's protocols: LL for small messages, Simple for large; a forced protocol
    /// is reported; the Simple latency is NCCL's base + 2(p-1) per-step figures
    /// beyond the route latency (tuning.cc: ring Simple 8.4 + 14 x 3.4 µs, route 1 µs).
    func testProtocolModel() throws {
        try assertLuaRuns(Self.setup + """
        local small = am.allreduce{ cluster = node, bytes = 4096, algo = "ring" }
        local large = am.allreduce{ cluster = node, bytes = 2^30, algo = "ring" }
        assert(small.protocol == "LL" and large.protocol == "Simple", small.protocol .. " " .. large.protocol)
        local s = am.allreduce{ cluster = node, bytes = 2^20, algo = "ring", protocol = "simple" }
        assert(s.protocol == "Simple")
        near(s.protocol_latency_s, (8.4 + 14 * (3.4 - 1.0)) * 1e-6, "simple latency")
        local off = am.allreduce{ cluster = node, bytes = 2^20, algo = "ring", protocol = "off" }
        assert(s.time_s > off.time_s and small.time_s > am.allreduce{ cluster = node, bytes = 4096, algo = "ring", protocol = "off" }.time_s)
        """)
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = 64, protocol = \"LL256\" }", "unknown protocol 'LL256'")
    }

    func testOtherCollectives() throws {
        try assertLuaRuns(Self.setup + """
        local S = 8 * 2^20
        -- Ring reduce-scatter / all-gather on 8 ranks: (p-1) steps of S/p: T = 7 (S/8/B + alpha).
        local T = 7 * (2^20 / 300e9 + 1e-6)
        for _, f in ipairs{ am.reduce_scatter, am.all_gather } do
          local r = f{ cluster = node, bytes = S, efficiency = ideal, slice_bytes = 0, reduction_memory_passes = 0,
                       protocol = "off" }   -- the closed form is the pure link model
          near(r.time_s, T, r.collective)
          near(r.busbw_gbs, S / T / 1e9 * 7 / 8, r.collective .. " busbw")
        end
        local b = am.broadcast{ cluster = node, bytes = S, root = 5 }
        assert(b.collective == "broadcast" and b:schedule()[1].src == 5)
        local a = am.all_to_all{ cluster = node, bytes = S, algo = "pairwise" }
        assert(a.collective == "all_to_all" and a.bytes == S)
        local rows = am.collectives()
        assert(#rows == 16 and rows[1].name == "ring" and rows[1].power_of_two == "any")
        local seen = false
        for _, row in ipairs(rows) do if row.name == "recursive_halving" then seen = row.power_of_two == "required" end end
        assert(seen)
        """)
    }

    func testExecuteChecksRealBuffers() throws {
        try assertLuaRuns("""
        for _, dtype in ipairs{ "f32", "f64", "f16", "bf16" } do
          local r = am.allreduce.execute{ ranks = 12, count = 10003, algo = "rabenseifner", dtype = dtype, seed = 3 }
          assert(r.ok, dtype .. ": " .. tostring(r.first_mismatch))
          assert(r.max_abs_err >= 0 and r.seconds > 0 and r.steps > 0)
        end
        local h = am.allreduce.execute{ ranks = 8, count = 1000, algo = "hierarchical_2d", ranks_per_node = 4 }
        assert(h.ok)
        """)
    }

    func testBadInputErrors() throws {
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = 64, ranks = { 0, 8 } }",
                           "test:6: ranks entry 2 is rank 8, out of range: the cluster has 8 ranks, 0...7")
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = 64, ranks = { 1, 2, 1 } }",
                           "ranks entry 3 is rank 1 again (already entry 1)")
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = -4 }", "bytes = -4 must be 0 or more")
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = 64, algo = \"rign\" }",
                           "unknown algorithm 'rign' (did you mean 'ring'?); valid: ring, bidir_ring")
        try assertLuaFails(Self.setup + "am.reduce_scatter{ cluster = twelve, bytes = 12 * 64, algo = \"recursive_halving\" }",
                           "recursive halving needs a power-of-two rank count (got 12)")
        try assertLuaFails("am.allreduce.execute{ ranks = 12, count = 100, algo = \"recursive_doubling\" }",
                           "power-of-two")
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = 64, speed = 3 }", "speed")
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = 64, efficiency = { nvlink = 0.5 } }", "nvlink")
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = 64, efficiency = { nic = 1.5 } }",
                           "network efficiency for link kind 'nic' = 1.5 must be in (0, 1]")
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = \"node\", bytes = 64 }", "'cluster' must be a Cluster")
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = 64, dtype = \"f8\" }", "f32")
        try assertLuaFails(Self.setup + "am.allreduce{ cluster = node, bytes = 64, ranks = { 0, 1.5 } }",
                           "ranks[2] is 1.5; it must be a whole number")
        try assertLuaFails(Self.setup + "am.broadcast{ cluster = node, bytes = 64, root = 9 }", "root 9 is out of range 0...7")
    }
}
