import XCTest
@testable import AmalgamCore

final class WorkloadMemoryTests: XCTestCase {
    let a100 = WorkloadFixtures.a100

    /// Korthikanti et al. 2022 (arXiv:2205.05198) §4, bytes per transformer layer (16-bit
    /// activations, 1-byte dropout masks, f = 4h, dropout on), for GPT-3 175B shapes
    /// (s = 2048, h = 12288, a = 96), micro-batch b = 2, t = 8:
    /// - no parallelism:      s·b·h·(34 + 5·a·s/h)          (eq. 1)
    /// - tensor parallel:     s·b·h·(10 + 24/t + 5·a·s/(h·t)) (eq. 2)
    /// - TP + sequence par.:  s·b·h/t·(34 + 5·a·s/h)        (eq. 4)
    /// - selective recompute drops 5·a·s/h; full recompute keeps the 2·s·b·h layer input.
    func testBlockActivationsMatchKorthikanti() throws {
        let m = try TransformerModel.preset("gpt3-175b")
        let (s, b, h, a, t) = (2048.0, 2.0, 12288.0, 96.0, 8.0)
        let sbh = s * b * h
        func act(_ tp: Int, _ r: Recompute, _ sp: Bool) throws -> Double {
            try m.layerCost(1, chip: a100, microBatch: 2, tp: tp, recompute: r, sequenceParallel: sp).activationBytes
        }
        XCTAssertEqual(try act(1, .none, false), sbh * (34 + 5 * a * s / h), accuracy: 1)
        XCTAssertEqual(try act(8, .none, false), sbh * (10 + 24 / t + 5 * a * s / (h * t)), accuracy: 1)
        XCTAssertEqual(try act(8, .none, true), sbh / t * (34 + 5 * a * s / h), accuracy: 1)
        XCTAssertEqual(try act(1, .selective, false), sbh * 34, accuracy: 1)
        XCTAssertEqual(try act(8, .selective, false), sbh * (10 + 24 / t), accuracy: 1)
        XCTAssertEqual(try act(8, .selective, true), sbh * 34 / t, accuracy: 1)
        XCTAssertEqual(try act(1, .full, false), 2 * sbh, accuracy: 1)
        XCTAssertEqual(try act(8, .full, true), 2 * sbh / t, accuracy: 1)
        // Output layer with SP (§4.3): 4·s·b·h/t·(1 + V/h); input embedding dropout mask s·b·h/t.
        let v = 50257.0
        let head = try m.layerCost(kind: .lmHead, chip: a100, microBatch: 2, tp: 8, sequenceParallel: true)
        XCTAssertEqual(head.activationBytes, 4 * sbh / t * (1 + v / h), accuracy: 1)
        let emb = try m.layerCost(kind: .embedding, chip: a100, microBatch: 2, tp: 8, sequenceParallel: true)
        XCTAssertEqual(emb.activationBytes, sbh / t, accuracy: 1e-6)
    }

    /// Without dropout (Llama) the masks and dropout output vanish: per block
    /// replicated 2·T·h·e (norm inputs) + 2·T·h·e (QKV and MLP inputs); split Q, K, V
    /// (GQA: K and V are T·h_kv), projection input, SwiGLU 3·T·f; scores a·s²·b·e.
    func testActivationsGeneraliseToGQASwiGLU() throws {
        let m = try TransformerModel.preset("llama2-70b")
        let (T, h, kv, f, a, s, e) = (4096.0, 8192.0, 1024.0, 28672.0, 64.0, 4096.0, 2.0)
        let expected = 4 * T * h * e + (2 * T * h + 2 * T * kv + 3 * T * f) * e + a * s * s * e
        XCTAssertEqual(try m.layerCost(1, chip: a100, microBatch: 1).activationBytes, expected, accuracy: 1)
    }

    /// Rajbhandari et al. 2020 (arXiv:1910.02054) §5.1 / Figure 1: Ψ = 7.5B, N_d = 64, K = 12:
    /// baseline (2 + 2 + K)·Ψ = 120 GB; P_os 4Ψ + KΨ/N_d = 31.4 GB; P_os+g 2Ψ + 14Ψ/N_d = 16.6 GB;
    /// P_os+g+p (2 + 2 + K)Ψ/N_d = 1.9 GB.
    func testZeroStagesMatchRajbhandari() throws {
        let psi = 7.5e9
        let expected = [120e9, 31.40625e9, 16.640625e9, 1.875e9]
        for zero in 0...3 {
            let b = try TrainingStateBytes.standard.perChipBytes(params: psi, zero: zero, dp: 64)
            XCTAssertEqual(b.weights + b.gradients + b.optimizer, expected[zero], accuracy: 1, "ZeRO-\(zero)")
        }
        // The paper's printed (rounded) figures.
        let printed = [120.0, 31.4, 16.6, 1.9]
        for (zero, gb) in printed.enumerated() {
            let b = try TrainingStateBytes.standard.perChipBytes(params: psi, zero: zero, dp: 64)
            XCTAssertEqual(((b.weights + b.gradients + b.optimizer) / 1e8).rounded() / 10, gb)
        }
        // fp32 gradients: 2 + 4 + 12 = 18 bytes per parameter.
        let fp32 = try TrainingStateBytes(gradient: 4)
        XCTAssertEqual(fp32.total, 18)
    }

