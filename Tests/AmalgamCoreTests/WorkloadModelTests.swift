import XCTest
@testable import AmalgamCore

/// Chips used by the workload tests, built directly (the catalog is developed separately).
enum WorkloadFixtures {
    /// NVIDIA A100 SXM4 80GB: 312 dense BF16 TFLOP/s, 80 GB HBM2e at 2039 GB/s
    /// (NVIDIA A100 datasheet; reference/accelerators.csv row nvidia_a100_sxm4_80g).
    static let a100 = Chip(
        id: "nvidia_a100_sxm4_80g", vendor: "NVIDIA", name: "A100 SXM4 80GB", bf16Tflops: 312, memGB: 80, memBwGBs: 2039,
        intraLinkGBs: 600, intraTopology: .switch, nicGbps: 200, matmulEfficiency: 0.75,
        source: "NVIDIA A100 datasheet")
    /// Huawei Ascend 910B2-like figures (376 BF16 TFLOP/s, 64 GB at 1600 GB/s), only as a
    /// second chip type for calibration tests; the values matter only relative to each other.
    static let npu = Chip(
        id: "test_npu", vendor: "Test", name: "Test NPU", bf16Tflops: 376, memGB: 64, memBwGBs: 1600,
        intraLinkGBs: 392, intraTopology: .fullMesh, nicGbps: 200, matmulEfficiency: 0.6,
        source: "test fixture")
}

final class WorkloadModelTests: XCTestCase {
    func testCatalogListsEveryPreset() {
        XCTAssertEqual(TransformerModel.presetIds, [
            "gpt3-125m", "gpt3-350m", "gpt3-760m", "gpt3-1.3b", "gpt3-2.7b", "gpt3-6.7b", "gpt3-13b", "gpt3-175b",
            "megatron-1.7b", "megatron-3.6b", "megatron-7.5b", "megatron-18.4b", "megatron-39.1b", "megatron-76.1b",
            "megatron-145.6b", "megatron-310.1b", "megatron-529.6b", "megatron-1t",
            "llama2-7b", "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b", "llama3-405b",
            "opt-350m", "opt-1.3b", "gpt-neo-2.7b", "mixtral-8x7b",
        ])
    }

    /// Published totals. Where the source gives only a nominal label ("1.3B") rounded to
    /// two significant figures, the tolerance is 2% and the comment says so; every other
    /// figure must agree within 1%.
    func testParameterCountsMatchPublishedFigures() throws {
        let published: [(String, Double, Double)] = [
            // Brown et al. 2020 Table 2.1 (n_params column).
            ("gpt3-125m", 125e6, 0.01), ("gpt3-760m", 760e6, 0.01), ("gpt3-6.7b", 6.7e9, 0.01), ("gpt3-175b", 175e9, 0.01),
            // Same table; nominal labels: the exact architecture has 355.9M, 1.316B, 2.652B, 12.85B
            // (checked exactly against the closed form in testGPT3ClosedForm).
            ("gpt3-350m", 350e6, 0.02), ("gpt3-1.3b", 1.3e9, 0.02), ("gpt3-2.7b", 2.7e9, 0.02), ("gpt3-13b", 13e9, 0.02),
            // Hugging Face hub parameter counts of the released checkpoints (meta-llama/Llama-2-7b-hf
            // 6.74B, -13b-hf 13.0B, -70b-hf 69.0B; meta-llama/Meta-Llama-3-8B 8.03B, -70B 70.6B,
            // Llama-3.1-405B 406B); Meta's names (7B, 13B, 70B, 8B, 70B, 405B) are rounded.
            ("llama2-7b", 6.74e9, 0.01), ("llama2-13b", 13.0e9, 0.01), ("llama2-70b", 69.0e9, 0.01),
            ("llama3-8b", 8.03e9, 0.01), ("llama3-70b", 70.6e9, 0.01), ("llama3-405b", 405e9, 0.01),
            // facebook/opt-350m checkpoint: 331M (Zhang et al. 2022 call it 350M; its 512-wide word
            // embedding with project-in/out makes it smaller than GPT-3 350M).
            ("opt-350m", 331e6, 0.01),
            // Nominal labels (Zhang et al. 2022 Table 1; EleutherAI model card): 1.316B and 2.652B exactly.
            ("opt-1.3b", 1.3e9, 0.02), ("gpt-neo-2.7b", 2.7e9, 0.02),
            // Mistral AI, "Mixtral of experts" (Dec 2023) and Jiang et al. 2024: 46.7B total parameters.
            ("mixtral-8x7b", 46.7e9, 0.01),
        ]
        for (id, figure, tolerance) in published {
            let p = Double(try TransformerModel.preset(id).params)
            XCTAssertEqual(p, figure, accuracy: figure * tolerance, "\(id): \(p) vs published \(figure)")
        }
        // Mixtral: 12.9B active parameters per token (same sources).
        XCTAssertEqual(Double(try TransformerModel.preset("mixtral-8x7b").activeParams), 12.9e9, accuracy: 12.9e9 * 0.01)
    }

