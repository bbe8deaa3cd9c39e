import XCTest
@testable import AmalgamCore

final class WorkloadCalibrationTests: XCTestCase {
    let a100 = WorkloadFixtures.a100
    let npu = WorkloadFixtures.npu

    private func analytical(_ m: TransformerModel, _ chip: Chip, b: Int, tp: Int = 1, kind: LayerKind = .block) throws -> LayerCost {
        try m.layerCost(kind: kind, chip: chip, microBatch: b, tp: tp)
    }

    func testSinglePointReproducesItselfAndRescalesTheChip() throws {
        let llama = try TransformerModel.preset("llama2-7b")
        var cal = Calibration()
        try cal.add(chip: a100, model: llama, microBatch: 2, tp: 1, fwdMs: 30, bwdMs: 70)

        let own = try llama.layerCost(1, chip: a100, microBatch: 2, calibration: cal)
        XCTAssertEqual(own.fwdSeconds, 0.030)
        XCTAssertEqual(own.bwdSeconds, 0.070)
        XCTAssertEqual(own.timing, .measured)

        let base = try analytical(llama, a100, b: 2)
        let rf = 0.030 / base.fwdSeconds, rb = 0.070 / base.bwdSeconds
        // Other micro-batches, tp degrees, models and layer kinds on the A100: same ratios.
        let others: [(TransformerModel, Int, Int, LayerKind)] = [
            (llama, 1, 1, .block), (llama, 8, 1, .block), (llama, 2, 4, .block), (llama, 2, 1, .lmHead),
            (try TransformerModel.preset("llama2-70b"), 1, 8, .block), (try TransformerModel.preset("gpt3-175b"), 1, 8, .block),
            (try TransformerModel.preset("mixtral-8x7b"), 1, 2, .moeBlock),
        ]
        for (m, b, tp, kind) in others {
            let c = try m.layerCost(kind: kind, chip: a100, microBatch: b, tp: tp, calibration: cal)
            let a = try analytical(m, a100, b: b, tp: tp, kind: kind)
            XCTAssertEqual(c.fwdSeconds / a.fwdSeconds, rf, accuracy: rf * 1e-12, "\(m.name) b=\(b) tp=\(tp)")
            XCTAssertEqual(c.bwdSeconds / a.bwdSeconds, rb, accuracy: rb * 1e-12, "\(m.name) b=\(b) tp=\(tp)")
            XCTAssertEqual(c.timing, .rescaled)
            XCTAssertEqual(c.fwdFlops, a.fwdFlops)               // work is not changed, only time
        }
        // Another chip type is untouched.
        let other = try llama.layerCost(1, chip: npu, microBatch: 2, calibration: cal)
        XCTAssertEqual(other, try analytical(llama, npu, b: 2))
        XCTAssertEqual(other.timing, .roofline)
    }

    /// Two micro-batch points of the same key: linear between them, proportional beyond.
    func testInterpolationAcrossMicroBatches() throws {
        let m = try TransformerModel.preset("llama2-7b")
        var cal = Calibration()
        try cal.add(chip: a100, model: m, microBatch: 2, fwdMs: 20, bwdMs: 50)
        try cal.add(chip: a100, model: m, microBatch: 4, fwdMs: 36, bwdMs: 90)
        let mid = try m.layerCost(1, chip: a100, microBatch: 3, calibration: cal)
        XCTAssertEqual(mid.fwdSeconds, 0.028, accuracy: 1e-15)
        XCTAssertEqual(mid.bwdSeconds, 0.070, accuracy: 1e-15)
        XCTAssertEqual(mid.timing, .interpolated)
        let above = try m.layerCost(1, chip: a100, microBatch: 8, calibration: cal)
        XCTAssertEqual(above.fwdSeconds, 0.036 * 8 / 4, accuracy: 1e-15)
        let below = try m.layerCost(1, chip: a100, microBatch: 1, calibration: cal)
        XCTAssertEqual(below.bwdSeconds, 0.050 / 2, accuracy: 1e-15)
        // A different tp has no points of its own: the chip's geometric-mean ratio applies.
        let tp2 = try m.layerCost(1, chip: a100, microBatch: 2, tp: 2, calibration: cal)
        let r2 = 0.020 / (try analytical(m, a100, b: 2)).fwdSeconds, r4 = 0.036 / (try analytical(m, a100, b: 4)).fwdSeconds
        XCTAssertEqual(tp2.fwdSeconds, (try analytical(m, a100, b: 2, tp: 2)).fwdSeconds * (r2 * r4).squareRoot(), accuracy: 1e-15)
        // Re-measuring a point replaces it.
        try cal.add(chip: a100, model: m, microBatch: 2, fwdMs: 22, bwdMs: 50)
        XCTAssertEqual(cal.points.count, 2)
        XCTAssertEqual(try m.layerCost(1, chip: a100, microBatch: 2, calibration: cal).fwdSeconds, 0.022)
    }

    /// Measured points feed stage sums (the planner's entry point).
    func testStageCostUsesCalibration() throws {
        let m = try TransformerModel.preset("llama2-7b")
        var cal = Calibration()
        try cal.add(chip: a100, model: m, microBatch: 1, fwdMs: 10, bwdMs: 20)
        let stage = try m.stageCost(layers: 1..<11, chip: a100, microBatch: 1, calibration: cal)
        XCTAssertEqual(stage.fwdSeconds, 0.1, accuracy: 1e-12)
        XCTAssertEqual(stage.bwdSeconds, 0.2, accuracy: 1e-12)
        XCTAssertEqual(stage.timing, .measured)
        let withHead = try m.stageCost(layers: 30..<34, chip: a100, microBatch: 1, calibration: cal)
        XCTAssertEqual(withHead.timing, .mixed)
    }

