import AmalgamLua
import Foundation
import XCTest

/// The Lua surface of the planner: am.plan, the Plan object and its errors.
final class PlanBindingTests: XCTestCase {
    /// 8 A100 + 8 H20 (one node each) in one site.
    static let cluster = """
    local c = am.cluster{ name = "mix", sites = { { name = "a", nodes = {
      { chip = "nvidia_a100_sxm4_80g", count = 8 }, { chip = "nvidia_h20", count = 8 } } } } }

    """

    func testAutoPlanFieldsAndMethods() throws {
        try assertLuaRuns(Self.cluster + """
        local p = am.plan{ cluster = c, model = "gpt3-1.3b", global_batch = 16, tp = { 4, 8 }, pp = { 1, 2 }, top = 4 }
        assert(p.strategy == "auto")
        assert(p.pp >= 1 and p.dp >= 1)
        assert(p.estimate_s > 0 and p.tokens_per_s > 0)
        -- tokens/s is the simulated throughput: global_batch × seq_len (2048) / estimate.
        assert(math.abs(p.tokens_per_s - 16 * 2048 / p.estimate_s) < 1e-6 * p.tokens_per_s)
        local mb = 0
        for _, r in ipairs(p:stages()) do if r.stage == 1 then mb = mb + r.microbatches end end
        assert(mb == 16, mb)
        local ex = p:explain()
        assert(#ex == #p:stages())
        for _, r in ipairs(ex) do assert(r.mem_used_gb <= r.mem_capacity_gb and r.binding ~= nil) end
        for _, r in ipairs(p:memory()) do
          assert(math.abs(r.total_gb - (r.weights_gb + r.gradients_gb + r.optimizer_gb + r.activations_gb + r.overhead_gb)) < 1e-9)
        end
        local alts = p:alternatives()
        assert(#alts >= 2 and #alts <= 4 and alts[1].rank == 1)
        assert(alts[1].estimate_s == p.estimate_s)
        -- The simulated candidates also carry their timeline estimate, which the
        -- simulator (it adds link contention) never undercuts by much.
        assert(alts[1].simulated and alts[1].timeline_s and alts[1].timeline_s > 0)
        assert(alts[1].timeline_s <= alts[1].estimate_s * 1.05, alts[1].timeline_s)
        local one = am.plan{ cluster = c, model = "gpt3-1.3b", global_batch = 16, tp = { 4, 8 }, pp = { 1, 2 }, timeline_top = 1, simulate_top = 1 }
        assert(one.estimate_s >= p.estimate_s * (1 - 1e-12))
        assert(tostring(p):find("Plan auto"))
        local q, lost = p:replan{ without = { nodes = { 1 } } }
        assert(q.lost == lost and lost > 0 and lost < 1, lost)
        for _, r in ipairs(q:stages()) do assert(r.chip == "nvidia_a100_sxm4_80g") end
        """)
    }

    func testBaselinesAndAutoNeverWorse() throws {
        try assertLuaRuns(Self.cluster + """
        local a = am.plan{ cluster = c, model = "gpt3-1.3b", global_batch = 16, tp = { 4, 8 }, pp = { 1, 2 } }
        local u = am.plan{ cluster = c, model = "gpt3-1.3b", global_batch = 16, tp = { 4, 8 }, pp = { 1, 2 }, strategy = "uniform" }
        local p = am.plan{ cluster = c, model = "gpt3-1.3b", global_batch = 16, tp = { 4, 8 }, pp = { 1, 2 }, strategy = "proportional" }
        assert(u.strategy == "uniform" and p.strategy == "proportional")
        assert(a.estimate_s <= u.estimate_s and a.estimate_s <= p.estimate_s)
        """)
    }

    func testHandWrittenPlanAndJSON() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)").path
        try assertLuaRuns(Self.cluster + """
        local p = am.plan{ cluster = c, model = "gpt3-1.3b", global_batch = 8, stages = {
          { layers = { 0, 12 }, replicas = { { ranks = { 0, 1, 2, 3, 4, 5, 6, 7 }, microbatches = 8 } } },
          { layers = { 13, 25 }, replicas = { { ranks = { 8, 9, 10, 11 }, microbatches = 4 }, { ranks = { 12, 13, 14, 15 }, microbatches = 4 } } } } }
        assert(p.strategy == "manual" and p.pp == 2 and p.dp == 2)
        local path = p:to_json("\(dir)/plan.json")
        local f = io.open(path); local text = f:read("a"); f:close()
        assert(text:find('"tp_group"') and text:find('"rank": 15'))
        """)
    }

    func testBadInput() throws {
        let base = Self.cluster + "local function plan(t) t.cluster = c; t.model = t.model or \"gpt3-1.3b\"; t.global_batch = t.global_batch or 16; return am.plan(t) end\n"
        try assertLuaFails(base + "plan{ micro_batch = 3 }", "global_batch 16 is not divisible by micro_batch 3")
        try assertLuaFails(base + "plan{ micro_batch = 0 }", "micro_batch must be >= 1")
        try assertLuaFails(base + "plan{ tp = 3 }", "tp (3) must divide heads (16)")
        try assertLuaFails(base + "plan{ tp = { 4, 16 } }", "tp option 16 exceeds the largest node (8 chips)")
        try assertLuaFails(base + "plan{ strategy = \"greedy\" }", "strategy")
        try assertLuaFails(base + "plan{ without = { nodes = { 0, 1 } } }", "no chips left")
        try assertLuaFails(base + "plan{ model = \"llama3-405b\" }", "optimizer state dominates")
        try assertLuaFails(base + "plan{ tp = 8, pp = 1, strategy = \"uniform\", global_batch = 3 }", "no uniform plan fits")
        try assertLuaFails(base + "plan{ bogus = 1 }", "unknown option 'bogus'")
        try assertLuaFails(base + "plan{ timeline_top = 0 }", "timeline_top must be >= 1 (got 0)")
        try assertLuaFails(base + "plan{ simulate_top = 0 }", "simulate_top must be >= 1 (got 0)")
        let stage2 = "{ layers = { 13, 25 }, replicas = { { ranks = { 8, 9, 10, 11, 12, 13, 14, 15 }, microbatches = 16 } } }"
        try assertLuaFails(base + "plan{ stages = { { layers = { 0, 13 }, replicas = { { ranks = { 0, 1, 2, 3, 4, 5, 6, 7 }, microbatches = 16 } } }, \(stage2) } }",
                           "stage 2 starts at layer 13, expected 14")
        try assertLuaFails(base + "plan{ stages = { { layers = { 0, 11 }, replicas = { { ranks = { 0, 1, 2, 3, 4, 5, 6, 7 }, microbatches = 16 } } }, \(stage2) } }",
                           "stage 2 starts at layer 13, expected 12")
        try assertLuaFails(base + "plan{ stages = { { layers = { 0, 12 }, replicas = { { ranks = { 0, 1, 2, 3 }, microbatches = 8 }, { ranks = { 3, 4, 5, 6 }, microbatches = 8 } } }, \(stage2) } }",
                           "rank 3 is used twice")
        try assertLuaFails(base + "plan{ stages = { { layers = { 0, 25 }, replicas = { { ranks = { 6, 7, 8, 9 }, microbatches = 16 } } } } }",
                           "TP group spans nodes 0 and 1")
    }
}