    /// The whole-chip breakdown: Llama-2-70B, tp 8, pp 4, stage 0 (embedding + 20 blocks),
    /// dp 8 with ZeRO-1, micro-batch 1, 1F1B (4 micro-batches in flight on stage 0).
    func testMemoryBreakdownOfAStage() throws {
        let m = try TransformerModel.preset("llama2-70b")
        let (h, kv, f, v) = (8192.0, 1024.0, 28672.0, 32000.0)
        let params = v * h / 8 + 20 * ((2 * h * h + 2 * h * kv + 3 * h * f) / 8 + 2 * h)
        let mem = try m.memory(chip: a100, tp: 8, pp: 4, ppStage: 0, dp: 8, zero: 1, microBatch: 1)
        XCTAssertEqual(mem.layers, 0..<21)
        XCTAssertEqual(mem.params, params, accuracy: 1)
        XCTAssertEqual(mem.weightsBytes, 2 * params, accuracy: 1)
        XCTAssertEqual(mem.gradientsBytes, 2 * params, accuracy: 1)
        XCTAssertEqual(mem.optimizerBytes, 12 * params / 8, accuracy: 1)
        XCTAssertEqual(mem.inFlight, 4)
        let perMicroBatch = try m.stageCost(layers: 0..<21, chip: a100, microBatch: 1, tp: 8).activationBytes
        XCTAssertEqual(mem.activationsBytes, 4 * perMicroBatch, accuracy: 1)
        XCTAssertEqual(mem.overheadBytes, 2e9)
        XCTAssertEqual(mem.capacityBytes, 80e9)
        XCTAssertEqual(mem.totalBytes, mem.weightsBytes + mem.gradientsBytes + mem.optimizerBytes + mem.activationsBytes + 2e9)
        XCTAssertEqual(mem.fits, mem.totalBytes <= 80e9)
        // Explicit in-flight count and layer range.
        let three = try m.memory(chip: a100, tp: 8, microBatch: 1, layers: 0..<21, inFlight: 3)
        XCTAssertEqual(three.activationsBytes, 3 * perMicroBatch, accuracy: 1)
        // Last stage: 20 blocks + LM head (untied: its own V·h/8 matrix and the final norm).
        let last = try m.memory(chip: a100, tp: 8, pp: 4, ppStage: 3, microBatch: 1)
        XCTAssertEqual(last.layers, 61..<82)
        XCTAssertEqual(last.inFlight, 1)
        XCTAssertEqual(last.params, v * h / 8 + h + 20 * ((2 * h * h + 2 * h * kv + 3 * h * f) / 8 + 2 * h), accuracy: 1)
    }

    /// Korthikanti et al. 2022 eq. 5 (first stage, 1F1B, TP + SP + selective recompute):
    /// p micro-batches in flight, each holding (L/p)·34·s·b·h/t plus the embedding's s·b·h/t mask.
    func testFirstStageActivationsWithPipeline() throws {
        let m = try TransformerModel.preset("gpt3-175b")
        let (s, b, h, t, p, L) = (2048.0, 1.0, 12288.0, 8.0, 12.0, 96.0)
        let mem = try m.memory(chip: a100, tp: 8, pp: 12, ppStage: 0, microBatch: 1, recompute: .selective, sequenceParallel: true)
        XCTAssertEqual(mem.activationsBytes, p * ((L / p) * 34 * s * b * h / t + s * b * h / t), accuracy: 1)
    }

    func testTiedEmbeddingCopyOnLastStage() throws {
        let m = try TransformerModel.preset("gpt3-175b")
        let last = try m.memory(chip: a100, tp: 8, pp: 2, ppStage: 1, microBatch: 1)
        let lastLayers = try m.stageCost(layers: last.layers, chip: a100, microBatch: 1, tp: 8)
        XCTAssertEqual(last.params, lastLayers.params + 50257 * 12288 / 8.0, accuracy: 1)
        let whole = try m.memory(chip: a100, microBatch: 1)
        XCTAssertEqual(whole.params, Double(m.params), accuracy: 1)
    }

    /// Brute force: for every depth 1...12 and pp 1...depth the stages tile 0..<L+2 in order,
    /// block counts differ by at most one.
    func testStagesTileTheModel() throws {
        for l in 1...12 {
            let m = try TransformerModel(layers: l, hidden: 64, heads: 4, vocab: 100, seqLen: 16)
            for pp in 1...l {
                var next = 0
                var blocks: [Int] = []
                for k in 0..<pp {
                    let r = try m.stageLayers(pp: pp, stage: k)
                    XCTAssertEqual(r.lowerBound, next)
                    next = r.upperBound
                    blocks.append(r.count - (k == 0 ? 1 : 0) - (k == pp - 1 ? 1 : 0))
                }
                XCTAssertEqual(next, l + 2)
                XCTAssertEqual(blocks.reduce(0, +), l)
                XCTAssertLessThanOrEqual((blocks.max() ?? 0) - (blocks.min() ?? 0), 1)
                XCTAssertTrue(blocks.allSatisfy { $0 >= 1 })
            }
        }
    }

    func testInFlightMicroBatches() throws {
        XCTAssertEqual(try PipelineKind.oneFOneB.inFlight(stage: 0, pp: 8, microBatches: 32), 8)
        XCTAssertEqual(try PipelineKind.oneFOneB.inFlight(stage: 7, pp: 8, microBatches: 32), 1)
        XCTAssertEqual(try PipelineKind.oneFOneB.inFlight(stage: 0, pp: 8, microBatches: 3), 3)
        XCTAssertEqual(try PipelineKind.gpipe.inFlight(stage: 5, pp: 8, microBatches: 32), 32)
        XCTAssertThrowsError(try PipelineKind.gpipe.inFlight(stage: 8, pp: 8, microBatches: 32))
        XCTAssertThrowsError(try PipelineKind.gpipe.inFlight(stage: 0, pp: 8, microBatches: 0))
    }
}
