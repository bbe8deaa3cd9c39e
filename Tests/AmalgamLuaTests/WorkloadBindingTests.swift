import AmalgamLua
import Foundation
import XCTest

/// The Lua surface of the workload model: presets, custom models, FLOPs, layer costs,
/// memory, per-layer rows and calibration.
final class WorkloadBindingTests: XCTestCase {
    static let prelude = """
    local function near(a, b, what, tol)
      tol = tol or 1e-12
      assert(math.abs(a - b) <= tol * math.max(1, math.abs(b)), what .. ": " .. tostring(a) .. " vs " .. tostring(b))
    end
    local a100 = "nvidia_a100_sxm4_80g"

    """

    // MARK: Models

    func testPresetParamsMatchClosedForms() throws {
        try assertLuaRuns(Self.prelude + """
        -- Llama 2 7B: untied 32000 x 4096 embedding and output, 32 blocks of
        -- 4h^2 (q, k, v, o; multi-head) + 3hf (SwiGLU) + 2h (two RMSNorms), final RMSNorm h.
        local m = am.model "llama2-7b"
        local h, f, V, l = 4096, 11008, 32000, 32
        assert(m.params == 2 * V * h + l * (4 * h * h + 3 * h * f + 2 * h) + h, m.params)
        assert(m.params == 6738415616)            -- the Hugging Face checkpoint's count
        assert(m.active_params == m.params)
        assert(m.blocks == 32 and m.layers == 34, m.layers)   -- embedding + 32 blocks + LM head
        assert(m.hidden == h and m.ffn_hidden == f and m.heads == 32 and m.kv_heads == 32 and m.vocab == V)
        assert(m.seq_len == 4096 and m.name == "llama2-7b" and m.ffn == "swiglu" and m.norm == "rmsnorm")
        assert(m.source:find("Touvron", 1, true), m.source)
        assert(m.moe == nil and m.head_dim == 128)
        -- Llama 2 70B: GQA with 8 KV heads of 128: q and o are h x h, k and v h x 1024.
        local b = am.model "llama2-70b"
        h, f, l = 8192, 28672, 80
        assert(b.params == 2 * V * h + l * (2 * h * h + 2 * h * 1024 + 3 * h * f + 2 * h) + h, b.params)
        assert(b.kv_heads == 8)
        -- Mixtral 8x7B: 8 SwiGLU experts of 14336 and a 4096 x 8 router per block; top-2 active.
        local x = am.model "mixtral-8x7b"
        h, f, l = 4096, 14336, 32
        local block = h * (2 * h + 2 * 1024) + 8 * 3 * h * f + h * 8 + 2 * h
        assert(x.params == 2 * V * h + l * block + h, x.params)
        assert(x.active_params == x.params - l * 6 * 3 * h * f, x.active_params)
        assert(x.moe.experts == 8 and x.moe.top_k == 2 and x.moe.expert_ffn == f and x.moe.blocks == 32)
        assert(tostring(b) == "Model(llama2-70b: 80 blocks, hidden 8192, 64 heads (8 kv), seq 4096, 68.98B params)", tostring(b))
        assert(am.model "llama2-7b" == m and m ~= b)
        """)
    }

    func testModelsListsEveryPresetWithColumns() throws {
        try assertLuaRuns("""
        local rows = am.models()
        assert(#rows == 28, #rows)
        assert(rows.columns[1] == "id" and rows.columns[2] == "params" and rows.columns[#rows.columns] == "source")
        for _, r in ipairs(rows) do
          local m = am.model(r.id)
          assert(m.params == r.params and m.blocks == r.blocks and m.source == r.source, r.id)
        end
        """)
    }

