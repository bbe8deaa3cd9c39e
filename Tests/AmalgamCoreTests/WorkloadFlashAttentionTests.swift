import XCTest
@testable import AmalgamCore

final class WorkloadFlashAttentionTests: XCTestCase {
    /// Fused attention on GPT-3 175B shapes (b = 1, s = 2048, h = 12288, a = 96, t = 8, no SP):
    /// activations are the selective-recompute ones, s·b·h·(10 + 24/t), plus the fp32
    /// log-sum-exp 4·b·(a/t)·s; forward bytes lose the softmax/dropout s² terms and gain the
    /// kernel IO (2·T·h + 2·T·h)·e/t; the backward re-runs Q·K^T (2·b·s²·h/t).
    func testFlashAttentionAccounting() throws {
        let m = try TransformerModel.preset("gpt3-175b")
        let a100 = WorkloadFixtures.a100
        var flash = CostOptions.standard
        flash.flashAttention = true
        let (s, b, h, a, t, e) = (2048.0, 1.0, 12288.0, 96.0, 8.0, 2.0)
        let sbh = s * b * h, tokens = s * b
        let c = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8, options: flash)
        let plain = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8)
        XCTAssertEqual(c.activationBytes, sbh * (10 + 24 / t) + 4 * b * (a / t) * s, accuracy: 1)
        let scores = b * (a / t) * s * s
        let softmax = 2 * scores * e + scores * (2 * e + 1)
        XCTAssertEqual(c.fwdBytes, plain.fwdBytes - softmax + 4 * tokens * h * e / t, accuracy: 1)
        XCTAssertEqual(c.fwdFlops, plain.fwdFlops)
        XCTAssertEqual(c.recomputeFlops, 2 * b * s * s * h / t, accuracy: 1)
        // Selective recompute adds nothing on top of a fused kernel.
        let sel = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8, recompute: .selective, options: flash)
        XCTAssertEqual(sel.recomputeFlops, c.recomputeFlops)
        XCTAssertEqual(sel.activationBytes, c.activationBytes)
        XCTAssertLessThan(c.fwdSeconds, plain.fwdSeconds)
    }
}
