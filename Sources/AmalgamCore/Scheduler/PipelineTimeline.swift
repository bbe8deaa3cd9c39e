/// Where one pipeline operation runs: stage `stage`, data-parallel replica `replica`.
public struct PipelineExecutor: Hashable, Sendable {
    public var stage: Int
    public var replica: Int
    public init(stage: Int, replica: Int) { self.stage = stage; self.replica = replica }
}

/// A pipeline iteration laid out as executors (one per stage replica), each with its
/// order of operations, and which replica of each stage holds each micro-batch.
///
/// This is the task graph the schedules produce; `PipelineTimeline.evaluate` times it
/// with fixed durations and transfer delays (closed-form checks), and the iteration
/// simulator times it with contended links.
public struct PipelineLayout: Sendable {
    public let stages: Int
    public let virtualStages: Int
    public let microbatches: Int
    /// `replicas[s]` = number of data-parallel replicas at stage s.
    public let replicas: [Int]
    /// `owner[s][mb]` = replica of stage s that processes micro-batch mb.
    public let owner: [[Int]]
    /// `orders[s][r]` = the ordered operations of replica r of stage s.
    public let orders: [[[PipelineOp]]]

    /// Lays out `kind` over stages whose replicas take `shares[s][r]` micro-batches
    /// each (every stage's shares sum to the same m). Micro-batches are dealt to
    /// replicas interleaved in proportion to their shares (`interleave`), so every
    /// replica of the next stage is fed steadily by all replicas of this one.
    public init(kind: PipelineKind, shares: [[Int]], virtualStages v: Int = 1) throws {
        let p = shares.count
        guard p >= 1 else { throw AmalgamError("a pipeline needs at least one stage") }
        guard v >= 1 else { throw AmalgamError("virtual stages must be >= 1 (got \(v))") }
        if kind != .interleaved && v != 1 {
            throw AmalgamError("virtual_stages = \(v) needs the 'interleaved_1f1b' schedule (got '\(kind.rawValue)')")
        }
        var m: Int? = nil
        var owner: [[Int]] = []
        for (s, stageShares) in shares.enumerated() {
            guard !stageShares.isEmpty else { throw AmalgamError("stage \(s) has no replicas") }
            if let bad = stageShares.first(where: { $0 < 0 }) { throw AmalgamError("stage \(s): negative micro-batch share \(bad)") }
            let total = stageShares.reduce(0, +)
            if let m, m != total {
                throw AmalgamError("stage \(s) processes \(total) micro-batches but stage 0 processes \(m); every stage must see the whole batch")
            }
            m = total
            owner.append(PipelineLayout.interleave(stageShares))
        }
        guard let total = m, total >= 1 else { throw AmalgamError("an iteration needs at least one micro-batch") }
        stages = p; virtualStages = v; microbatches = total
        replicas = shares.map(\.count)
        self.owner = owner
        // Each stage runs one order over all m micro-batches, its warm-up scaled by its
        // replica count so every replica warms up as deep as in 1F1B, made non-increasing
        // from the last stage back; each replica runs that order restricted to its own
        // micro-batches. A stage's order is a valid single-executor schedule (warm-ups
        // non-increasing along the pipeline), and a replica's order is a subsequence of
        // it, so every dependency the replicas see is implied by a deadlock-free schedule.
        var scales = [Int](repeating: 1, count: p)
        var next = 0
        for s in (0..<p).reversed() {
            let replicas = shares[s].filter { $0 > 0 }.count
            var scale = max(replicas, 1)
            // Warm-up (p − s − 1)·scale must not fall below the next stage's.
            if s < p - 1, (p - s - 1) * scale < next { scale = (next + p - s - 2) / (p - s - 1) }
            scales[s] = scale
            next = (p - s - 1) * scale
        }
        // Interleaving groups micro-batches across stages, so (as Megatron-LM requires of
        // its pipelines) every stage must split the batch the same way, in whole groups of p.
        if kind == .interleaved && v > 1 {
            guard shares.allSatisfy({ $0 == shares[0] }), let first = shares[0].first,
                  shares[0].allSatisfy({ $0 == first }), first % p == 0 else {
                throw AmalgamError("interleaved 1F1B needs every stage to have the same number of replicas with equal micro-batch shares divisible by the pipeline depth \(p), as Megatron-LM's pipelines do (got shares \(shares)); use '1f1b' or 'zb_h1' for uneven stages")
            }
            scales = Array(repeating: max(shares[0].filter { $0 > 0 }.count, 1), count: p)
        }
        orders = (0..<p).map { s in
            let stageOrder = PipelineSchedule.order(kind: kind, stage: s, stages: p, microbatches: Array(0..<total),
                                                    virtualStages: v, scale: scales[s])
            var mine = shares[s].map { share -> [PipelineOp] in
                var ops: [PipelineOp] = []
                ops.reserveCapacity(share * (kind == .zbH1 ? 3 : 2) * v)
                return ops
            }
            for op in stageOrder { mine[owner[s][op.microbatch]].append(op) }
            return mine
        }
    }

