extension PlannerCostModel {
    /// A finer estimate of `plan` than ``estimate(_:)``, for the few candidates worth it:
    /// the pipeline is timed operation by operation on the simulator's own layout
    /// (``PipelineLayout``: the schedule, the micro-batch dealing over replicas of
    /// different speeds and the order each replica keeps) with ``PipelineTimeline``,
    /// each transfer delayed by its stage boundary's uncontended time; then each stage
    /// adds its exposed data-parallel sync and optimizer step after its last backward,
    /// as in ``PlanEstimate``.
    ///
    /// Why: with replicas of different speeds in one stage, a replica waits for the
    /// micro-batches a slower replica of the neighbouring stage feeds it, which the
    /// closed form (busiest stage plus fill and drain) cannot see. On llama2-70b over
    /// 1,024 chips of 4 types the closed form is up to 34% under the simulator and this
    /// estimate 1–3% under (BENCHMARKS.md, Planner); its compute part equals the
    /// simulator's compute-only run (to rounding).
    /// What it still leaves out is link contention (the flow engine's part); a
    /// steady-state link bound from ``PlanEstimate`` is kept as a floor.
    ///
    /// - Returns: seconds per iteration; ``PlanEstimate/iterationSeconds`` when the
    ///   layout cannot be built (the simulator would reject the plan the same way).
    public mutating func timelineSeconds(_ plan: Plan, estimate e: PlanEstimate) throws -> Double {
        try timeline(plan, estimate: e, communication: true) ?? e.iterationSeconds
    }

    /// A lower bound on the simulated iteration: the same timeline with every transfer,
    /// synchronisation and optimizer step taking no time — the simulator's compute-only
    /// run, which its iteration can only exceed (it adds non-negative delays to a
    /// schedule whose per-executor order is fixed). Its durations are the simulator's up
    /// to floating-point summation order, so a caller comparing against it should leave
    /// a relative margin of about 1e-9. Straggler factors (``SimulationOptions/slowdown``)
    /// scale compute in the simulator; factors above 1 only slow it, and the bound is
    /// scaled by the smallest factor below 1 (a max-plus makespan scales with its
    /// durations). Nil when the layout cannot be built.
    public mutating func computeBoundSeconds(_ plan: Plan, estimate e: PlanEstimate) throws -> Double? {
        let fastest = min(1, simulation.slowdown.values.min() ?? 1)
        return try timeline(plan, estimate: e, communication: false).map { $0 * fastest }
    }

    /// The timeline's iteration (with communication) or bare makespan (without); nil
    /// when the simulator's layout cannot be built for the plan.
    private mutating func timeline(_ plan: Plan, estimate e: PlanEstimate, communication: Bool) throws -> Double? {
        let p = plan.stages.count
        let v = Double(config.virtualStages)
        guard let layout = try? PipelineLayout(kind: config.schedule, shares: plan.stages.map { $0.replicas.map(\.microbatches) },
                                               virtualStages: config.virtualStages) else { return nil }
        var forward: [[Double]] = [], backward: [[Double]] = []
        for stage in plan.stages {
            var f: [Double] = [], b: [Double] = []
            for rep in stage.replicas {
                let figures = try figures(chip: rep.chip, ranks: rep.ranks)
                let fwd = figures.forwardSeconds(stage.layers)
                f.append(fwd / v)
                b.append((figures.seconds(stage.layers) - fwd) / v)
            }
            forward.append(f); backward.append(b)
        }
        let boundary = e.stages.map(\.boundarySeconds)
        let timeline = try PipelineTimeline.evaluate(layout, duration: { x, op in
            switch op.pass {
            case .forward: return forward[x.stage][x.replica]
            case .backward: return backward[x.stage][x.replica]
            case .backwardInput, .backwardWeight: return backward[x.stage][x.replica] / 2
            }
        }, transferSeconds: { from, to, _, _ in
            guard communication else { return 0 }
            // Neighbouring stages use the lower one's boundary; the interleaved wrap from
            // the last stage to the first uses the first's (the estimate has none there).
            return abs(from.stage - to.stage) == 1 ? boundary[min(from.stage, to.stage)] : boundary[0]
        })
        guard communication else { return timeline.makespanSeconds }
        var iteration = 0.0
        for s in 0..<p {
            let computeEnd = timeline.end[s].map { $0.last ?? 0 }.max() ?? 0
            let lastBackward = backward[s].enumerated()
                .filter { plan.stages[s].replicas[$0.offset].microbatches > 0 }.map(\.element).max() ?? 0
            let exposed = e.stages[s].exposedSyncSeconds(window: lastBackward)
            iteration = max(iteration, computeEnd + exposed + e.stages[s].optimizerSeconds)
        }
        // Links: every micro-batch crosses each boundary once each way; when that alone
        // outlasts the busiest compute, the closed form's link-bound figure is the floor.
        let linkBound = e.stages.map(\.linkSeconds).max() ?? 0
        if linkBound > (e.stages.map(\.computeSeconds).max() ?? 0) { iteration = max(iteration, e.iterationSeconds) }
        return iteration
    }
}
