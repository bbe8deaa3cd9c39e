import XCTest
@testable import AmalgamCore

final class WorkloadTimingTests: XCTestCase {
    let a100 = WorkloadFixtures.a100

    func testEfficiencyCurve() throws {
        let c = try EfficiencyCurve(halfDimension: 64)
        XCTAssertEqual(c.efficiency(maxEfficiency: 0.8, smallestDimension: 64), 0.4)
        XCTAssertEqual(c.efficiency(maxEfficiency: 0.8, smallestDimension: 192), 0.6, accuracy: 1e-15)
        XCTAssertEqual(try EfficiencyCurve(halfDimension: 0).efficiency(maxEfficiency: 0.7, smallestDimension: 5), 0.7)
        XCTAssertEqual(EfficiencyCurve.standard.halfDimension, 64)
    }

    /// A small block timed by hand: h = 256, a = 4 (d = 64), f = 1024 GELU, s = 128, b = 2,
    /// no dropout, learned positions, T = 256 tokens. GEMMs (flops; smallest dimension):
    /// QKV 2·T·h·3h (256), Q·K^T and P·V 2·b·s²·h each (d = 64), projection 2·T·h² (256),
    /// MLP 2 × 2·T·h·f (256). Bytes: norms 4·T·h·e, residuals 6·T·h·e, softmax 2·b·a·s²·e, GELU 2·T·f·e.
    func testRooflineTimeByHand() throws {
        let m = try TransformerModel(layers: 2, hidden: 256, ffnHidden: 1024, heads: 4, vocab: 1000, seqLen: 128,
                                     position: .learned, dropout: false)
        let (T, h, f, s, b, a, e) = (256.0, 256.0, 1024.0, 128.0, 2.0, 4.0, 2.0)
        let peak = 312e12, effMax = 0.75
        func eff(_ n: Double) -> Double { effMax * n / (n + 64) }
        let big = 2 * T * h * 3 * h + 2 * T * h * h + 2 * 2 * T * h * f
        let attn = 2 * 2 * b * s * s * h
        let gemmSeconds = big / (peak * eff(256)) + attn / (peak * eff(64))
        let bytes = 4 * T * h * e + 6 * T * h * e + 2 * b * a * s * s * e + 2 * T * f * e
        let c = try m.layerCost(1, chip: a100, microBatch: 2)
        XCTAssertEqual(c.fwdFlops, big + attn)
        XCTAssertEqual(c.fwdBytes, bytes)
        // Roofline time over the framework efficiency (0.79 by default).
        let framework = CostOptions.standard.frameworkEfficiency
        XCTAssertEqual(framework, 0.79)
        XCTAssertEqual(c.fwdSeconds, (gemmSeconds + bytes / 2039e9) / framework, accuracy: 1e-18)
        XCTAssertEqual(c.bwdSeconds, 2 * c.fwdSeconds, accuracy: 1e-18)
        // A flat curve gives pure peak × effMax.
        var flat = CostOptions.standard
        flat.curve = try EfficiencyCurve(halfDimension: 0)
        flat.frameworkEfficiency = 1
        let cf = try m.layerCost(1, chip: a100, microBatch: 2, options: flat)
        XCTAssertEqual(cf.fwdSeconds, (big + attn) / (peak * effMax) + bytes / 2039e9, accuracy: 1e-18)
    }

    /// A per-chip curve replaces the shared one for that chip only.
    func testPerChipCurve() throws {
        let m = try TransformerModel.preset("llama2-7b")
        var opts = CostOptions.standard
        opts.curveByChip[a100.id] = try EfficiencyCurve(halfDimension: 0)
        let flat = try m.layerCost(1, chip: a100, microBatch: 1, options: opts)
        let c = try m.layerCost(1, chip: a100, microBatch: 1)
        XCTAssertLessThan(flat.fwdSeconds, c.fwdSeconds)
        var flatAll = CostOptions.standard
        flatAll.curve = try EfficiencyCurve(halfDimension: 0)
        XCTAssertEqual(flat, try m.layerCost(1, chip: a100, microBatch: 1, options: flatAll))
        let npu = WorkloadFixtures.npu
        XCTAssertEqual(try m.layerCost(1, chip: npu, microBatch: 1, options: opts), try m.layerCost(1, chip: npu, microBatch: 1))
    }

