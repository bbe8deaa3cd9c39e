import AmalgamLua
import XCTest

/// The measured-data store from Lua: am.plan follows it, profiles and optimizer steps load.
final class MeasuredDataBindingTests: XCTestCase {
    /// The reproducer: after am.calibrate, am.plan's estimate follows the measured
    /// blocks (it printed 0.70 against the simulator's 7.38 before).
    func testPlanFollowsCalibration() throws {
        try assertLuaRuns("""
        local c = am.cluster{ sites = { { name = "a", nodes = { { chip = "nvidia_a100_sxm4_40g", count = 8 } } } } }
        am.calibrate{ chip = "nvidia_a100_sxm4_40g", model = "opt-350m", micro_batch = 1, fwd_ms = 10, bwd_ms = 20 }
        local p = am.plan{ cluster = c, model = "opt-350m", global_batch = 64, tp = 1, pp = 1 }
        local s = am.simulate{ plan = p }.iteration_s
        assert(math.abs(p.estimate_s - s) <= 1e-9 * s, p.estimate_s .. " vs " .. s)
        assert(math.abs(p.analytical_s - s) <= 0.01 * s, p.analytical_s .. " vs " .. s)
        assert(s > 8 * 24 * 0.030, s)
        -- The point was measured without recompute; the plan recomputes selectively, so
        -- every layer is the roofline rescaled by the chip's ratio.
        local t = p:explain()[1].timing
        assert(t == "rescaled", t)
        am.calibrate{ chip = "nvidia_a100_sxm4_40g", model = "opt-350m", micro_batch = 1, recompute = "selective", fwd_ms = 10, bwd_ms = 22 }
        t = am.plan{ cluster = c, model = "opt-350m", global_batch = 64, tp = 1, pp = 1 }:explain()[1].timing
        assert(t == "mixed", t)   -- blocks measured, embedding and head rescaled
        -- Hand-written plans are evaluated with the store too.
        local h = am.plan{ cluster = c, model = "opt-350m", global_batch = 64,
                           stages = { { layers = { 0, 25 }, replicas = { { ranks = { 0 }, microbatches = 64 } } } } }
        assert(h.estimate_s > 64 * 24 * 0.032, h.estimate_s)
        am.calibration_clear()
        assert(am.plan{ cluster = c, model = "opt-350m", global_batch = 64, tp = 1, pp = 1 }:explain()[1].timing == "roofline")
        """)
    }

    func testOptimizerStepAndKindsRoundTripThroughCSV() throws {
        let dir = try makeTempDirectory()
        try assertLuaRuns("""
        local a100 = "nvidia_a100_sxm4_80g"
        assert(am.calibrate{ chip = a100, model = "gpt3-1.3b", kind = "lm_head", micro_batch = 1, fwd_ms = 2, bwd_ms = 4 } == 1)
        assert(am.calibrate{ chip = a100, model = "gpt3-1.3b", kind = "optimizer", tp = 2, update_ms = 25 } == 2)
        local rows = am.calibration()
        assert(#rows == 2 and rows[1].kind == "lm_head" and rows[2].kind == "optimizer" and rows[2].update_ms == 25)
        assert(rows[2].fwd_ms == nil and rows[1].update_ms == nil)
        am.csv.write("\(dir)/store.csv", rows)
        am.calibration_clear()
        assert(#am.calibration() == 0)
        assert(am.calibrate_csv("\(dir)/store.csv") == 2)
        local again = am.calibration()
        assert(again[1].fwd_ms == 2 and again[2].update_ms == 25 and again[2].tp == 2)
        local h = am.model("gpt3-1.3b"):layer_cost{ chip = a100, kind = "lm_head" }
        assert(h.fwd_s == 0.002 and h.timing == "measured")
        """)
        try assertLuaFails("""
        am.calibrate{ chip = "nvidia_a100_sxm4_80g", model = "gpt3-1.3b", kind = "head", micro_batch = 1, fwd_ms = 2, bwd_ms = 4 }
        """, "unknown kind 'head'")
        try assertLuaFails("""
        am.calibrate{ chip = "nvidia_a100_sxm4_80g", model = "gpt3-1.3b", kind = "optimizer", update_ms = 1, fwd_ms = 2 }
        """, "fwd_ms")
    }

    func testLoadMetisProfile() throws {
        let dir = try makeTempDirectory()
        let blocks = Array(repeating: "9.5", count: 24).joined(separator: ", ")
        let json = """
        {"model": {"model_name": "GPT-350M", "num_layers": 26}, "execution_time": {"optimizer_time_ms": 30,
         "layer_compute_total_ms": [2, \(blocks), 4]}, "execution_memory": {"layer_memory_total_mb": []}}
        """
        try json.write(toFile: "\(dir)/DeviceType.A100_tp2_bs4.json", atomically: true, encoding: .utf8)
        try "{\"execution_time\": {}}".write(toFile: "\(dir)/bad.json", atomically: true, encoding: .utf8)
        try assertLuaRuns("""
        local a100 = "nvidia_a100_sxm4_80g"
        assert(am.load_profile{ file = "\(dir)/DeviceType.A100_tp2_bs4.json", chip = a100, model = "gpt3-350m" } == 4)
        local rows = am.calibration()
        assert(#rows == 4 and rows[1].tp == 2 and rows[1].micro_batch == 4, #rows)
        local b = am.model("gpt3-350m"):layer_cost{ chip = a100, kind = "block", micro_batch = 4, tp = 2 }
        assert(math.abs(b.fwd_s + b.bwd_s - 0.0095) < 1e-15 and b.timing == "measured")
        """)
        try assertLuaFails("""
        am.load_profile{ file = "\(dir)/DeviceType.A100_tp2_bs4.json", chip = "nvidia_a100_sxm4_80g", model = "gpt3-2.7b" }
        """, "the profile has 26 layers; model 'gpt3-2.7b' has 34")
        try assertLuaFails("""
        am.load_profile{ file = "\(dir)/bad.json", chip = "nvidia_a100_sxm4_80g", model = "gpt3-350m", tp = 1, micro_batch = 1 }
        """, "bad.json: missing array 'execution_time.layer_compute_total_ms'")
        try assertLuaFails("""
        am.load_profile{ file = "\(dir)/bad.json", chip = "nvidia_a100_sxm4_80g", model = "gpt3-350m" }
        """, "give tp")
        try assertLuaFails("""
        am.load_profile{ file = "\(dir)/none.json", chip = "nvidia_a100_sxm4_80g", model = "gpt3-350m", tp = 1, micro_batch = 1 }
        """, "no such file")
    }
}
