import XCTest
@testable import AmalgamCore

final class WorkloadFlopsTests: XCTestCase {
    let a100 = WorkloadFixtures.a100

    /// Kaplan et al. 2020 (arXiv:2001.08361) Table 1: C_forward = 2N + 2·n_layer·n_ctx·d_attn per
    /// token, training ≈ 3× forward, so C = 6N + 6·n_layer·n_ctx·d_attn, plus the de-embedding
    /// 2·d_model·n_vocab per token forward (listed in the table, outside N). Our `.causal`
    /// counting matches it with N = the 12·L·h² matmul weights.
    func testFlopsPerTokenMatchKaplanAccounting() throws {
        let m = try TransformerModel.preset("gpt3-175b")
        let (L, h, s, V) = (96.0, 12288.0, 2048.0, 50257.0)
        let n = 12 * L * h * h                                   // 173.95e9 matmul weights
        let kaplan = 6 * n + 6 * L * s * h + 6 * h * V
        XCTAssertEqual(m.flopsPerToken(attention: .causal), kaplan, accuracy: kaplan * 1e-12)
        // Kaplan's N also holds biases and norms (13·L·h + 2h, 0.009%): still within 0.01%.
        let withN = 6 * Double(m.nonEmbeddingParams) + 6 * L * s * h + 6 * h * V
        XCTAssertEqual(m.flopsPerToken(attention: .causal), withN, accuracy: withN * 1e-4)
        // Full (unhalved) counting doubles the attention term: 12·L·s·h (PaLM, Chowdhery et al. 2022 App. B).
        XCTAssertEqual(m.flopsPerToken(attention: .full), 6 * n + 12 * L * s * h + 6 * h * V, accuracy: kaplan * 1e-12)
    }