    private func resolveChip(_ id: String) throws -> Chip {
        switch id {
        case a100.id: return a100
        case npu.id: return npu
        default: throw AmalgamError.unknown("chip", id, among: [a100.id, npu.id])
        }
    }

    func testRowsLoadAndAreUsed() throws {
        let rows: [[String: String]] = [
            ["chip": "nvidia_a100_sxm4_80g", "model": "llama2-7b", "micro_batch": "1", "tp": "1", "fwd_ms": "12.5", "bwd_ms": "25"],
            ["chip": "test_npu", "model": "llama2-7b", "micro_batch": "1", "tp": "2", "recompute": "selective",
             "sequence_parallel": "true", "fwd_ms": "9", "bwd_ms": "21"],
            ["chip": "test_npu", "model": "gpt3-1.3b", "micro_batch": "4", "seq": "1024", "fwd_ms": "5", "bwd_ms": "11"],
        ]
        var cal = Calibration()
        try cal.addRows(rows, firstRowNumber: 2, chip: resolveChip, model: TransformerModel.preset)
        XCTAssertEqual(cal.points.count, 3)
        let m = try TransformerModel.preset("llama2-7b")
        XCTAssertEqual(try m.layerCost(1, chip: a100, microBatch: 1, calibration: cal).fwdSeconds, 0.0125)
        let onNPU = try m.layerCost(1, chip: npu, microBatch: 1, tp: 2, recompute: .selective, sequenceParallel: true, calibration: cal)
        XCTAssertEqual(onNPU.bwdSeconds, 0.021)
        let gpt = try TransformerModel.preset("gpt3-1.3b").withSeqLen(1024)
        XCTAssertEqual(try gpt.layerCost(1, chip: npu, microBatch: 4, calibration: cal).fwdSeconds, 0.005)
        // The preset's own seq (2048) is a different key: rescaled, not measured.
        XCTAssertEqual(try TransformerModel.preset("gpt3-1.3b").layerCost(1, chip: npu, microBatch: 4, calibration: cal).timing, .rescaled)
    }

    func testBadRowsAreRejectedWithRowNumbers() throws {
        let good = ["chip": "nvidia_a100_sxm4_80g", "model": "llama2-7b", "micro_batch": "1", "fwd_ms": "1", "bwd_ms": "2"]
        func failure(_ bad: [String: String]) -> String {
            var cal = Calibration()
            do {
                try cal.addRows([good, good, bad], firstRowNumber: 2, chip: resolveChip, model: TransformerModel.preset)
                return "no error"
            } catch {
                XCTAssertTrue(cal.points.isEmpty, "a failed load must leave the store unchanged")
                return (error as? AmalgamError)?.message ?? "\(error)"
            }
        }
        var bad = good
        bad["micro_batch"] = "0"
        XCTAssertEqual(failure(bad), "calibration row 4: micro_batch must be >= 1, got 0")
        bad = good; bad["fwd_ms"] = "-3"
        XCTAssertEqual(failure(bad), "calibration row 4: fwd_ms must be a number > 0, got -3.0")
        bad = good; bad["bwd_ms"] = "fast"
        XCTAssertEqual(failure(bad), "calibration row 4: bwd_ms must be a number, got 'fast'")
        bad = good; bad["tp"] = "3"
        XCTAssertEqual(failure(bad), "calibration row 4: tp (3) must divide heads (32) of model 'llama2-7b'")
        bad = good; bad["chip"] = "a100"
        XCTAssertTrue(failure(bad).hasPrefix("calibration row 4: unknown chip 'a100' (did you mean 'nvidia_a100_sxm4_80g'"))
        bad = good; bad["model"] = "llama-7b"
        XCTAssertTrue(failure(bad).hasPrefix("calibration row 4: unknown model 'llama-7b'"))
        bad = good; bad["fwd_msec"] = "1"
        XCTAssertTrue(failure(bad).hasPrefix("calibration row 4: unknown calibration column 'fwd_msec' (did you mean 'fwd_ms'"))
        bad = good; bad.removeValue(forKey: "bwd_ms")
        XCTAssertEqual(failure(bad), "calibration row 4: missing value for 'bwd_ms'")
        bad = good; bad["sequence_parallel"] = "maybe"
        XCTAssertEqual(failure(bad), "calibration row 4: sequence_parallel must be true or false, got 'maybe'")
        bad = good; bad["recompute"] = "partial"
        XCTAssertTrue(failure(bad).hasPrefix("calibration row 4: unknown recompute mode 'partial'"))
        bad = good; bad["micro_batch"] = "1.5"
        XCTAssertEqual(failure(bad), "calibration row 4: micro_batch must be an integer, got '1.5'")
    }

    func testDirectEntryValidation() throws {
        let m = try TransformerModel.preset("llama2-7b")
        var cal = Calibration()
        XCTAssertThrowsError(try cal.add(chip: a100, model: m, microBatch: 0, fwdMs: 1, bwdMs: 1))
        XCTAssertThrowsError(try cal.add(chip: a100, model: m, microBatch: 1, fwdMs: .nan, bwdMs: 1))
        XCTAssertThrowsError(try cal.add(chip: a100, model: m, microBatch: 1, fwdMs: 1, bwdMs: 0))
        XCTAssertTrue(cal.points.isEmpty)
    }
}
