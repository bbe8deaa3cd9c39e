import AmalgamCore
import Foundation

/// Planner kernels at the sizes a big mixed cluster needs, each against a trivial
/// baseline loop over the same input measured in the same run:
/// - batch split of 4,096 micro-batches over 1,024 replicas of 4 chip types (fast
///   bisection path and heap path) vs. one proportional-share pass over the replicas;
/// - layer split of 128 layers over 64 stages of 4 chip types with 1F1B memory limits
///   vs. one pass evaluating every single-layer stage cost once;
/// - stage order of 8 groups (exhaustive) over 64 layers, for scale.
func plannerKernelBench() {
    if CommandLine.arguments.contains("--headline") { autoPlannerBench(); return }
    // Four chip types: per-micro-batch seconds, fixed seconds, memory cap. Assumed
    // figures of plausible relative speed (A100/H100/910B/H20-like), not measured.
    let kinds: [(per: Double, fixed: Double, cap: Int)] = [(0.110, 0.020, 6), (0.045, 0.015, 4), (0.095, 0.030, 8), (0.160, 0.010, 12)]
    let replicas = (0..<1024).map { r in
        ReplicaTime(perMicrobatchSeconds: kinds[r % 4].per, fixedSeconds: kinds[r % 4].fixed, maxMicrobatches: kinds[r % 4].cap)
    }
    let total = 4096
    let baselineBatch = bestSeconds(repeats: 20) {
        var speed = 0.0
        for x in replicas { speed += 1 / x.perMicrobatchSeconds }
        var shares = [Int](repeating: 0, count: replicas.count)
        for (r, x) in replicas.enumerated() { shares[r] = Int(Double(total) / x.perMicrobatchSeconds / speed) }
        blackHole(shares)
    }
    var fastResult: BatchSplitResult? = nil
    let fast = bestSeconds(repeats: 20) { fastResult = try? BatchSplit.split(microbatches: total, replicas: replicas) }
    var heapResult: BatchSplitResult? = nil
    let heap = bestSeconds(repeats: 20) { heapResult = try? BatchSplit.splitGreedy(microbatches: total, replicas: replicas) }
    guard let fastResult, let heapResult, fastResult == heapResult else { print("batch split failed or paths disagree"); return }
    print(String(format: "batch split 4096 mb / 1024 replicas: baseline %.2e s, bisection %.2e s (%.0fx), heap %.2e s (%.0fx); bottleneck %.3f s",
                 baselineBatch, fast, fast / baselineBatch, heap, heap / baselineBatch, fastResult.bottleneckSeconds))
    // The bisection's cost does not grow with the batch; the heap's does (M log R).
    let roomy = replicas.map { ReplicaTime(perMicrobatchSeconds: $0.perMicrobatchSeconds, fixedSeconds: $0.fixedSeconds, maxMicrobatches: 4096) }
    let big = 1 << 20
    let fastBig = bestSeconds(repeats: 5) { blackHole(try? BatchSplit.split(microbatches: big, replicas: roomy)) }
    let heapBig = bestSeconds(repeats: 1) { blackHole(try? BatchSplit.splitGreedy(microbatches: big, replicas: roomy)) }
    print(String(format: "batch split 1,048,576 mb / 1024 replicas: bisection %.2e s (%.0fx baseline), heap %.2e s (%.0fx)",
                 fastBig, fastBig / baselineBatch, heapBig, heapBig / baselineBatch))

    // 128 layers, 64 stages; stage s is chip type s % 4. 1F1B: stage s holds 64 − s
    // micro-batches of activations. Per-layer figures are assumptions of plausible scale.
    let L = 128, S = 64
    let speeds = [1.0, 2.3, 0.8, 0.55]
    let capacity = [80e9, 80e9, 64e9, 96e9]
    let layerBase = (0..<L).map { l in l == 0 || l == L - 1 ? 0.004 : 0.010 }
    let table: StageCostTable
    do {
        table = try StageCostTable(
            layerSeconds: (0..<S).map { s in layerBase.map { $0 / speeds[s % 4] } },
            fixedSeconds: (0..<S).map { _ in 0.002 },
            boundarySeconds: (0..<S).map { _ in 0.001 },
            layerBytes: (0..<S).map { s in (0..<L).map { _ in 4e9 + Double(S - s) * 0.35e9 } },
            fixedBytes: (0..<S).map { _ in 2e9 },
            capacityBytes: (0..<S).map { capacity[$0 % 4] })
    } catch { print("layer split table: \(error)"); return }
    // Baseline: every single-layer stage cost evaluated once (S·L look-ups); the
    // round counter keeps the optimiser from hoisting the pass out of the timing.
    var round = 0
    let baselineLayers = bestSeconds(repeats: 20) {
        round += 1
        var sum = Double(round)
        for s in 0..<S { for l in 0..<L { sum += table.seconds(stage: s, layers: l..<(l + 1)) } }
        blackHole(sum)
    }
    var split: LayerSplitResult? = nil
    let layerTime = bestSeconds(repeats: 10) { split = try? LayerSplit.split(table) }
    let closureTime = bestSeconds(repeats: 3) {
        blackHole(try? LayerSplit.split(layers: L, stages: S, seconds: { table.seconds(stage: $0, layers: $1) },
                                        fits: { table.fits(stage: $0, layers: $1) }))
    }
    guard let split else { print("layer split failed"); return }
    print(String(format: "layer split 128 layers / 64 stages: baseline %.2e s, table %.2e s (%.0fx), closures %.2e s (%.0fx); bottleneck %.4f s, %d memory-bound stages",
                 baselineLayers, layerTime, layerTime / baselineLayers, closureTime, closureTime / baselineLayers,
                 split.bottleneckSeconds, split.binding.filter { $0 == .memory }.count))

    // Stage order: 8 groups of 4 types (2 each), 64 layers, exhaustive.
    let G = 8, orderLayers = 64
    do {
        let groups = try GroupCostTable(
            layerSeconds: (0..<G).map { g in (0..<orderLayers).map { _ in 0.010 / speeds[g % 4] } },
            layerWeightBytes: (0..<G).map { _ in (0..<orderLayers).map { _ in 1e9 } },
            layerActivationBytes: (0..<G).map { _ in (0..<orderLayers).map { _ in 0.4e9 } },
            capacityBytes: (0..<G).map { capacity[$0 % 4] })
        var result: StageOrderResult? = nil
        let t = bestSeconds(repeats: 3) { result = try? StageOrder.optimize(groups) }
        if let result {
            print(String(format: "stage order 8 groups / 64 layers (exhaustive): %.2e s, %d orders evaluated, bottleneck %.4f s",
                         t, result.ordersEvaluated, result.split.bottleneckSeconds))
        } else { print("stage order failed") }
    } catch { print("stage order table: \(error)") }

    // Worst cases for ordering: 8 all-distinct groups (no symmetry) and 64 groups
    // (heuristic), 128 layers each.
    for (groups, label) in [(8, "8 distinct groups (exhaustive)"), (64, "64 groups (heuristic)")] {
        do {
            let t = try GroupCostTable(
                layerSeconds: (0..<groups).map { g -> [Double] in
                    let perLayer: Double = 0.010 / (speeds[g % 4] * (1 + Double(g) / 64))
                    return [Double](repeating: perLayer, count: L)
                },
                layerWeightBytes: [[Double]](repeating: [Double](repeating: 0.5e9, count: L), count: groups),
                layerActivationBytes: [[Double]](repeating: [Double](repeating: 0.05e9, count: L), count: groups),
                capacityBytes: (0..<groups).map { capacity[$0 % 4] })
            var result: StageOrderResult? = nil
            let time = bestSeconds(repeats: 1) { result = try? StageOrder.optimize(t) }
            if let result {
                print(String(format: "stage order %@ / 128 layers: %.2e s, %d orders evaluated, bottleneck %.4f s",
                             label, time, result.ordersEvaluated, result.split.bottleneckSeconds))
            } else { print("stage order \(label) failed") }
        } catch { print("stage order table: \(error)") }
    }
    autoPlannerBench()
}