    /// Efficiency falls for small GEMMs, so time per token falls with micro-batch and rises
    /// per FLOP with tensor parallelism.
    func testSmallGEMMsAreSlowerPerFlop() throws {
        let m = try TransformerModel.preset("llama3-8b").withSeqLen(64)
        let one = try m.layerCost(1, chip: a100, microBatch: 1)
        let eight = try m.layerCost(1, chip: a100, microBatch: 8)
        XCTAssertLessThan(eight.fwdSeconds / 8, one.fwdSeconds)
        let tp8 = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8)
        XCTAssertGreaterThan(tp8.fwdSeconds * 8, one.fwdSeconds)
    }

    /// The O(1) range sums equal a brute-force sum of single-layer costs, for a model whose
    /// MoE blocks alternate with dense ones.
    func testRangeSumsMatchBruteForce() throws {
        let m = try TransformerModel(layers: 7, hidden: 128, ffnKind: .swiglu, heads: 8, kvHeads: 2, vocab: 500, seqLen: 64,
                                     moe: MoEConfig(experts: 4, topK: 2, expertFFN: 256, every: 2, firstLayer: 1))
        let table = try m.costTable(chip: a100, microBatch: 3, tp: 2, recompute: .selective, sequenceParallel: true)
        for lo in 0..<m.layerCount {
            for hi in (lo + 1)...m.layerCount {
                var brute = LayerCost.zero
                for i in lo..<hi { brute = brute + (try m.layerCost(i, chip: a100, microBatch: 3, tp: 2, recompute: .selective,
                                                                     sequenceParallel: true)) }
                let fast = try table.cost(layers: lo..<hi)
                XCTAssertEqual(fast.layers, brute.layers)
                XCTAssertEqual(fast.fwdFlops, brute.fwdFlops, accuracy: brute.fwdFlops * 1e-12)
                XCTAssertEqual(fast.bwdSeconds, brute.bwdSeconds, accuracy: brute.bwdSeconds * 1e-12)
                XCTAssertEqual(fast.activationBytes, brute.activationBytes, accuracy: brute.activationBytes * 1e-12)
                XCTAssertEqual(fast.params, brute.params, accuracy: 1e-6)
                XCTAssertEqual(fast.tpForwardCollectives, brute.tpForwardCollectives)
            }
        }
        XCTAssertEqual(table.total.params, Double(try (0..<m.layerCount).map { try m.params(ofLayer: $0, tp: 2) }.reduce(0, +)))
        XCTAssertThrowsError(try table.cost(layers: 3..<3))
    }

    /// MoE block: router 2·T·h·E plus top-k experts' SwiGLU 3 × 2·T·h·f_e; attention as dense.
    func testMoEBlockFlops() throws {
        let mix = try TransformerModel.preset("mixtral-8x7b").withSeqLen(4096)
        let (T, h, kv, fe, s) = (4096.0, 4096.0, 1024.0, 14336.0, 4096.0)
        let expected = 2 * T * h * (h + 2 * kv) + 4 * s * s * h + 2 * T * h * h + 2 * T * h * 8 + 2 * 3 * 2 * T * h * fe
        XCTAssertEqual(try mix.layerCost(kind: .moeBlock, chip: a100, microBatch: 1).fwdFlops, expected, accuracy: 1)
    }

    func testRowsTable() throws {
        let m = try TransformerModel.preset("gpt3-125m")
        let t = try m.rows(chip: a100, microBatch: 2, tp: 2)
        XCTAssertEqual(t.columns, TransformerModel.layerTableColumns)
        XCTAssertEqual(t.rows.count, 14)
        XCTAssertTrue(t.rows.allSatisfy { $0.count == t.columns.count })
        XCTAssertEqual(t.rows[0][1], .text("embedding"))
        XCTAssertEqual(t.rows[13][1], .text("lm_head"))
        let c = try m.layerCost(5, chip: a100, microBatch: 2, tp: 2)
        XCTAssertEqual(t.rows[5][0], .integer(5))
        XCTAssertEqual(t.rows[5][t.columns.firstIndex(of: "fwd_s") ?? -1], .number(c.fwdSeconds))
        XCTAssertEqual(t.rows[5][t.columns.firstIndex(of: "tp_comm_bytes") ?? -1], .number(c.tpCommBytes))
    }
}