    /// Narayanan et al. 2021: P = 12·l·h²·(1 + 13/(12h) + (V + s)/(12·l·h)), which reproduces
    /// every params_B of Table 1 (reference/published/megatron_sc21_table1.csv). Our count adds
    /// the final LayerNorm (2h), which the formula omits.
    func testMegatronRowsMatchTable1() throws {
        let rows: [(String, Double, Int, Int, Int)] = [   // id, params_B, heads, hidden, layers
            ("megatron-1.7b", 1.7, 24, 2304, 24), ("megatron-3.6b", 3.6, 32, 3072, 30), ("megatron-7.5b", 7.5, 32, 4096, 36),
            ("megatron-18.4b", 18.4, 48, 6144, 40), ("megatron-39.1b", 39.1, 64, 8192, 48),
            ("megatron-76.1b", 76.1, 80, 10240, 60), ("megatron-145.6b", 145.6, 96, 12288, 80),
            ("megatron-310.1b", 310.1, 128, 16384, 96), ("megatron-529.6b", 529.6, 128, 20480, 105),
            ("megatron-1t", 1008.0, 160, 25600, 128),
        ]
        for (id, paramsB, a, h, l) in rows {
            let m = try TransformerModel.preset(id)
            XCTAssertEqual([m.heads, m.hidden, m.numLayers, m.seqLen, m.vocab], [a, h, l, 2048, 51200], id)
            let (H, L, V, s) = (Double(h), Double(l), 51200.0, 2048.0)
            let formula = 12 * L * H * H * (1 + 13 / (12 * H) + (V + s) / (12 * L * H))
            XCTAssertEqual(Double(m.params), formula + 2 * H, accuracy: 1, id)
            // The table prints billions to one decimal.
            XCTAssertEqual((Double(m.params) / 1e8).rounded() / 10, paramsB, id)
        }
    }

    /// GPT-3 shapes: per block 12h² + 13h (QKV 3h² + 3h, projection h² + h, MLP 8h² + 5h,
    /// two LayerNorms 4h), plus token and position tables (V + s)·h and the final norm 2h.
    func testGPT3ClosedForm() throws {
        for (id, l, h) in [("gpt3-350m", 24, 1024), ("gpt3-1.3b", 24, 2048), ("gpt3-2.7b", 32, 2560), ("gpt3-13b", 40, 5120)] {
            let m = try TransformerModel.preset(id)
            let (L, H) = (l, h)
            XCTAssertEqual(m.params, L * (12 * H * H + 13 * H) + (50257 + 2048) * H + 2 * H, id)
        }
    }

    /// Llama-2-70B: per block Wq, Wo (h² each), Wk, Wv (h·1024 each, 8 KV heads of 128),
    /// 3 SwiGLU matrices h·28672 and two RMSNorm vectors; untied V·h input and output tables,
    /// final RMSNorm.
    func testGQASwiGLUClosedFormAndTensorParallelSlices() throws {
        let m = try TransformerModel.preset("llama2-70b")
        let (h, kv, f, v, l) = (8192, 1024, 28672, 32000, 80)
        let block = 2 * h * h + 2 * h * kv + 3 * h * f + 2 * h
        XCTAssertEqual(m.params, l * block + 2 * v * h + h)
        // tp = 8: every matrix split, norms replicated.
        XCTAssertEqual(try m.params(ofLayer: 1, tp: 8), (2 * h * h + 2 * h * kv + 3 * h * f) / 8 + 2 * h)
        XCTAssertEqual(try m.params(ofLayer: 0, tp: 8), v * h / 8)
        XCTAssertEqual(try m.params(ofLayer: l + 1, tp: 8), v * h / 8 + h)
    }