    func testCustomAndDerivedModels() throws {
        try assertLuaRuns("""
        local m = am.model{ name = "my-7b", layers = 32, hidden = 4096, ffn_hidden = 11008, ffn = "swiglu", heads = 32,
                            kv_heads = 8, vocab = 32000, seq_len = 4096, tied_embeddings = false, norm = "rmsnorm",
                            moe = { experts = 8, top_k = 2, expert_ffn = 14336, every = 2 } }
        assert(m.name == "my-7b" and m.source == "custom" and m.kv_heads == 8 and m.moe.blocks == 16)
        -- Same fields as the preset, so equal to it (names and sources aside).
        local same = am.model{ name = "llama2-7b", layers = 32, hidden = 4096, ffn_hidden = 11008, ffn = "swiglu",
                               heads = 32, vocab = 32000, seq_len = 4096, norm = "rmsnorm" }
        assert(same == am.model "llama2-7b")
        local long = am.model{ base = "llama2-7b", seq_len = 8192 }
        assert(long.seq_len == 8192 and long.params == am.model("llama2-7b").params and long.name == "llama2-7b")
        assert(long.source:find("derived from llama2-7b", 1, true), long.source)
        local deeper = am.model{ base = long, name = "deep", blocks = 40 }
        assert(deeper.blocks == 40 and deeper.seq_len == 8192 and deeper.name == "deep")
        """)
    }

    // MARK: FLOPs

    func testFlopsPerTokenMatchesMegatronFormula() throws {
        try assertLuaRuns(Self.prelude + """
        -- megatron-1.7b (Narayanan et al. 2021 Table 1): l = 24, h = 2304, s = 2048, V = 51200.
        local m = am.model "megatron-1.7b"
        local l, h, s, V = 24, 2304, 2048, 51200
        -- Eq. (3) of the paper, per token (divide by B·s): full recomputation.
        near(m:flops_per_token{ recompute = "full" }, 96 * l * h * h * (1 + s / (6 * h) + V / (16 * l * h)), "full recompute")
        -- Without recomputation: 3x the forward 24·l·h²(1 + s/6h) + 2hV.
        near(m:flops_per_token(), 72 * l * h * h * (1 + s / (6 * h) + V / (12 * l * h)), "no recompute")
        near(m:flops_per_token{}, m:flops_per_token{ attention = "full", recompute = "none" }, "defaults")
        -- Causal counting halves the 4·s·h attention matmuls per layer and token.
        near(m:flops_per_token{ attention = "causal" }, 3 * (24 * l * h * h + 2 * l * s * h) + 6 * h * V, "causal")
        """)
    }

    // MARK: Layer cost

    func testLayerCostFields() throws {
        try assertLuaRuns(Self.prelude + """
        local m = am.model "llama2-7b"
        local h, f, s = 4096, 11008, 4096
        local c = m:layer_cost{ chip = a100 }
        assert(c.kind == "block" and c.layer == nil and c.timing == "roofline")
        -- Forward matmuls: 2 FLOPs per weight per token, plus QK^T and ·V at 2·s·h each (full counting).
        near(c.fwd_flops, 2 * s * (4 * h * h + 3 * h * f) + 4 * s * s * h, "fwd flops")
        near(c.bwd_flops, 2 * c.fwd_flops, "bwd flops"); near(c.flops, 3 * c.fwd_flops, "flops")
        assert(c.recompute_flops == 0 and c.params == 4 * h * h + 3 * h * f + 2 * h and c.weight_bytes == 2 * c.params)
        assert(c.fwd_s > 0 and c.bwd_s > c.fwd_s and c.act_bytes > 0 and c.bytes == c.fwd_bytes + c.bwd_bytes)
        assert(c.tp_collective == "none" and c.tp_comm_bytes == 0)
        -- Full recomputation re-runs the forward in the backward pass.
        local r = m:layer_cost{ chip = a100, recompute = "full" }
        near(r.recompute_flops, c.fwd_flops, "recompute"); near(r.flops, 4 * c.fwd_flops, "flops with recompute")
        -- tp = 2: matrices split, norms replicated; 2 all-reduces of s·b·h bf16 values each way.
        local t = m:layer_cost{ chip = am.chip(a100), micro_batch = 2, tp = 2 }
        assert(t.params == (4 * h * h + 3 * h * f) / 2 + 2 * h, t.params)
        assert(t.tp_collective == "all_reduce" and t.tp_fwd_collectives == 2 and t.tp_bwd_collectives == 2)
        near(t.tp_bytes_per_collective, 2 * s * h * 2, "collective size"); near(t.tp_comm_bytes, 4 * 2 * s * h * 2, "tp bytes")
        local sp = m:layer_cost{ chip = a100, tp = 2, sequence_parallel = true }
        assert(sp.tp_collective == "reduce_scatter_all_gather")
        -- Layers by index and kind.
        local e = m:layer_cost{ chip = a100, layer = 0 }
        assert(e.kind == "embedding" and e.layer == 0 and e.params == 32000 * h)
        local head = m:layer_cost{ chip = a100, layer = m.layers - 1 }
        assert(head.kind == "lm_head" and head.params == 32000 * h + h)
        assert(m:layer_cost{ chip = a100, kind = "lm_head" }.fwd_s == head.fwd_s)
        assert(m:layer_cost{ chip = a100, layer = 5 }.fwd_s == c.fwd_s)
        -- Causal counting drops half of the 4·s²·h attention matmul FLOPs; fused attention
        -- keeps no s×s scores, so fewer activation bytes.
        near(m:layer_cost{ chip = a100, attention = "causal" }.fwd_flops, c.fwd_flops - 2 * s * s * h, "causal")
        assert(m:layer_cost{ chip = a100, flash_attention = true }.act_bytes < c.act_bytes)
        -- Without layer or kind: the first transformer block, an MoE block in Mixtral.
        local x = am.model "mixtral-8x7b"
        assert(x:layer_cost{ chip = a100 }.kind == "moe_block")
        assert(x:layer_cost{ chip = a100, kind = "moe_block" }.fwd_flops == x:layer_cost{ chip = a100, layer = 1 }.fwd_flops)
        """)
    }