/// A two-site cluster of `chips` chips split evenly over `types` chip types (A100 and
/// H100 in site a, Ascend 910B2 and H20 in site b; 8 per node), WAN 400 Gb/s, 5 ms
/// (~500 km of fibre) — sizes for the end-to-end planner benchmark.
func benchCluster(chips: Int, types: Int) throws -> Cluster {
    let ids = ["nvidia_a100_sxm4_80g", "huawei_ascend_910b2", "nvidia_h100_sxm5", "nvidia_h20"].prefix(types)
    let per = chips / types
    let groups = ids.map { NodeGroupSpec($0, chips: per) }
    let half = (groups.count + 1) / 2
    if groups.count == 1 { return try ClusterSpec(name: "bench", sites: [SiteSpec(name: "a", groups: groups)]).compile() }
    return try ClusterSpec(name: "bench", sites: [SiteSpec(name: "a", groups: Array(groups[..<half])),
                                                  SiteSpec(name: "b", groups: Array(groups[half...]))],
                           wan: [WanLinkSpec("a", "b", gbps: 400, latencyMs: 5)]).compile()
}

/// End-to-end `auto` planning (search + simulator re-ranking of the top 3 and the two
/// baselines) against one simulation of the uniform plan on the same cluster.
func autoPlannerBench() {
    func run(_ label: String, model id: String, chips: Int, types: Int, batch: Int, calibrated: Bool = false) {
        do {
            let c = try benchCluster(chips: chips, types: types)
            let model = try TransformerModel.preset(id)
            let config = TrainingConfig(globalBatch: batch, microBatch: 1)
            var req = PlanRequest(model: model, cluster: c, config: config, tpOptions: [2, 4, 8])
            if calibrated { req.simulation.calibration = try benchProfile(model, cluster: c, config: config) }
            var result: PlanResult? = nil
            let t = bestSeconds(repeats: 1) { result = try? AutoPlanner.plan(req) }
            guard let result else { print("auto \(label): failed: \((try? AutoPlanner.plan(req)).map { _ in "" } ?? "error")"); return }
            var sim = 0.0
            if let u = result.alternatives.first(where: { $0.origin == "uniform" }) ?? result.alternatives.first {
                sim = bestSeconds(repeats: 1) { blackHole(try? IterationSimulator(plan: u.plan, cluster: c).run()) }
            }
            print(String(format: "auto %@: %.2f s (%.1f× one simulation of %.3f s), %d candidates, best pp %d dp %d %@, %.0f tokens/s",
                         label, t, t / max(sim, 1e-9), sim, result.candidatesEvaluated, result.best.plan.pp, result.best.plan.dp,
                         result.best.tpSummary, result.simulation.tokensPerSecond))
        } catch { print("auto \(label): \(error)") }
    }
    let args = CommandLine.arguments
    let big = args.contains("--big")
    // `--only-roofline` / `--only-profiles` run one of the two headline cases (for callgrind).
    if !args.contains("--only-profiles") {
        run("llama2-70b / 1,024 chips / 4 types / 2 sites", model: "llama2-70b", chips: 1024, types: 4, batch: 1024)
    }
    if !args.contains("--only-roofline") {
        run("llama2-70b / 1,024 chips / 4 types / 2 sites, measured profiles", model: "llama2-70b", chips: 1024, types: 4, batch: 1024,
            calibrated: true)
    }
    if args.contains("--headline") {
        if big { run("llama2-70b / 8,192 chips / 4 types / 2 sites", model: "llama2-70b", chips: 8192, types: 4, batch: 4096) }
        return
    }
    for chips in [256, 512, 2048] { run("llama2-70b / \(chips) chips / 4 types", model: "llama2-70b", chips: chips, types: 4, batch: 1024) }
    for types in [1, 2] { run("llama2-70b / 1,024 chips / \(types) types", model: "llama2-70b", chips: 1024, types: types, batch: 1024) }
    run("llama2-13b (40 blocks) / 1,024 chips / 4 types", model: "llama2-13b", chips: 1024, types: 4, batch: 1024)
    run("gpt3-175b (96 blocks) / 1,024 chips / 4 types", model: "gpt3-175b", chips: 1024, types: 4, batch: 1024)
    if big { run("llama2-70b / 8,192 chips / 4 types / 2 sites", model: "llama2-70b", chips: 8192, types: 4, batch: 4096) }
}

