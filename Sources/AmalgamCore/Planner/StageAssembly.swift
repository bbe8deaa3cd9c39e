/// Turns stage groups of TP units into plans: exactly (``StageOrder`` + ``LayerSplit`` on
/// the continuous relaxation, then ``BatchSplit``) or proportionally to peak FLOP/s.
struct StageAssembly {
    var costs: PlannerCostModel
    let units: [TPGroupUnit]

    /// Replica classes (same chip type and tp) of one group with their counts.
    private func classes(_ group: [Int]) -> [(unit: Int, count: Int)] {
        var out: [(unit: Int, count: Int)] = []
        for u in group {
            if let k = out.firstIndex(where: { units[$0.unit].chip.id == units[u].chip.id && units[$0.unit].ranks.count == units[u].ranks.count }) {
                out[k].count += 1
            } else { out.append((u, 1)) }
        }
        return out
    }

    /// The exact assembly. A stage's cost of a range is the continuous relaxation of
    /// its batch split, `M / Σ_r 1/t_r(range)` (the makespan when shares may be
    /// fractional, a lower bound on the integer one); the integer ``BatchSplit`` is run
    /// once the ranges are fixed. Memory: every replica class must hold the range with
    /// the stage's ZeRO sharding and the position's in-flight count (M as the share's
    /// upper bound).
    mutating func exact(_ groups: [[Int]], exhaustiveLimit: Int, maxSwaps: Int) throws -> Plan? {
        let config = costs.config
        let m = config.microbatches
        let pp = groups.count
        let L = costs.model.layerCount
        let inFlight = try (0..<pp).map { Double(try costs.inFlight(position: $0, pp: pp, microbatches: m)) }
        var rows: [[LayerSplit.ReplicaClass]] = []
        var signature: [String] = []
        for g in groups {
            let bytesPerParam = costs.stateBytesPerParam(dp: g.count)
            var row: [LayerSplit.ReplicaClass] = []
            for c in classes(g) {
                let u = units[c.unit]
                row.append(LayerSplit.ReplicaClass(count: Double(c.count), figures: try costs.figures(chip: u.chip, ranks: u.ranks),
                                                   stateBytesPerParam: bytesPerParam, overheadBytes: TransformerModel.defaultOverheadBytes,
                                                   capacityBytes: u.chip.memBytes))
            }
            rows.append(row)
            signature.append(classes(g).map { "\(units[$0.unit].chip.id)/\(units[$0.unit].ranks.count)x\($0.count)" }.joined(separator: ","))
        }
        var classIds: [Int] = []
        for s in signature { classIds.append(signature.firstIndex(of: s)!) }
        let mm = Double(m)
        let result: StageOrderResult
        do {
            result = try StageOrder.optimize(
                groups: pp, layers: L, groupClasses: classIds, exhaustiveLimit: exhaustiveLimit, maxSwapEvaluations: maxSwaps,
                replicaStage: { g, position in LayerSplit.ReplicaStage(microbatches: mm, classes: rows[g], inFlight: inFlight[position]) })
        } catch { return nil }
        var stages: [StagePlan] = []
        for (p, g) in result.order.enumerated() {
            let range = result.split.ranges[p]
            var times: [ReplicaTime] = []
            for u in groups[g] {
                let f = try costs.figures(chip: units[u].chip, ranks: units[u].ranks)
                times.append(ReplicaTime(perMicrobatchSeconds: max(f.seconds(range), 1e-12), maxMicrobatches: m))
            }
            let split = try BatchSplit.split(microbatches: m, replicas: times)
            let reps = zip(groups[g], split.microbatches).filter { $0.1 > 0 }.map {
                ReplicaPlan(ranks: units[$0.0].ranks, chip: units[$0.0].chip, microbatches: $0.1)
            }
            stages.append(StagePlan(layers: range, replicas: reps))
        }
        return Plan(model: costs.model, config: config, stages: stages, cluster: costs.cluster, strategy: "auto")
    }

    /// Largest-remainder rounding of `total` by `weights` (ties to the lower index);
    /// every entry at least `minimum` when the total allows.
    static func proportional(_ total: Int, _ weights: [Double], minimum: Int) -> [Int] {
        let n = weights.count
        guard n > 0 else { return [] }
        let base = minimum * n <= total ? minimum : 0
        let rest = total - base * n
        let sum = weights.reduce(0, +)
        let exact = weights.map { sum > 0 ? Double(rest) * $0 / sum : Double(rest) / Double(n) }
        var out = exact.map { base + Int($0.rounded(.down)) }
        var left = total - out.reduce(0, +)
        let order = (0..<n).sorted { (exact[$0] - exact[$0].rounded(.down), -$0) > (exact[$1] - exact[$1].rounded(.down), -$1) }
        var k = 0
        while left > 0 { out[order[k % n]] += 1; left -= 1; k += 1 }
        return out
    }

    /// The proportional baseline on the same groups, in cluster order: blocks by each
    /// stage's peak FLOP/s (≥ 1 each; embedding on the first stage, LM head on the
    /// last), micro-batches by each replica's peak FLOP/s (replicas rounded to zero drop).
    func proportional(_ groups: [[Int]]) -> Plan? {
        let model = costs.model
        guard groups.count <= model.numLayers else { return nil }
        let blocks = StageAssembly.proportional(model.numLayers, groups.map { $0.reduce(0.0) { $0 + units[$1].tflops } }, minimum: 1)
        var first = 0
        var stages: [StagePlan] = []
        let m = costs.config.microbatches
        for (s, g) in groups.enumerated() {
            let lower = s == 0 ? 0 : first
            let upper = first + blocks[s] + (s == 0 ? 1 : 0) + (s == groups.count - 1 ? 1 : 0)
            first = upper
            let shares = StageAssembly.proportional(m, g.map { units[$0].tflops }, minimum: 0)
            let reps = zip(g, shares).filter { $0.1 > 0 }.map { ReplicaPlan(ranks: units[$0.0].ranks, chip: units[$0.0].chip, microbatches: $0.1) }
            stages.append(StagePlan(layers: lower..<upper, replicas: reps))
        }
        return Plan(model: model, config: costs.config, stages: stages, cluster: costs.cluster, strategy: "proportional")
    }
}