    /// Narayanan et al. 2021 (arXiv:2104.04473) §5.1: F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h))
    /// per iteration with full recomputation: blocks 4 × (24·B·s·h² + 4·B·s²·h) per layer
    /// (forward, recompute, 2× backward) and the logit layer 6·B·s·h·V (forward + backward,
    /// not recomputed). GPT-3 175B Table 2 row: B = 1536, s = 2048, l = 96, h = 12288, V = 51200.
    func testFlopsPerIterationMatchMegatron() throws {
        let g = try TransformerModel(name: "gpt3-175b-megatron", layers: 96, hidden: 12288, heads: 96, vocab: 51200, seqLen: 2048,
                                     tiedEmbeddings: true, position: .learned, linearBias: true, dropout: true)
        let (B, s, l, h, V) = (1536.0, 2048.0, 96.0, 12288.0, 51200.0)
        // 96·1536·2048·96·12288² = 4.37741e18; × (1 + 0.0277778 + 0.0027127) = 4.51097e18.
        let f96 = 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h))
        XCTAssertEqual(g.flopsPerToken(attention: .full, recompute: .full) * B * s, f96, accuracy: f96 * 1e-12)
        // reference/published/megatron_sc21_table1.csv, 175B Table 2 rows: derived_flops_per_iter 4.5110e18.
        XCTAssertEqual(f96, 4.5110e18, accuracy: 0.00005e18)
        // Without recomputation the blocks are 3 × forward and the logit layer stays 6·B·s·h·V:
        // F = 72·B·s·l·h²·(1 + s/(6h)) + 6·B·s·h·V = 3.38619e18.
        let noRecompute = 72 * B * s * l * h * h * (1 + s / (6 * h)) + 6 * B * s * h * V
        XCTAssertEqual(g.flopsPerToken(attention: .full) * B * s, noRecompute, accuracy: noRecompute * 1e-12)
        // The shorthand 72·B·s·l·h²·(1 + s/6h + V/16lh) scales the logit term by 3/4 too
        // (4.5·B·s·h·V), 1.5·B·s·h·V = 0.09% below.
        let f72 = 72 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h))
        XCTAssertEqual(noRecompute - f72, 1.5 * B * s * h * V, accuracy: f72 * 1e-12)
        XCTAssertEqual(f72, noRecompute, accuracy: noRecompute * 0.001)
    }

    /// One Llama-2-70B block, forward, b = 2, s = 4096: QKV 2·T·h·(h + 2·1024), scores and
    /// P·V 2·b·s²·h each, projection 2·T·h², SwiGLU 3 × 2·T·h·f; tp divides all of it.
    func testBlockFlopsClosedFormAndTensorParallelSplit() throws {
        let m = try TransformerModel.preset("llama2-70b")
        let (b, s, h, kv, f) = (2.0, 4096.0, 8192.0, 1024.0, 28672.0)
        let t = b * s
        let dense = 2 * t * h * (h + 2 * kv) + 2 * t * h * h + 3 * 2 * t * h * f
        let attention = 4 * b * s * s * h
        let c1 = try m.layerCost(1, chip: a100, microBatch: 2)
        XCTAssertEqual(c1.fwdFlops, dense + attention, accuracy: 1)
        XCTAssertEqual(c1.bwdFlops, 2 * (dense + attention), accuracy: 1)
        let c8 = try m.layerCost(1, chip: a100, microBatch: 2, tp: 8)
        XCTAssertEqual(c8.fwdFlops, (dense + attention) / 8, accuracy: 1)
        var causal = CostOptions.standard
        causal.attention = .causal
        let cc = try m.layerCost(1, chip: a100, microBatch: 2, options: causal)
        XCTAssertEqual(cc.fwdFlops, dense + attention / 2, accuracy: 1)
    }

    /// Recomputation adds forward work to the backward pass: selective re-runs Q·K^T and P·V
    /// (4·b·s²·h), full re-runs the whole block forward.
    func testRecomputeAddsForwardWork() throws {
        let m = try TransformerModel.preset("gpt3-175b")
        let none = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8)
        let sel = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8, recompute: .selective)
        let full = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8, recompute: .full)
        let core = 4 * 1 * 2048.0 * 2048 * 12288 / 8
        XCTAssertEqual(sel.recomputeFlops, core, accuracy: 1)
        XCTAssertEqual(sel.bwdFlops, 2 * none.fwdFlops + core, accuracy: 1)
        XCTAssertEqual(full.bwdFlops, 3 * none.fwdFlops, accuracy: 1)
        XCTAssertGreaterThan(full.bwdSeconds, sel.bwdSeconds)
        XCTAssertGreaterThan(sel.bwdSeconds, none.bwdSeconds)
        XCTAssertEqual(full.fwdSeconds, none.fwdSeconds)
        // The embedding and LM head are never recomputed.
        let head = try m.layerCost(97, chip: a100, microBatch: 1, tp: 8, recompute: .full)
        XCTAssertEqual(head.recomputeFlops, 0)
    }

    /// LM head forward: 2·s·h·V per sequence (b = 1), split over tp by vocabulary.
    func testLMHeadAndEmbeddingFlops() throws {
        let m = try TransformerModel.preset("llama3-8b")
        let head = try m.layerCost(kind: .lmHead, chip: a100, microBatch: 1)
        XCTAssertEqual(head.fwdFlops, 2 * 8192 * 4096 * 128256.0)
        let head4 = try m.layerCost(kind: .lmHead, chip: a100, microBatch: 3, tp: 4)
        XCTAssertEqual(head4.fwdFlops, 3 * 2 * 8192 * 4096 * 128256.0 / 4)
        XCTAssertEqual(try m.layerCost(kind: .embedding, chip: a100, microBatch: 1).fwdFlops, 0)
        // OPT-350M: 512-wide embedding projected to 1024 (2·s·512·1024) in and out.
        let opt = try TransformerModel.preset("opt-350m")
        XCTAssertEqual(try opt.layerCost(kind: .embedding, chip: a100, microBatch: 1).fwdFlops, 2 * 2048 * 512 * 1024.0)
        let projectOut: Double = 2 * 2048 * 1024 * 512, logits: Double = 2 * 2048 * 512 * 50272
        XCTAssertEqual(try opt.layerCost(kind: .lmHead, chip: a100, microBatch: 1).fwdFlops, projectOut + logits)
    }

    /// Megatron: 2 all-reduces forward and 2 backward per block, each of the s·b·h activation
    /// (Shoeybi et al. 2019 Fig. 4); with sequence parallelism each becomes a reduce-scatter plus
    /// an all-gather (Korthikanti et al. 2022 Fig. 6); full recompute repeats the forward ones.
    func testTensorParallelCollectives() throws {
        let m = try TransformerModel.preset("gpt3-175b")
        let tensor = 4 * 2048 * 12288 * 2.0             // b = 4, bf16
        let ar = try m.layerCost(1, chip: a100, microBatch: 4, tp: 8)
        XCTAssertEqual(ar.tpCollective, .allReduce)
        XCTAssertEqual([ar.tpForwardCollectives, ar.tpBackwardCollectives], [2, 2])
        XCTAssertEqual(ar.tpBytesPerCollective, tensor)
        XCTAssertEqual(ar.tpCommBytes, 4 * tensor)
        let sp = try m.layerCost(1, chip: a100, microBatch: 4, tp: 8, sequenceParallel: true)
        XCTAssertEqual(sp.tpCollective, .reduceScatterAllGather)
        XCTAssertEqual([sp.tpForwardCollectives, sp.tpBackwardCollectives], [4, 4])
        let full = try m.layerCost(1, chip: a100, microBatch: 4, tp: 8, recompute: .full)
        XCTAssertEqual([full.tpForwardCollectives, full.tpBackwardCollectives], [2, 4])
        let single = try m.layerCost(1, chip: a100, microBatch: 4, tp: 1)
        XCTAssertEqual(single.tpCollective, .none)
        XCTAssertEqual(single.tpCommBytes, 0)
        // Vocabulary-parallel embedding: one all-reduce forward; LM head: one backward.
        let emb = try m.layerCost(0, chip: a100, microBatch: 4, tp: 8)
        let head = try m.layerCost(97, chip: a100, microBatch: 4, tp: 8)
        XCTAssertEqual([emb.tpForwardCollectives, emb.tpBackwardCollectives, head.tpForwardCollectives, head.tpBackwardCollectives],
                       [1, 0, 0, 1])
    }

    /// Memory-bound bytes of a GPT-style block (documented in RooflineCost.swift), b = 1,
    /// s = 2048, h = 12288, a = 96, f = 4h, bf16, dropout, learned positions, tp = 8 without SP:
    /// norms 4·T·h·e + residuals 6·T·h·e (replicated), softmax 2·(a/t)·s²·e + dropout
    /// (a/t)·s²·(2e + 1), GELU 2·T·f·e/t.
    func testMemoryBoundBytesClosedForm() throws {
        let m = try TransformerModel.preset("gpt3-175b")
        let (T, h, s, at, e) = (2048.0, 12288.0, 2048.0, 12.0, 2.0)
        let expected = 10 * T * h * e + 2 * at * s * s * e + at * s * s * (2 * e + 1) + 2 * T * 4 * h * e / 8
        let c = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8)
        XCTAssertEqual(c.fwdBytes, expected, accuracy: 1)
        XCTAssertEqual(c.bwdBytes, 2 * expected, accuracy: 1)
        let sp = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8, sequenceParallel: true)
        XCTAssertEqual(sp.fwdBytes, expected - 10 * T * h * e * 7 / 8, accuracy: 1)
    }
}
