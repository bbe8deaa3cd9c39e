import XCTest
@testable import AmalgamCore

/// The measured-data store beyond single block points: every layer kind, interpolation
/// across tp, TP communication inside measured times, optimizer steps, the CSV form and
/// Metis profile JSON.
final class WorkloadProfileTests: XCTestCase {
    let a100 = WorkloadFixtures.a100
    let npu = WorkloadFixtures.npu

    func testEmbeddingAndHeadPointsAreMeasuredPerKind() throws {
        let m = try TransformerModel.preset("gpt3-1.3b")
        var cal = Calibration()
        try cal.add(chip: a100, model: m, kind: .embedding, microBatch: 1, fwdMs: 0.5, bwdMs: 0.9)
        try cal.add(chip: a100, model: m, kind: .lmHead, microBatch: 1, fwdMs: 4, bwdMs: 8)
        let e = try m.layerCost(kind: .embedding, chip: a100, microBatch: 1, calibration: cal)
        XCTAssertEqual(e.fwdSeconds, 0.0005); XCTAssertEqual(e.bwdSeconds, 0.0009); XCTAssertEqual(e.timing, .measured)
        let h = try m.layerCost(kind: .lmHead, chip: a100, microBatch: 1, calibration: cal)
        XCTAssertEqual(h.fwdSeconds, 0.004); XCTAssertEqual(h.timing, .measured)
        // A block of the same model has no point of its kind: the chip's ratio rescales it.
        XCTAssertEqual(try m.layerCost(kind: .block, chip: a100, microBatch: 1, calibration: cal).timing, .rescaled)
        // A model with another vocabulary does not match the embedding point.
        let other = try TransformerModel.preset("llama2-7b")
        XCTAssertEqual(try other.layerCost(kind: .embedding, chip: a100, microBatch: 1, calibration: cal).timing, .rescaled)
        // The kind must exist in the model.
        XCTAssertThrowsError(try cal.add(chip: a100, model: m, kind: .moeBlock, microBatch: 1, fwdMs: 1, bwdMs: 2))
    }

    /// Between measured tp degrees: geometric (exact for a power law t ∝ tp^-α); outside:
    /// no extrapolation, the ratio of the points at that tp or, without any, of all points.
    func testInterpolationAcrossTPIsGeometric() throws {
        let m = try TransformerModel.preset("llama2-7b")
        var cal = Calibration()
        // t(tp) = 20 ms · tp^-0.45 (A100 at TP 4 is 1.87x TP 1, as the profiles show).
        for tp in [1, 4] {
            let k = pow(Double(tp), -0.45)
            try cal.add(chip: a100, model: m, microBatch: 1, tp: tp, fwdMs: 20 * k, bwdMs: 40 * k)
        }
        let two = try m.layerCost(1, chip: a100, microBatch: 1, tp: 2, calibration: cal)
        XCTAssertEqual(two.fwdSeconds, 0.020 * pow(2, -0.45), accuracy: 1e-15)
        XCTAssertEqual(two.bwdSeconds, 0.040 * pow(2, -0.45), accuracy: 1e-15)
        XCTAssertEqual(two.timing, .interpolated)
        XCTAssertEqual(two.tpForwardCollectivesToTime, 0)      // measured times carry their TP communication
        XCTAssertEqual(two.tpBackwardCollectivesToTime, 0)
        XCTAssertGreaterThan(two.tpForwardCollectives, 0)      // the traffic is still counted
        // tp 8 is beyond the points: rescaled by every point's ratio (none is at tp 8).
        let eight = try m.layerCost(1, chip: a100, microBatch: 1, tp: 8, calibration: cal)
        XCTAssertEqual(eight.timing, .rescaled)
        XCTAssertEqual(eight.tpForwardCollectivesToTime, eight.tpForwardCollectives)
        // Micro-batch and tp together: micro-batch first at each tp, then geometric in tp.
        for tp in [1, 4] {
            let k = pow(Double(tp), -0.45)
            try cal.add(chip: a100, model: m, microBatch: 3, tp: tp, fwdMs: 50 * k, bwdMs: 100 * k)
        }
        let mixed = try m.layerCost(1, chip: a100, microBatch: 2, tp: 2, calibration: cal)
        XCTAssertEqual(mixed.fwdSeconds, 0.035 * pow(2, -0.45), accuracy: 1e-15)
    }