    func testLayersAreEmbeddingBlocksAndHead() throws {
        let m = try TransformerModel.preset("llama3-8b")
        XCTAssertEqual(m.layers.count, 34)
        XCTAssertEqual(m.layers.first?.kind, .embedding)
        XCTAssertEqual(m.layers.last?.kind, .lmHead)
        XCTAssertTrue(m.layers.dropFirst().dropLast().allSatisfy { $0.kind == .block })
        let mix = try TransformerModel.preset("mixtral-8x7b")
        XCTAssertTrue(mix.layers.dropFirst().dropLast().allSatisfy { $0.kind == .moeBlock })
        // Every other block MoE, from block 1.
        let alt = try TransformerModel(layers: 4, hidden: 64, heads: 4, vocab: 100, seqLen: 16,
                                       moe: MoEConfig(experts: 4, topK: 1, expertFFN: 128, every: 2, firstLayer: 1))
        XCTAssertEqual(alt.layers.map(\.kind), [.embedding, .block, .moeBlock, .block, .moeBlock, .lmHead])
        XCTAssertEqual(alt.moeBlockCount, 2)
        // The closed-form count against brute force over depths and patterns.
        for layers in 1...9 {
            for every in 1...4 {
                for first in 0..<layers {
                    let m = try TransformerModel(layers: layers, hidden: 64, heads: 4, vocab: 100, seqLen: 16,
                                                 moe: MoEConfig(experts: 4, topK: 1, expertFFN: 128, every: every, firstLayer: first))
                    XCTAssertEqual(m.moeBlockCount, (0..<layers).filter { $0 >= first && ($0 - first) % every == 0 }.count)
                    XCTAssertEqual(m.moeBlockCount, m.layers.filter { $0.kind == .moeBlock }.count)
                    for lo in 0..<m.layerCount {
                        for hi in (lo + 1)...m.layerCount {
                            XCTAssertEqual(m.moeBlocks(inLayers: lo..<hi), m.layers[lo..<hi].filter { $0.kind == .moeBlock }.count)
                        }
                    }
                }
            }
        }
    }

    // MARK: Bad input