    // MARK: Memory

    func testMemoryComponents() throws {
        try assertLuaRuns(Self.prelude + """
        local m = am.model "llama2-7b"
        local P = m.params
        local mem = m:memory{ chip = a100 }
        -- Mixed-precision Adam: 2 + 2 + 12 bytes per parameter (ZeRO paper), 2 GB overhead.
        assert(mem.weights_bytes == 2 * P and mem.grads_bytes == 2 * P and mem.optimizer_bytes == 12 * P)
        assert(mem.overhead_bytes == 2e9 and mem.capacity_bytes == 80e9 and mem.in_flight == 1)
        -- Activations: one micro-batch of every layer, as the per-layer rows list them.
        local act = 0
        for _, row in ipairs(m:rows{ chip = a100 }) do act = act + row.activation_bytes end
        near(mem.activations_bytes, act, "activations")
        near(mem.total_bytes, 16 * P + act + 2e9, "total")
        near(mem.total_gb, mem.total_bytes / 1e9, "total gb"); near(mem.weights_gb, 2 * P / 1e9, "weights gb")
        assert(mem.capacity_gb == 80 and mem.fits == false and mem.first_layer == 0 and mem.last_layer == 33)
        -- ZeRO-1 over 8 replicas shards the optimizer state only.
        local z = m:memory{ chip = a100, dp = 8, zero = 1, overhead_gb = 0 }
        assert(z.optimizer_bytes == 12 * P / 8 and z.grads_bytes == 2 * P and z.overhead_bytes == 0)
        -- pp = 2: 16 blocks each; 1F1B holds 2 micro-batches on stage 0, 1 on stage 1.
        local s0, s1 = m:memory{ chip = a100, pp = 2 }, m:memory{ chip = a100, pp = 2, pp_stage = 1 }
        assert(s0.first_layer == 0 and s0.last_layer == 16 and s0.in_flight == 2)
        assert(s1.first_layer == 17 and s1.last_layer == 33 and s1.in_flight == 1)
        assert(s0.params + s1.params == P)
        -- Explicit layers and in-flight count.
        local part = m:memory{ chip = a100, layers = { 1, 4 }, in_flight = 3 }
        local one = m:layer_cost{ chip = a100 }
        assert(part.params == 4 * one.params and part.in_flight == 3)
        near(part.activations_bytes, 3 * 4 * one.act_bytes, "explicit layers activations")
        -- fp32 gradients (Megatron's distributed optimizer): 4 bytes per parameter.
        local g = m:memory{ chip = a100, state_bytes = { grad = 4 } }
        assert(g.grads_bytes == 4 * P and g.weights_bytes == 2 * P and g.optimizer_bytes == 12 * P)
        local fused = m:memory{ chip = a100, flash_attention = true }
        assert(fused.activations_bytes < mem.activations_bytes and fused.weights_bytes == mem.weights_bytes)
        -- tp = 8 fits a 7B model on an 80 GB chip with ZeRO-1 over 8.
        assert(m:memory{ chip = a100, tp = 8, dp = 8, zero = 1 }.fits)
        """)
    }