    /// The rescaling ratio at a tp uses the points at that tp when there are any, else tp 1's.
    func testRatiosPreferPointsAtTheQueriedTP() throws {
        let m = try TransformerModel.preset("llama2-7b")
        var cal = Calibration()
        let r1 = try m.layerCost(1, chip: a100, microBatch: 1, tp: 1)
        let r4 = try m.layerCost(1, chip: a100, microBatch: 1, tp: 4)
        try cal.add(chip: a100, model: m, microBatch: 1, tp: 1, fwdMs: r1.fwdSeconds * 1000 * 1.25, bwdMs: r1.bwdSeconds * 1000 * 1.25)
        try cal.add(chip: a100, model: m, microBatch: 1, tp: 4, fwdMs: r4.fwdSeconds * 1000 * 2, bwdMs: r4.bwdSeconds * 1000 * 2)
        let other = try TransformerModel.preset("llama2-13b")
        let at1 = try other.layerCost(1, chip: a100, microBatch: 1, tp: 1, calibration: cal)
        XCTAssertEqual(at1.fwdSeconds / (try other.layerCost(1, chip: a100, microBatch: 1, tp: 1)).fwdSeconds, 1.25, accuracy: 1e-12)
        let at4 = try other.layerCost(1, chip: a100, microBatch: 1, tp: 4, calibration: cal)
        XCTAssertEqual(at4.fwdSeconds / (try other.layerCost(1, chip: a100, microBatch: 1, tp: 4)).fwdSeconds, 2, accuracy: 1e-12)
        // The tp 4 ratio carries the communication measured with it: none is added again.
        XCTAssertEqual(at4.tpForwardCollectivesToTime, 0)
        // No point at tp 2: the tp 1 points' ratio (tp 4's would carry communication).
        let at2 = try other.layerCost(1, chip: a100, microBatch: 1, tp: 2, calibration: cal)
        XCTAssertEqual(at2.fwdSeconds / (try other.layerCost(1, chip: a100, microBatch: 1, tp: 2)).fwdSeconds, 1.25, accuracy: 1e-12)
        XCTAssertEqual(at2.tpForwardCollectivesToTime, at2.tpForwardCollectives)
        // Only tp > 1 points on a chip: other degrees stay roofline.
        var only4 = Calibration()
        try only4.add(chip: a100, model: m, microBatch: 1, tp: 4, fwdMs: 5, bwdMs: 10)
        XCTAssertEqual(try other.layerCost(1, chip: a100, microBatch: 1, tp: 1, calibration: only4).timing, .roofline)
    }

    /// A measurement at tp > 1 carries its TP communication, so it applies only to chips on
    /// the same scale-up fabric (a node group may override topology and link rate).
    func testTPPointsApplyOnlyOnTheirFabric() throws {
        let m = try TransformerModel.preset("llama2-7b")
        var cal = Calibration()
        try cal.add(chip: a100, model: m, microBatch: 1, tp: 8, fwdMs: 2, bwdMs: 4)
        XCTAssertEqual(try m.layerCost(1, chip: a100, microBatch: 1, tp: 8, calibration: cal).timing, .measured)
        var pcie = a100
        pcie.intraTopology = .pcie
        pcie.intraLinkGBs = 32
        let other = try m.layerCost(1, chip: pcie, microBatch: 1, tp: 8, calibration: cal)
        XCTAssertEqual(other.timing, .roofline)
        XCTAssertEqual(other.tpForwardCollectivesToTime, other.tpForwardCollectives)
        // A tp 1 point has no communication in it: it rescales either fabric.
        try cal.add(chip: a100, model: m, microBatch: 1, tp: 1, fwdMs: 9, bwdMs: 18)
        XCTAssertEqual(try m.layerCost(1, chip: pcie, microBatch: 1, tp: 1, calibration: cal).timing, .measured)
        XCTAssertEqual(try m.layerCost(1, chip: pcie, microBatch: 1, tp: 8, calibration: cal).timing, .rescaled)
    }

