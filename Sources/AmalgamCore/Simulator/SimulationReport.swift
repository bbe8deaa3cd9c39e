extension SimulationState {
    /// Gathers the figures of a finished iteration.
    func result(engine: FlowEngine, computeOnlySeconds: Double) throws -> SimulationResult {
        let t = endTime
        guard t > 0 else { throw AmalgamError("the iteration took no time (empty plan?)") }
        let config = plan.config
        let model = plan.model
        let tokens = Double(config.globalBatch * model.seqLen)
        let peak = plan.ranks.reduce(0.0) { $0 + cluster.chip(ofRank: $1).peakFlopsPerSecond }
        let modelFlops = model.flopsPerToken(recompute: .none) * tokens
        let hardwareFlops = model.flopsPerToken(recompute: config.recompute) * tokens
        var chips: [ChipActivity] = []
        var idleFraction = 0.0
        for (e, ex) in executors.enumerated() {
            let stage = plan.stages[ex.stage]
            let rep = stage.replicas[ex.replica]
            let stash = Int((Double(peakInFlight[e]) / Double(layout.virtualStages)).rounded(.up))
            let memory = try model.memory(chip: rep.chip, tp: rep.tp, pp: layout.stages, ppStage: ex.stage,
                                          dp: stage.replicas.count, zero: config.zero, microBatch: config.microBatch,
                                          recompute: config.recompute, sequenceParallel: config.sequenceParallel,
                                          layers: stage.layers, inFlight: max(stash, 1), state: config.stateBytes,
                                          options: options.costOptions)
            for rank in rep.ranks {
                chips.append(ChipActivity(rank: rank, stage: ex.stage, replica: ex.replica, chipId: rep.chip.id,
                                          computeSeconds: computeBusy[e], communicationSeconds: sentSeconds[e],
                                          idleSeconds: t - computeBusy[e], peakMemoryBytes: memory.totalBytes,
                                          capacityBytes: memory.capacityBytes))
                idleFraction += (t - computeBusy[e]) / t
            }
        }
        chips.sort { $0.rank < $1.rank }
        let lineRates = engine.lineBytesPerSecond
        let links = engine.bytesPerLink.enumerated().compactMap { i, bytes -> LinkActivity? in
            guard bytes > 0 else { return nil }
            let l = cluster.links[i]
            return LinkActivity(index: i, name: l.name, kind: l.kind, bytes: bytes, utilisation: bytes / (lineRates[i] * t))
        }
        return SimulationResult(
            iterationSeconds: t, computeOnlySeconds: computeOnlySeconds,
            tokensPerSecond: tokens / t, samplesPerSecond: Double(config.globalBatch) / t,
            mfu: modelFlops / (peak * t), hfu: hardwareFlops / (peak * t),
            bubbleFraction: chips.isEmpty ? 0 : idleFraction / Double(chips.count),
            exposedCommunicationSeconds: max(0, t - computeOnlySeconds),
            chips: chips, links: links, flowCount: engine.flowCount,
            operationCount: opBase.last.map { $0 + (layout.orders.last?.last?.count ?? 0) } ?? 0,
            trace: trace)
    }
}
