import AmalgamLua
import XCTest

final class SchedulerBindingTests: XCTestCase {
    let setup = """
    local c = am.cluster{ name = "t", sites = { { name = "a", nodes = { { chip = "nvidia_a100_sxm4_80g", nodes = 2 } } } } }
    local p = am.plan{ cluster = c, model = "gpt3-1.3b", global_batch = 32, micro_batch = 2, strategy = "uniform", tp = 4, pp = 2 }
    """

    func testSchedulerRunsAPlanAndReportsTheIteration() throws {
        let dir = try makeTempDirectory()
        let rt = try LuaRuntime(options: RuntimeOptions(outputDirectory: dir))
        XCTAssertEqual(rt.run(string: setup + """
        local s = am.scheduler{ kind = "1f1b", bucket_mb = 25 }
        assert(tostring(s):find("1f1b"))
        local r = s:run(p)
        assert(r.iteration_s > 0 and r.tokens_per_s > 0)
        -- tokens/s = global batch × sequence / iteration time
        assert(math.abs(r.tokens_per_s - 32 * 2048 / r.iteration_s) < 1e-6 * r.tokens_per_s)
        assert(r.mfu > 0 and r.mfu < 1 and r.hfu >= r.mfu)
        assert(r.bubble > 0 and r.bubble < 1)
        assert(r.iteration_s >= r.compute_only_s and math.abs(r.exposed_comm_s - (r.iteration_s - r.compute_only_s)) < 1e-12)
        local chips = r:chips()
        assert(#chips == 16 and chips[1].rank == 0 and chips[1].stage == 1 and chips[16].stage == 2)
        assert(chips[1].compute_s + chips[1].idle_s - r.iteration_s < 1e-9)
        local links = r:links()
        assert(#links > 0 and links[1].utilisation >= links[#links].utilisation)
        local path = r:trace("iteration.json")
        local f = assert(io.open(path)); local text = f:read("a"); f:close()
        assert(text:find('"traceEvents"', 1, true) and text:find('"ph":"X"', 1, true))
        -- The shorthand gives the same iteration.
        local r2 = am.simulate{ plan = p, schedule = "1f1b" }
        assert(r2.iteration_s == r.iteration_s)
        -- GPipe holds more activations and is no faster here.
        assert(am.simulate{ plan = p, schedule = "gpipe" }.iteration_s >= r.iteration_s * 0.999)
        """), .ok)
    }

    func testStragglersAndRebalancing() throws {
        try assertLuaRuns(setup + """
        local base = am.simulate{ plan = p }
        local slow = am.simulate{ plan = p, slowdown = { [0] = 2, [1] = 2, [2] = 2, [3] = 2 } }
        local fixed = am.simulate{ plan = p, slowdown = { [0] = 2, [1] = 2, [2] = 2, [3] = 2 }, rebalance = true }
        assert(slow.iteration_s > base.iteration_s * 1.3, slow.iteration_s / base.iteration_s)
        assert(fixed.iteration_s < slow.iteration_s, "re-splitting the batch helps")
        -- More micro-batches per iteration re-split the shares and grow the batch.
        local more = am.scheduler{ microbatches = 32 }:run(p)
        assert(math.abs(more.samples_per_s * more.iteration_s - 64) < 1e-6)
        """)
    }

    func testInterleavedAndZeroBubbleSchedules() throws {
        try assertLuaRuns(setup + """
        local plain = am.simulate{ plan = p }
        local inter = am.simulate{ plan = p, schedule = "interleaved_1f1b", virtual_stages = 2 }
        local zb = am.simulate{ plan = p, schedule = "zb_h1" }
        assert(inter.bubble <= plain.bubble + 1e-9 and zb.bubble <= plain.bubble + 1e-9)
        """)
    }

    func testBadInput() throws {
        try assertLuaFails(setup + "am.scheduler{ kind = '1f2b' }", "unknown kind '1f2b' (did you mean '1f1b'?)")
        try assertLuaFails(setup + "am.scheduler{ microbatches = 0 }", "microbatches must be >= 1")
        try assertLuaFails(setup + "am.simulate{ plan = p, schedule = 'interleaved_1f1b', virtual_stages = 5 }", "does not divide")
        try assertLuaFails(setup + "am.simulate{ plan = p, slowdown = { [0] = -1 } }", "positive factor")
        try assertLuaFails(setup + "am.simulate{ plan = p, bucket_mb = 0 }", "bucket_mb must be > 0")
        try assertLuaFails(setup + "am.simulate{ schedule = '1f1b' }", "option 'plan' is required")
        try assertLuaFails(setup + "am.simulate{ plan = c }", "option 'plan' must be a Plan (got amalgam.Cluster)")
        try assertLuaFails(setup + "am.scheduler{}:run(c)", "bad argument #1 to 'run' (amalgam.Plan expected, got amalgam.Cluster)")
        try assertLuaFails(setup + "am.simulate{ plan = p, shedule = 'gpipe' }", "unknown option 'shedule' (did you mean 'schedule'?)")
    }
}