    func testRowsKeepCoreColumnOrder() throws {
        try assertLuaRuns(Self.prelude + """
        local m = am.model "llama2-7b"
        local rows = m:rows{ chip = a100, tp = 2, recompute = "selective" }
        assert(#rows == m.layers)
        assert(rows.columns[1] == "layer" and rows.columns[2] == "kind" and rows.columns[9] == "fwd_s"
               and rows.columns[#rows.columns] == "timing", table.concat(rows.columns, ","))
        assert(rows[1].kind == "embedding" and rows[2].kind == "block" and rows[34].kind == "lm_head" and rows[34].layer == 33)
        local c = m:layer_cost{ chip = a100, tp = 2, recompute = "selective" }
        assert(rows[2].fwd_s == c.fwd_s and rows[2].bwd_s == c.bwd_s and rows[2].params == c.params)
        """)
    }

    // MARK: Calibration

    func testCalibrationReproducesPointAndRescalesOthers() throws {
        try assertLuaRuns(Self.prelude + """
        local m = am.model "llama2-7b"
        local a1 = m:layer_cost{ chip = a100, micro_batch = 1 }
        local a2 = m:layer_cost{ chip = a100, micro_batch = 2, tp = 2 }
        local e = m:layer_cost{ chip = a100, layer = 0 }
        local h20 = m:layer_cost{ chip = "nvidia_h20" }
        assert(am.calibrate{ chip = a100, model = m, micro_batch = 1, fwd_ms = 10, bwd_ms = 25 } == 1)
        -- The measured point itself, exactly.
        local c1 = m:layer_cost{ chip = a100, micro_batch = 1 }
        assert(c1.fwd_s == 10 / 1000 and c1.bwd_s == 25 / 1000 and c1.timing == "measured", c1.fwd_s)
        assert(c1.flops == a1.flops and c1.act_bytes == a1.act_bytes)   -- only times change
        -- Another setting on the same chip: rescaled by measured/analytical of the point.
        local c2 = m:layer_cost{ chip = a100, micro_batch = 2, tp = 2 }
        assert(c2.timing == "rescaled")
        near(c2.fwd_s, a2.fwd_s * (0.010 / a1.fwd_s), "rescaled fwd"); near(c2.bwd_s, a2.bwd_s * (0.025 / a1.bwd_s), "rescaled bwd")
        near(m:layer_cost{ chip = a100, layer = 0 }.fwd_s, e.fwd_s * (0.010 / a1.fwd_s), "rescaled embedding")
        -- Other chips are untouched; rows use the store too; memory does not change.
        assert(m:layer_cost{ chip = "nvidia_h20" }.fwd_s == h20.fwd_s)
        assert(m:rows{ chip = a100 }[2].fwd_s == 0.010 and m:rows{ chip = a100 }[2].timing == "measured")
        -- Points list, replace on the same key, clear.
        am.calibrate{ chip = am.chip(a100), model = "llama2-7b", micro_batch = 1, fwd_ms = 12, bwd_ms = 24 }
        local pts = am.calibration()
        assert(#pts == 1 and pts[1].chip == a100 and pts[1].model == "llama2-7b" and pts[1].seq == 4096)
        near(pts[1].fwd_ms, 12, "listed fwd_ms")
        assert(pts.columns[1] == "chip" and pts[1].sequence_parallel == false and pts[1].recompute == "none")
        assert(m:layer_cost{ chip = a100 }.fwd_s == 0.012)
        am.calibrate{ chip = a100, model = m, micro_batch = 4, seq = 2048, tp = 2, recompute = "full", fwd_ms = 30, bwd_ms = 80 }
        assert(#am.calibration() == 2 and am.calibration()[2].seq == 2048)
        am.calibration_clear()
        assert(#am.calibration() == 0 and m:layer_cost{ chip = a100 }.fwd_s == a1.fwd_s)
        """)
    }

    func testRuntimeStoreIsVisibleToSwift() throws {
        let rt = try LuaRuntime(options: RuntimeOptions(outputDirectory: NSTemporaryDirectory()))
        XCTAssertEqual(rt.run(string: "am.calibrate{ chip = 'nvidia_h20', model = 'llama2-7b', micro_batch = 2, fwd_ms = 5, bwd_ms = 9 }", name: "=t"), .ok)
        XCTAssertEqual(rt.calibration.points.count, 1)
        XCTAssertEqual(rt.calibration.points.first?.fwdSeconds, 0.005)
        XCTAssertEqual(try LuaRuntime().calibration.points.count, 0, "one store per runtime")
    }