    func testOptimizerStepIsMeasuredPerParameter() throws {
        let m = try TransformerModel.preset("gpt3-1.3b")
        var options = SimulationOptions()
        let params = 1e8
        XCTAssertEqual(options.optimizerStepSeconds(params: params, chip: a100), params * 28 / a100.memBytesPerSecond)
        var cal = Calibration()
        try cal.addOptimizerStep(chip: a100, model: m, tp: 2, updateMs: 40)
        let held = try m.costTable(chip: a100, microBatch: 1, tp: 2).total.params
        XCTAssertEqual(cal.optimizerSecondsPerParam(chip: a100)!, 0.040 / held, accuracy: 1e-24)
        XCTAssertNil(cal.optimizerSecondsPerParam(chip: npu))
        options.calibration = cal
        XCTAssertEqual(options.optimizerStepSeconds(params: held / 2, chip: a100), 0.020, accuracy: 1e-15)
        XCTAssertEqual(options.optimizerStepSeconds(params: params, chip: npu), params * 28 / npu.memBytesPerSecond)
        // Two points on one chip: Σ seconds / Σ parameters.
        try cal.addOptimizerStep(chip: a100, model: m, tp: 1, updateMs: 100)
        let full = try m.costTable(chip: a100, microBatch: 1, tp: 1).total.params
        XCTAssertEqual(cal.optimizerSecondsPerParam(chip: a100)!, 0.140 / (held + full), accuracy: 1e-24)
        XCTAssertThrowsError(try cal.addOptimizerStep(chip: a100, model: m, updateMs: 0))
        XCTAssertThrowsError(try cal.addOptimizerStep(chip: a100, model: m, updateMs: .nan))
        // Times outside a picosecond .. 30 years are unit mistakes (and overflow ratios).
        XCTAssertThrowsError(try cal.addOptimizerStep(chip: a100, model: m, updateMs: 1e308))
        XCTAssertThrowsError(try cal.add(chip: a100, model: m, microBatch: 1, fwdMs: 1e-300, bwdMs: 1))
    }

    func testCSVRowsWithKindsAndOptimizer() throws {
        var cal = Calibration()
        let chip: (String) throws -> Chip = { try ChipCatalog.chip($0) }
        let model: (String) throws -> TransformerModel = { try TransformerModel.preset($0) }
        try cal.addRows([
            ["chip": "nvidia_a100_sxm4_80g", "model": "gpt3-1.3b", "micro_batch": "1", "fwd_ms": "3", "bwd_ms": "6"],
            ["chip": "nvidia_a100_sxm4_80g", "model": "gpt3-1.3b", "kind": "lm_head", "micro_batch": "1", "fwd_ms": "2", "bwd_ms": "4"],
            ["chip": "nvidia_a100_sxm4_80g", "model": "gpt3-1.3b", "kind": "optimizer", "tp": "2", "update_ms": "25"],
        ], chip: chip, model: model)
        XCTAssertEqual(cal.points.map(\.kind), [.block, .lmHead])
        XCTAssertEqual(cal.optimizerPoints.count, 1)
        XCTAssertEqual(cal.optimizerPoints[0].seconds, 0.025)
        let before = cal
        let bad: [[String: String]] = [
            ["chip": "nvidia_a100_sxm4_80g", "model": "gpt3-1.3b", "kind": "head", "micro_batch": "1", "fwd_ms": "1", "bwd_ms": "1"],
            ["chip": "nvidia_a100_sxm4_80g", "model": "gpt3-1.3b", "micro_batch": "1", "fwd_ms": "1", "bwd_ms": "1", "update_ms": "3"],
            ["chip": "nvidia_a100_sxm4_80g", "model": "gpt3-1.3b", "kind": "optimizer", "micro_batch": "1", "update_ms": "3"],
            ["chip": "nvidia_a100_sxm4_80g", "model": "gpt3-1.3b", "kind": "optimizer"],
            ["chip": "nvidia_a100_sxm4_80g", "model": "gpt3-1.3b", "fwd_ms": "1", "bwd_ms": "1"],
        ]
        let expected = ["unknown calibration kind 'head'", "update_ms belongs on an optimizer row", "takes no 'micro_batch'",
                        "missing value for 'update_ms'", "missing value for 'micro_batch'"]
        for (row, text) in zip(bad, expected) {
            XCTAssertThrowsError(try cal.addRows([row], chip: chip, model: model)) { e in
                XCTAssertTrue("\(e)".contains(text), "\(e)")
                XCTAssertTrue("\(e)".contains("calibration row 1"), "\(e)")
            }
        }
        XCTAssertEqual(cal, before)
    }

    // MARK: Metis profiles

    /// A profile in the Metis format for a model with `blocks` blocks.
    static func metisJSON(blocks: [Double], embedding: Double = 1.5, head: Double = 6, optimizer: Double? = 42) -> String {
        let layers = ([embedding] + blocks + [head]).map { "\($0)" }.joined(separator: ", ")
        let opt = optimizer.map { "\"optimizer_time_ms\": \($0), " } ?? ""
        return """
        {"model": {"model_name": "GPT", "num_layers": \(blocks.count + 2), "parameters": {"total_parameters_bytes": 1,
          "parameters_per_layer_bytes": []}},
         "execution_time": {"total_time_ms": 100, "forward_backward_time_ms": 90, "batch_generator_time_ms": 0.1,
          "layernorm_grads_all_reduce_time_ms": 0, "embedding_grads_all_reduce_time_ms": 0, \(opt)
          "layer_compute_total_ms": [\(layers)]},
         "execution_memory": {"total_memory_mb": 1, "layer_memory_total_mb": []}}
        """
    }

