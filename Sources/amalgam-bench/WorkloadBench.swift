import AmalgamCore

/// Workload model speed on Llama-3 405B across every valid tensor-parallel degree, against a
/// baseline trivial loop (one opaque call per iteration) measured in the same run.
///
/// Suites: single block cost (`layerCost`), per-chip memory (`memory`, 16 pipeline stages),
/// building a cost table, and O(1) stage sums from a built table (what the planner calls most).
func workloadBench() {
    // A100 SXM4 80GB figures (NVIDIA datasheet); built here so the bench does not depend on the catalog.
    let chip = Chip(id: "nvidia_a100_sxm4_80g", vendor: "NVIDIA", name: "A100 SXM4 80GB", bf16Tflops: 312, memGB: 80,
                    memBwGBs: 2039, intraLinkGBs: 600, intraTopology: .switch, nicGbps: 200, source: "NVIDIA A100 datasheet")
    guard let model = try? TransformerModel.preset("llama3-405b") else { print("llama3-405b preset missing"); return }
    let tps = [1, 2, 4, 8]
    let microBatches = Array(1...8)
    let evaluations = tps.count * microBatches.count

    // Baseline: a trivial loop evaluating Megatron's one-line block FLOP formula
    // (24·b·s·h² + 4·b·s²·h)/t over the same (tp, micro-batch) grid; the sum is printed so the
    // optimiser cannot drop the loop.
    let h = Double(model.hidden), s = Double(model.seqLen)
    var acc = 0.0
    let baseline = bestSeconds(repeats: 20) {
        for _ in 0..<1000 {
            for tp in tps {
                for b in microBatches { acc += (24 * Double(b) * s * h * h + 4 * Double(b) * s * s * h) / Double(tp) }
            }
        }
    } / Double(1000 * evaluations)
    print(String(format: "baseline (one-line FLOP formula): %.2f ns/eval (checksum %.3e)", baseline * 1e9, acc))

    func report(_ name: String, _ perEval: Double) {
        print(String(format: "%@: %.0f ns/eval, %.2fM eval/s, %.0fx baseline", name, perEval * 1e9, 1 / perEval / 1e6, perEval / baseline))
    }

    let blockCost = bestSeconds(repeats: 5) {
        for _ in 0..<100 {
            for tp in tps {
                for b in microBatches { blackHole(try? model.layerCost(kind: .block, chip: chip, microBatch: b, tp: tp)) }
            }
        }
    } / Double(100 * evaluations)
    report("layerCost(block), 405B, tp 1-8 x mb 1-8", blockCost)

    let memory = bestSeconds(repeats: 5) {
        for _ in 0..<10 {
            for tp in tps {
                for b in microBatches {
                    blackHole(try? model.memory(chip: chip, tp: tp, pp: 16, ppStage: b % 16, dp: 8, zero: 1, microBatch: b,
                                                recompute: .selective, sequenceParallel: tp > 1))
                }
            }
        }
    } / Double(10 * evaluations)
    report("memory(stage), 405B pp 16", memory)

    let table = bestSeconds(repeats: 5) {
        for _ in 0..<10 {
            for tp in tps {
                for b in microBatches { blackHole(try? model.costTable(chip: chip, microBatch: b, tp: tp)) }
            }
        }
    } / Double(10 * evaluations)
    report("costTable build (128 layers)", table)

    guard let built = try? model.costTable(chip: chip, microBatch: 1, tp: 8) else { return }
    let n = model.layerCount
    var ranges: [Range<Int>] = []
    for lo in stride(from: 0, to: n, by: 3) { for hi in stride(from: lo + 1, through: n, by: 5) { ranges.append(lo..<hi) } }
    let stage = bestSeconds(repeats: 5) {
        for r in ranges { blackHole(try? built.cost(layers: r)) }
    } / Double(ranges.count)
    report("stage sum from table (\(ranges.count) ranges)", stage)
    if let total = try? built.cost(layers: 0..<n) {
        print(String(format: "check: 405B tp8 mb1, all 128 layers: fwd %.1f ms, bwd %.1f ms, %.3e fwd FLOP per chip",
                     total.fwdSeconds * 1e3, total.bwdSeconds * 1e3, total.fwdFlops))
    }
}