    func testCalibrationCSVRoundTripAndBadRow() throws {
        let name = "calib-\(UUID().uuidString)"
        try assertLuaRuns(Self.prelude + """
        local cols = { "chip", "model", "micro_batch", "seq", "tp", "fwd_ms", "bwd_ms", "recompute" }
        am.csv.write("\(name)-good.csv", {
          { chip = a100, model = "llama2-7b", micro_batch = 1, seq = 4096, tp = 1, fwd_ms = 10, bwd_ms = 25 },
          { chip = a100, model = "llama2-7b", micro_batch = 2, seq = 4096, tp = 1, fwd_ms = 18.5, bwd_ms = 41, recompute = "none" },
        }, { columns = cols })
        assert(am.calibrate_csv("\(name)-good.csv") == 2)
        local m = am.model "llama2-7b"
        assert(m:layer_cost{ chip = a100, micro_batch = 2 }.fwd_s == 18.5 / 1000)
        -- Beyond the measured micro-batches: proportional to the nearest point (18.5 ms x 4/2).
        local c4 = m:layer_cost{ chip = a100, micro_batch = 4 }
        near(c4.fwd_s, 0.0185 * 2, "beyond"); assert(c4.timing == "interpolated")
        -- Saved and read back.
        am.csv.write("\(name)-saved.csv", am.calibration())
        am.calibration_clear()
        assert(am.calibrate_csv("\(name)-saved.csv") == 2)
        near(am.calibration()[2].fwd_ms, 18.5, "read back")
        -- A bad row: nothing added, the row named (data rows counted from 1).
        am.csv.write("\(name)-bad.csv", {
          { chip = a100, model = "llama2-7b", micro_batch = 1, seq = 4096, tp = 1, fwd_ms = 11, bwd_ms = 25 },
          { chip = a100, model = "llama2-7b", micro_batch = 0, seq = 4096, tp = 1, fwd_ms = 11, bwd_ms = 25 },
        }, { columns = cols })
        local ok, err = pcall(am.calibrate_csv, "\(name)-bad.csv")
        assert(not ok and err:find("calibration row 2: micro_batch must be >= 1, got 0", 1, true), err)
        assert(#am.calibration() == 2); near(am.calibration()[1].fwd_ms, 10, "unchanged")
        """)
        try assertLuaFails("""
        am.csv.write("\(name)-chip.csv", { { chip = "nvidia_a100", model = "llama2-7b", micro_batch = 1, fwd_ms = 1, bwd_ms = 2 } },
                     { columns = { "chip", "model", "micro_batch", "fwd_ms", "bwd_ms" } })
        am.calibrate_csv("\(name)-chip.csv")
        """, "calibration row 1: unknown chip 'nvidia_a100'")
        try assertLuaFails("""
        am.csv.write("\(name)-col.csv", { { chip = "nvidia_h20", model = "llama2-7b", micro_batch = 1, fwd_ms = 1, bwd_ms = 2, fwd_s = 1 } },
                     { columns = { "chip", "model", "micro_batch", "fwd_ms", "bwd_ms", "fwd_s" } })
        am.calibrate_csv("\(name)-col.csv")
        """, "unknown calibration column 'fwd_s'")
        try assertLuaFails("""
        am.csv.write("\(name)-ms.csv", { { chip = "nvidia_h20", model = "llama2-7b", micro_batch = 1, fwd_ms = "fast", bwd_ms = 2 } },
                     { columns = { "chip", "model", "micro_batch", "fwd_ms", "bwd_ms" } })
        am.calibrate_csv("\(name)-ms.csv")
        """, "calibration row 1: fwd_ms must be a number, got 'fast'")
        try assertLuaFails("am.calibrate_csv('\(name)-missing.csv')", "cannot read")
    }

    // MARK: Bad input