    func testMetisProfileBecomesPointsOfEveryKind() throws {
        let m = try TransformerModel.preset("gpt3-350m")
        let blocks = (0..<m.numLayers).map { 9.0 + Double($0 % 3) * 0.5 }    // noise around 9.5
        let profile = try MetisProfile(json: Self.metisJSON(blocks: blocks))
        XCTAssertEqual(profile.layerMs.count, m.layerCount)
        var cal = Calibration()
        XCTAssertEqual(try cal.add(profile, chip: a100, model: m, microBatch: 2, tp: 1), 4)
        let block = try m.layerCost(kind: .block, chip: a100, microBatch: 2, calibration: cal)
        let mean = blocks.reduce(0, +) / Double(blocks.count) / 1000
        XCTAssertEqual(block.fwdSeconds + block.bwdSeconds, mean, accuracy: 1e-15)
        XCTAssertEqual(block.timing, .measured)
        // Split in the roofline's forward:backward ratio.
        let roof = try m.layerCost(kind: .block, chip: a100, microBatch: 2)
        XCTAssertEqual(block.fwdSeconds / block.bwdSeconds, roof.fwdSeconds / roof.bwdSeconds, accuracy: 1e-12)
        let head = try m.layerCost(kind: .lmHead, chip: a100, microBatch: 2, calibration: cal)
        XCTAssertEqual(head.fwdSeconds + head.bwdSeconds, 0.006, accuracy: 1e-15)
        let emb = try m.layerCost(kind: .embedding, chip: a100, microBatch: 2, calibration: cal)
        XCTAssertEqual(emb.fwdSeconds + emb.bwdSeconds, 0.0015, accuracy: 1e-15)
        let held = try m.costTable(chip: a100, microBatch: 1).total.params
        XCTAssertEqual(cal.optimizerSecondsPerParam(chip: a100)!, 0.042 / held, accuracy: 1e-24)
        // The stage sum over the whole model is the profile's total.
        let total = try m.stageCost(layers: 0..<m.layerCount, chip: a100, microBatch: 2, calibration: cal)
        XCTAssertEqual(total.totalSeconds, (1.5 + blocks.reduce(0, +) + 6) / 1000, accuracy: 1e-12)
    }

    func testMetisProfileErrors() throws {
        let m = try TransformerModel.preset("gpt3-350m")
        var cal = Calibration()
        let short = try MetisProfile(json: Self.metisJSON(blocks: [9, 9]))
        XCTAssertThrowsError(try cal.add(short, chip: a100, model: m, microBatch: 1, tp: 1)) { e in
            XCTAssertTrue("\(e)".contains("the profile has 4 layers; model 'gpt3-350m' has 26"), "\(e)")
        }
        let cases: [(String, String)] = [
            ("{", "not valid JSON"), ("[1]", "expected a JSON object"), ("{}", "missing object 'execution_time'"),
            ("{\"execution_time\": {}}", "missing array 'execution_time.layer_compute_total_ms'"),
            ("{\"execution_time\": {\"layer_compute_total_ms\": [1, \"x\", 2]}}", "layer_compute_total_ms[2] must be a number > 0"),
            ("{\"execution_time\": {\"layer_compute_total_ms\": [1, -2, 2]}}", "layer_compute_total_ms[2] must be a number > 0"),
            ("{\"execution_time\": {\"layer_compute_total_ms\": [1, 2]}}", "expected the embedding, at least one block and the LM head"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try MetisProfile(json: text)) { e in XCTAssertTrue("\(e)".contains(message), "\(text): \(e)") }
        }
        XCTAssertTrue(cal.isEmpty)
        XCTAssertNil(try MetisProfile(json: Self.metisJSON(blocks: [1, 2], optimizer: nil)).optimizerMs)
    }

    func testMetisFileNameSetting() {
        XCTAssertTrue(MetisProfile.setting(fromFileName: "DeviceType.A100_tp4_bs2.json") == (4, 2))
        XCTAssertTrue(MetisProfile.setting(fromFileName: "DeviceType.H100_tp1_bs16.json") == (1, 16))
        XCTAssertTrue(MetisProfile.setting(fromFileName: "profile.json") == (nil, nil))
    }
}