    /// Which replica takes each micro-batch, dealt by smooth weighted round-robin
    /// (as nginx balances upstreams): each step every replica's credit grows by its
    /// share and the replica with the most credit (lowest index on ties) takes the
    /// micro-batch and pays the total. Shares are met exactly and each replica's
    /// micro-batches are spread evenly over the iteration. Contiguous blocks would make
    /// a later stage's replica wait for an earlier replica to work through everything
    /// before its block.
    public static func interleave(_ shares: [Int]) -> [Int] {
        let total = shares.reduce(0, +)
        var credit = [Int](repeating: 0, count: shares.count)
        var out: [Int] = []
        out.reserveCapacity(total)
        for _ in 0..<total {
            var best = -1
            for r in shares.indices where shares[r] > 0 {
                credit[r] += shares[r]
                if best < 0 || credit[r] > credit[best] { best = r }
            }
            credit[best] -= total
            out.append(best)
        }
        return out
    }

    /// The virtual stage of chunk `c` on stage `s`.
    @inline(__always) public func virtualStage(stage s: Int, chunk c: Int) -> Int { c * stages + s }

    /// Stage and chunk of virtual stage `vs`.
    @inline(__always) public func place(_ vs: Int) -> (stage: Int, chunk: Int) { (vs % stages, vs / stages) }

    /// Number of virtual stages p·v.
    public var depth: Int { stages * virtualStages }
}

/// Timing of a `PipelineLayout` with given operation durations and transfer delays
/// (no contention): the closed-form reference the simulator is checked against.
public struct PipelineTimeline: Sendable {
    /// Start and end of every operation, `[s][r][k]` in the executor's order.
    public let start: [[[Double]]]
    public let end: [[[Double]]]
    /// Time the last operation ends.
    public let makespanSeconds: Double
    /// Busy seconds per executor.
    public let busySeconds: [[Double]]
    /// Peak number of (micro-batch, chunk) activations held at once per executor
    /// (from the forward until the backward that last reads them: W when split).
    public let peakInFlight: [[Int]]

    /// Idle fraction over all executors: 1 − Σbusy / (executors × makespan).
    public var bubbleFraction: Double {
        let n = busySeconds.reduce(0) { $0 + $1.count }
        let busy = busySeconds.reduce(0) { $0 + $1.reduce(0, +) }
        return makespanSeconds > 0 ? 1 - busy / (Double(n) * makespanSeconds) : 0
    }