    func testBadInputsGiveClearErrors() throws {
        let m = "local m = am.model 'llama2-7b'\n"
        let shape = "layers = 2, hidden = 96, vocab = 100, seq_len = 16"
        let cases: [(String, String)] = [
            ("am.model 'llama2-7'", "unknown model 'llama2-7' (did you mean 'llama2-70b', 'llama2-7b'"),
            ("am.model(7)", "bad argument #1 to 'model' (string or table expected, got number)"),
            ("am.model{ \(shape), heads = 5 }", "heads (5) must divide hidden (96)"),
            ("am.model{ \(shape), heads = 12, kv_heads = 5 }", "kv_heads (5) must divide heads (12)"),
            ("am.model{ layers = 2, hidden = -96, heads = 12, vocab = 100, seq_len = 16 }", "hidden must be >= 1, got -96"),
            ("am.model{ \(shape), heads = 12, ffn_hidden = 0 }", "ffn_hidden must be >= 1, got 0"),
            ("am.model{ \(shape), heads = 12, hiden = 3 }", "model: unknown option 'hiden' (did you mean 'hidden'?)"),
            ("am.model{ \(shape), heads = '12' }", "model: option 'heads' must be an integer (got string)"),
            ("am.model{ \(shape), heads = 12.5 }", "option 'heads' must be an integer (got 12.5)"),
            ("am.model{ \(shape), heads = 12, ffn = 'relu' }", "unknown ffn 'relu'"),
            ("am.model{ \(shape), heads = 12, moe = { experts = 4, top_k = 5, expert_ffn = 64 } }", "moe.top_k must be in 1...4"),
            ("am.model{ \(shape), heads = 12, moe = { experts = 4, top_k = 2, topk = 2 } }", "model.moe: unknown option 'topk'"),
            ("am.model{ hidden = 96, heads = 12, vocab = 100, seq_len = 16 }", "option 'layers' is required"),
            ("am.model{ \(shape), blocks = 2, heads = 12 }", "give 'layers' or 'blocks', not both"),
            ("am.model{ base = 'llama2-7c' }", "unknown model 'llama2-7c'"),
            ("am.model{ base = 'llama2-7b', heads = 31 }", "heads (31) must divide hidden (4096)"),
            (m + "m:layer_cost{ chip = 'nvidia_a100_sxm4_80g', tp = 3 }", "tp (3) must divide heads (32) of model 'llama2-7b'"),
            (m + "m:layer_cost{ chip = 'nvidia_a100_sxm4_80g', micro_batch = 0 }", "micro_batch must be >= 1, got 0"),
            (m + "m:layer_cost{ chip = 'nvidia_a100_sxm4_80g', tp = 0 }", "tp must be >= 1, got 0"),
            (m + "m:layer_cost{ chip = 'nvidia_a100' }", "unknown chip 'nvidia_a100'"),
            (m + "m:layer_cost{ micro_batch = 1 }", "layer_cost: option 'chip' is required"),
            (m + "m:layer_cost{ chip = 42 }", "layer_cost: option 'chip' must be a string or a Chip (got number)"),
            (m + "m:layer_cost{ chip = 'nvidia_h20', recompute = 'partial' }", "unknown recompute mode 'partial'"),
            (m + "m:layer_cost{ chip = 'nvidia_h20', layer = 34 }", "layer index 34 out of range 0..<34"),
            (m + "m:layer_cost{ chip = 'nvidia_h20', kind = 'moe_block' }", "has no MoE blocks"),
            (m + "m:layer_cost{ chip = 'nvidia_h20', kind = 'block', layer = 1 }", "give 'layer' or 'kind', not both"),
            (m + "m:layer_cost{ chip = 'nvidia_h20', micro_bach = 2 }", "layer_cost: unknown option 'micro_bach' (did you mean 'micro_batch'?)"),
            (m + "m:layer_cost{ chip = 'nvidia_h20', sequence_parallel = 1 }", "option 'sequence_parallel' must be a boolean (got number)"),
            (m + "m:layer_cost()", "bad argument #1 to 'layer_cost' (table expected, got no value)"),
            (m + "m:flops_per_token{ attention = 'half' }", "unknown attention counting 'half'"),
            (m + "m:flops_per_token{ recompute = 'none', extra = 1 }", "flops_per_token: unknown option 'extra'"),
            (m + "m:memory{ chip = 'nvidia_h20', zero = 4 }", "zero stage must be 0, 1, 2 or 3, got 4"),
            (m + "m:memory{ chip = 'nvidia_h20', pp = 2, pp_stage = 2 }", "pp_stage 2 out of range 0..<2"),
            (m + "m:memory{ chip = 'nvidia_h20', pp = 64 }", "pp (64) must be <= the number of transformer blocks (32)"),
            (m + "m:memory{ chip = 'nvidia_h20', dp = 0 }", "dp must be >= 1, got 0"),
            (m + "m:memory{ chip = 'nvidia_h20', layers = { 3 } }", "memory.layers must be { first, last }"),
            (m + "m:memory{ chip = 'nvidia_h20', layers = { 5, 3 } }", "first (5) must be <= last (3)"),
            (m + "m:memory{ chip = 'nvidia_h20', layers = { 0, 40 } }", "layer range 0..<41 must be a non-empty part of 0..<34"),
            (m + "m:memory{ chip = 'nvidia_h20', overhead_gb = -1 }", "memory: overhead_gb must be a number >= 0, got -1"),
            (m + "m:memory{ chip = 'nvidia_h20', in_flight = -1 }", "in_flight must be >= 0, got -1"),
            (m + "m:memory{ chip = 'nvidia_h20', state_bytes = { grad = -4 } }", "grad_bytes per parameter must be a number >= 0, got -4"),
            (m + "m:memory{ chip = 'nvidia_h20', state_bytes = { gradient = 4 } }", "memory.state_bytes: unknown option 'gradient'"),
            (m + "m:layer_cost{ chip = 'nvidia_h20', attention = 'half' }", "unknown attention counting 'half'"),
            (m + "m:rows{ chip = 'nvidia_h20', flash_attention = 'yes' }", "option 'flash_attention' must be a boolean (got string)"),
            (m + "m:rows{ chip = 'nvidia_h20', tp = 5 }", "tp (5) must divide heads (32)"),
            (m + "m:rows{ chip = 'nvidia_h20', layer = 1 }", "rows: unknown option 'layer'"),
            (m + "print(m.hiden)", "amalgam.Model has no field 'hiden' (did you mean 'hidden'?)"),
            ("am.calibrate{ chip = 'nvidia_h20', model = 'llama2-7b', micro_batch = 1, fwd_ms = 0, bwd_ms = 1 }", "fwd_ms must be a number > 0, got 0.0"),
            ("am.calibrate{ chip = 'nvidia_h20', model = 'llama2-7b', micro_batch = 1, fwd_ms = 1 }", "calibrate: option 'bwd_ms' is required"),
            ("am.calibrate{ chip = 'nvidia_h20', model = 'llama2-7b', fwd_ms = 1, bwd_ms = 2 }", "calibrate: option 'micro_batch' is required"),
            ("am.calibrate{ chip = 'nvidia_h20', micro_batch = 1, fwd_ms = 1, bwd_ms = 2 }", "calibrate: option 'model' is required"),
            ("am.calibrate{ chip = 'nvidia_h20', model = 'llama2-7b', micro_batch = 1, tp = 3, fwd_ms = 1, bwd_ms = 2 }", "tp (3) must divide heads (32)"),
            ("am.calibrate{ chip = 'nvidia_h20', model = 'gpt5', micro_batch = 1, fwd_ms = 1, bwd_ms = 2 }", "unknown model 'gpt5'"),
            ("am.calibrate{ chip = 'nvidia_h20', model = 'llama2-7b', micro_batch = 1, fwd_ms = 1, bwd_ms = 2, fwd_s = 1 }", "calibrate: unknown option 'fwd_s'"),
            ("am.calibrate{ chip = 'nvidia_h20', model = 'llama2-7b', micro_batch = 1, seq = 0, fwd_ms = 1, bwd_ms = 2 }", "seq_len must be >= 1, got 0"),
        ]
        for (code, fragment) in cases {
            try assertLuaFails(code, fragment)
        }
    }
    /// Every example in this area's documentation runs as written.
    func testDocumentedExamplesRun() throws {
        let names = try LuaRuntime().docs.all.map(\.name).filter {
            $0.hasPrefix("am.model") || $0.hasPrefix("Model:") || $0.hasPrefix("am.calibrat")
        }
        XCTAssertEqual(names.count, 10, "\(names)")
        for name in names {
            let rt = try LuaRuntime(options: RuntimeOptions(outputDirectory: try makeTempDirectory()))
            guard let doc = rt.docs.doc(named: name) else { return XCTFail(name) }
            XCTAssertEqual(rt.run(string: doc.example, name: "=\(name)"), .ok, name)
        }
    }
}