/// A full measured-data store for the benchmark: for every chip type of `cluster`, every
/// layer kind at tp 1, 2, 4, 8 in the config's setting, plus an optimizer step — what a
/// user who loaded a profile per chip type has. The figures are synthetic (roofline at
/// tp 1 scaled by tp^-0.45, 20% slower optimizer), standing in for real profiles: the
/// benchmark measures the cost of consulting the store, not its values.
func benchProfile(_ model: TransformerModel, cluster: Cluster, config: TrainingConfig) throws -> Calibration {
    var cal = Calibration()
    var seen: Set<String> = []
    for g in cluster.groups where seen.insert(g.chip.id).inserted {
        for tp in [1, 2, 4, 8] {
            for kind in [LayerKind.embedding, .block, .lmHead] {
                let r = try model.layerCost(kind: kind, chip: g.chip, microBatch: config.microBatch, tp: 1, recompute: config.recompute,
                                            sequenceParallel: config.sequenceParallel)
                let k = pow(Double(tp), 0.45)
                try cal.add(chip: g.chip, model: model, kind: kind, microBatch: config.microBatch, tp: tp, recompute: config.recompute,
                            sequenceParallel: config.sequenceParallel, fwdMs: r.fwdSeconds * 1000 / k, bwdMs: r.bwdSeconds * 1000 / k)
            }
            let held = try model.paramsPerChip(layers: 0..<model.layerCount, tp: tp)
            try cal.addOptimizerStep(chip: g.chip, model: model, tp: tp,
                                     updateMs: SimulationOptions().optimizerStepSeconds(params: held, chip: g.chip) * 1200)
        }
    }
    return cal
}