    /// Times `layout`: each executor runs its order sequentially; an operation starts
    /// when its executor is free and its inputs have arrived (`transferSeconds` after
    /// the producing operation ended, for activations and gradients crossing stages).
    ///
    /// - Parameters:
    ///   - duration: seconds of `op` on executor (stage, replica).
    ///   - transferSeconds: delay of the tensor of micro-batch `mb` from one executor to
    ///     another (`forward` true for activations, false for gradients); 0 on the same executor.
    public static func evaluate(
        _ layout: PipelineLayout,
        duration: (PipelineExecutor, PipelineOp) -> Double,
        transferSeconds: (PipelineExecutor, PipelineExecutor, _ forward: Bool, _ microbatch: Int) -> Double = { _, _, _, _ in 0 }
    ) throws -> PipelineTimeline {
        let depth = layout.depth
        let m = layout.microbatches
        // Finish times of F / B(or full backward) per (virtual stage, micro-batch).
        var fEnd = [Double](repeating: -1, count: depth * m)
        var bEnd = [Double](repeating: -1, count: depth * m)
        var start = layout.orders.map { $0.map { [Double](repeating: 0, count: $0.count) } }
        var end = start
        var next = layout.orders.map { [Int](repeating: 0, count: $0.count) }
        var free = layout.orders.map { [Double](repeating: 0, count: $0.count) }
        var busy = layout.orders.map { [Double](repeating: 0, count: $0.count) }
        var inFlight = layout.orders.map { [Int](repeating: 0, count: $0.count) }
        var peak = inFlight
        var remaining = layout.orders.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }

        while remaining > 0 {
            var progressed = false
            for s in 0..<layout.stages {
                for r in 0..<layout.replicas[s] {
                    let here = PipelineExecutor(stage: s, replica: r)
                    let order = layout.orders[s][r]
                    while next[s][r] < order.count {
                        let op = order[next[s][r]]
                        let vs = layout.virtualStage(stage: s, chunk: op.chunk)
                        let key = vs * m + op.microbatch
                        // When the inputs of `op` are here, or nil if a producer has not run yet.
                        func arrival(_ vsFrom: Int, _ finished: [Double], forward: Bool) -> Double? {
                            let t = finished[vsFrom * m + op.microbatch]
                            guard t >= 0 else { return nil }
                            let at = layout.place(vsFrom)
                            let from = PipelineExecutor(stage: at.stage, replica: layout.owner[at.stage][op.microbatch])
                            return t + (from == here ? 0 : transferSeconds(from, here, forward, op.microbatch))
                        }
                        var inputs: Double? = 0
                        switch op.pass {
                        case .forward:
                            if vs > 0 { inputs = arrival(vs - 1, fEnd, forward: true) }
                        case .backward, .backwardInput:
                            inputs = fEnd[key] >= 0 ? fEnd[key] : nil
                            if let f = inputs, vs < depth - 1 {
                                inputs = arrival(vs + 1, bEnd, forward: false).map { max($0, f) }
                            }
                        case .backwardWeight:
                            inputs = bEnd[key] >= 0 ? bEnd[key] : nil
                        }
                        guard let inputsReady = inputs else { break }
                        let ready = max(free[s][r], inputsReady)
                        let d = duration(here, op)
                        guard d.isFinite, d >= 0 else {
                            throw AmalgamError("operation \(op.pass) of micro-batch \(op.microbatch) on stage \(s) has duration \(d) s")
                        }
                        let k = next[s][r]
                        start[s][r][k] = ready
                        end[s][r][k] = ready + d
                        free[s][r] = ready + d
                        busy[s][r] += d
                        switch op.pass {
                        case .forward:
                            fEnd[key] = ready + d
                            inFlight[s][r] += 1
                            peak[s][r] = max(peak[s][r], inFlight[s][r])
                        case .backward:
                            bEnd[key] = ready + d
                            inFlight[s][r] -= 1
                        case .backwardInput:
                            bEnd[key] = ready + d
                        case .backwardWeight:
                            // The weight gradient still reads the stashed activations.
                            inFlight[s][r] -= 1
                        }
                        next[s][r] += 1
                        remaining -= 1
                        progressed = true
                    }
                }
            }
            if !progressed {
                throw AmalgamError("pipeline schedule deadlocks: \(remaining) operations wait on each other")
            }
        }
        let makespan = end.reduce(0) { acc, st in st.reduce(acc) { max($0, $1.last ?? 0) } }
        return PipelineTimeline(start: start, end: end, makespanSeconds: makespan, busySeconds: busy, peakInFlight: peak)
    }
}