    private func assertError(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected an error containing '\(fragment)'", file: file, line: line)
        } catch let e as AmalgamError {
            XCTAssertTrue(e.message.contains(fragment), "'\(e.message)' lacks '\(fragment)'", file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    func testShapeErrors() {
        assertError("heads (7) must divide hidden (64)") { _ = try TransformerModel(layers: 2, hidden: 64, heads: 7, vocab: 10, seqLen: 8) }
        assertError("kv_heads (3) must divide heads (8)") {
            _ = try TransformerModel(layers: 2, hidden: 64, heads: 8, kvHeads: 3, vocab: 10, seqLen: 8)
        }
        assertError("layers must be >= 1, got 0") { _ = try TransformerModel(layers: 0, hidden: 64, heads: 8, vocab: 10, seqLen: 8) }
        assertError("hidden must be >= 1, got -64") { _ = try TransformerModel(layers: 2, hidden: -64, heads: 8, vocab: 10, seqLen: 8) }
        assertError("vocab must be >= 1, got 0") { _ = try TransformerModel(layers: 2, hidden: 64, heads: 8, vocab: 0, seqLen: 8) }
        assertError("seq_len must be >= 1, got -1") { _ = try TransformerModel(layers: 2, hidden: 64, heads: 8, vocab: 10, seqLen: -1) }
        assertError("ffn_hidden must be >= 1, got 0") {
            _ = try TransformerModel(layers: 2, hidden: 64, ffnHidden: 0, heads: 8, vocab: 10, seqLen: 8)
        }
        assertError("heads must be >= 1, got 0") { _ = try TransformerModel(layers: 2, hidden: 64, heads: 0, vocab: 10, seqLen: 8) }
        assertError("moe.top_k must be in 1...4") {
            _ = try TransformerModel(layers: 2, hidden: 64, heads: 8, vocab: 10, seqLen: 8, moe: MoEConfig(experts: 4, topK: 5, expertFFN: 8))
        }
        assertError("moe.first_layer must be in 0..<2") {
            _ = try TransformerModel(layers: 2, hidden: 64, heads: 8, vocab: 10, seqLen: 8,
                                     moe: MoEConfig(experts: 4, topK: 1, expertFFN: 8, firstLayer: 2))
        }
        assertError("too large") { _ = try TransformerModel(layers: 2, hidden: 1 << 40, heads: 8, vocab: 10, seqLen: 8) }
        assertError("hidden = \(Int.max) is too large") { _ = try TransformerModel(layers: 2, hidden: Int.max, heads: 1, vocab: 10, seqLen: 8) }
        assertError("beyond the supported") {
            _ = try TransformerModel(layers: 100_000, hidden: 1_000_000, heads: 8, vocab: 10, seqLen: 8)
        }
    }

    func testUnknownPresetSuggestsCloseNames() {
        assertError("unknown model 'llama2-70' (did you mean 'llama2-70b'") { _ = try TransformerModel.preset("llama2-70") }
        assertError("unknown model 'gpt3_175b' (did you mean 'gpt3-175b'") { _ = try TransformerModel.preset("gpt3_175b") }
    }

    func testParallelQueryErrors() throws {
        let llama = try TransformerModel.preset("llama2-70b")       // 64 heads, 8 KV heads, ffn 28672
        let a100 = WorkloadFixtures.a100
        assertError("tp (16) must divide kv_heads (8)") { _ = try llama.layerCost(1, chip: a100, microBatch: 1, tp: 16) }
        assertError("tp (3) must divide heads (64)") { _ = try llama.layerCost(1, chip: a100, microBatch: 1, tp: 3) }
        let oddFFN = try TransformerModel(layers: 2, hidden: 64, ffnHidden: 100, heads: 8, vocab: 10, seqLen: 8)
        assertError("tp (8) must divide ffn_hidden (100)") { _ = try oddFFN.layerCost(1, chip: a100, microBatch: 1, tp: 8) }
        assertError("tp must be >= 1, got 0") { _ = try llama.layerCost(1, chip: a100, microBatch: 1, tp: 0) }
        assertError("micro_batch must be >= 1, got 0") { _ = try llama.layerCost(1, chip: a100, microBatch: 0) }
        assertError("micro_batch must be >= 1, got -2") { _ = try llama.memory(chip: a100, microBatch: -2) }
        assertError("layer index 82 out of range 0..<82") { _ = try llama.layerCost(82, chip: a100, microBatch: 1) }
        assertError("layer index -1 out of range") { _ = try llama.layerCost(-1, chip: a100, microBatch: 1) }
        assertError("has no MoE blocks") { _ = try llama.layerCost(kind: .moeBlock, chip: a100, microBatch: 1) }
        assertError("has no dense blocks") {
            _ = try TransformerModel.preset("mixtral-8x7b").layerCost(kind: .block, chip: a100, microBatch: 1)
        }
        var bad = a100
        bad.bf16Tflops = 0
        assertError("bf16_tflops must be > 0, got 0.0") { _ = try llama.layerCost(1, chip: bad, microBatch: 1) }
        bad = a100
        bad.matmulEfficiency = 1.5
        assertError("matmul_efficiency must be in (0, 1]") { _ = try llama.layerCost(1, chip: bad, microBatch: 1) }
        assertError("pp (81) must be <= the number of transformer blocks (80)") { _ = try llama.memory(chip: a100, pp: 81, microBatch: 1) }
        assertError("pp_stage 4 out of range 0..<4") { _ = try llama.memory(chip: a100, pp: 4, ppStage: 4, microBatch: 1) }
        assertError("dp must be >= 1, got 0") { _ = try llama.memory(chip: a100, dp: 0, microBatch: 1) }
        assertError("zero stage must be 0, 1, 2 or 3, got 4") { _ = try llama.memory(chip: a100, zero: 4, microBatch: 1) }
        assertError("layer range 5..<90") { _ = try llama.memory(chip: a100, microBatch: 1, layers: 5..<90, inFlight: 1) }
        assertError("in_flight must be >= 0, got -1") { _ = try llama.memory(chip: a100, microBatch: 1, inFlight: -1) }
        assertError("unknown recompute mode 'ful'") { _ = try Recompute.parse("ful") }
        assertError("n_half must be a finite number >= 0") { _ = try EfficiencyCurve(halfDimension: -1) }
        assertError("weight_bytes per parameter must be a number >= 0") { _ = try TrainingStateBytes(weight: -2) }
    }
}
