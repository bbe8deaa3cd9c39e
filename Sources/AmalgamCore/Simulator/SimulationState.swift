/// The mutable state of one simulated iteration: what each stage replica (executor)
/// has done, which inputs have arrived, and where each stage's gradient
/// synchronisation stands. Driven by `IterationSimulator.run`.
struct SimulationState {
    // Event tags: kind in the high bits, payload below.
    enum Tag: Int {
        case compute = 0, p2p, ringFlow, ringDone, optimizerDone, bucketReady
    }
    static let shift = 48
    static func tag(_ kind: Tag, _ payload: Int) -> Int { kind.rawValue << shift | payload }

    /// Phases of a stage's data-parallel traffic.
    enum RingPhase { case preGather, bucket(Int), postGather }

    let plan: Plan
    let layout: PipelineLayout
    let options: SimulationOptions
    let cluster: Cluster
    var timing: [[IterationSimulator.ReplicaTiming]] = []
    var duration: (Int, Int, PipelineOp) -> Double = { _, _, _ in 0 }

    let m: Int, depth: Int
    /// Executor index of (stage, replica) = base[stage] + replica.
    let base: [Int]
    let executors: [PipelineExecutor]
    let opBase: [Int]
    var next: [Int]
    var busy: [Bool]
    var opStart: [Double]
    var computeBusy: [Double]
    var inFlight: [Int]
    var peakInFlight: [Int]
    /// Inputs that have arrived at the owner of (virtual stage, micro-batch).
    var forwardInput: [Bool]
    var backwardInput: [Bool]
    var forwardDone: [Bool]
    var backwardDone: [Bool]
    // Data-parallel sync per stage.
    let buckets: [Int]
    let bucketBytes: [Double]
    var bucketReady: [[Int]]
    var bucketRunning: [Int]      // bucket in flight, -1 none
    var bucketsDone: [Int]
    var ringPending: [Int]        // flows of the current ring phase not yet delivered
    var ringPhase: [RingPhase]
    var ringMaxLatency: [Double]
    /// Per stage: the lane-0 data-parallel ring (replicas' first ranks in plan order).
    let ringEdges: [RingEdgeSummary]
    /// Per stage: `RingCost`'s overhead (latencies, reductions, pipeline fill/drain) of
    /// the ring phase in flight; the flows carry its bandwidth part.
    var ringOverhead: [Double]
    var paramsReady: [Bool]
    var optimizerDone: [Int]      // replicas of the stage done with the optimizer
    var finishedReplicas = 0
    let totalReplicas: Int
    var endTime: Double = 0
    var sentSeconds: [Double]     // per executor: time its lane-0 sends were in flight
    /// Flows in progress by tag: start time, sending executor, source and destination ranks.
    var flowStart: [Int: (start: Double, executor: Int, src: Int, dst: Int)] = [:]
    var trace: [TraceEvent] = []
    /// Lane flows of a stage-to-stage transfer still in flight, by (key << 1 | direction).
    var p2pPending: [Int: Int] = [:]
    /// Whether the lanes between two replicas (keyed by their lane-0 ranks) share a link.
    var lanesShareLink: [Int: Bool] = [:]
    static let laneBits = 5

    init(plan: Plan, layout: PipelineLayout, options: SimulationOptions, cluster: Cluster) throws {
        self.plan = plan; self.layout = layout; self.options = options; self.cluster = cluster
        m = layout.microbatches; depth = layout.depth
        var b: [Int] = [], ex: [PipelineExecutor] = [], ob: [Int] = []
        var ops = 0
        for s in 0..<layout.stages {
            b.append(ex.count)
            for r in 0..<layout.replicas[s] {
                ex.append(PipelineExecutor(stage: s, replica: r))
                ob.append(ops)
                ops += layout.orders[s][r].count
            }
        }
        base = b; executors = ex; opBase = ob
        let n = ex.count
        next = Array(repeating: 0, count: n); busy = Array(repeating: false, count: n)
        opStart = Array(repeating: 0, count: n); computeBusy = Array(repeating: 0, count: n)
        inFlight = Array(repeating: 0, count: n); peakInFlight = inFlight
        sentSeconds = Array(repeating: 0, count: n)
        forwardInput = Array(repeating: false, count: depth * m)
        backwardInput = forwardInput; forwardDone = forwardInput; backwardDone = forwardInput
        totalReplicas = n
        var nb: [Int] = [], bb: [Double] = []
        for stage in plan.stages {
            let lanes = stage.replicas.map(\.tp).min() ?? 1
            // Per lane: the parameters of the widest-sharded replica's chips, regrouped into
            // the `lanes` rings (as the planner's estimate counts them).
            let tp0 = stage.replicas[0].tp
            let params = try plan.model.paramsPerChip(layers: stage.layers, tp: tp0) * Double(tp0)
            let grads = params / Double(lanes) * plan.config.stateBytes.gradient
            let count = max(1, Int((grads / options.bucketBytes).rounded(.up)))
            nb.append(count); bb.append(grads / Double(count))
        }
        buckets = nb; bucketBytes = bb
        bucketReady = nb.map { Array(repeating: 0, count: $0) }
        let stages = layout.stages
        bucketRunning = Array(repeating: -1, count: stages); bucketsDone = Array(repeating: 0, count: stages)
        ringPending = Array(repeating: 0, count: stages)
        ringPhase = Array(repeating: .bucket(0), count: stages)
        ringMaxLatency = Array(repeating: 0, count: stages)
        ringOverhead = Array(repeating: 0, count: stages)
        ringEdges = plan.stages.map {
            RingEdgeSummary(topology: cluster, ranks: $0.replicas.map { $0.ranks[0] }, options: options.network)
        }
        paramsReady = Array(repeating: true, count: stages)
        optimizerDone = Array(repeating: 0, count: stages)
    }

    func exec(_ s: Int, _ r: Int) -> Int { base[s] + r }

    // MARK: Start

    mutating func start(_ engine: inout FlowEngine) throws {
        for s in 0..<layout.stages {
            if plan.config.zero == 3 && layout.replicas[s] > 1 {
                paramsReady[s] = false
                let weights = bucketBytes[s] * Double(buckets[s]) / plan.config.stateBytes.gradient * plan.config.stateBytes.weight
                try startRing(s, bytes: weights, kind: .allGather, phase: .preGather, &engine)
            }
            for r in 0..<layout.replicas[s] where layout.orders[s][r].isEmpty {
                // A replica with no micro-batches contributes zero gradients at once.
                for k in 0..<buckets[s] { try engine.addTimer(at: 0, tag: Self.tag(.bucketReady, s << 24 | k)) }
            }
        }
        for e in 0..<executors.count { try tryStart(e, &engine) }
    }

    // MARK: Compute

    mutating func tryStart(_ e: Int, _ engine: inout FlowEngine) throws {
        guard !busy[e] else { return }
        let (s, r) = (executors[e].stage, executors[e].replica)
        let order = layout.orders[s][r]
        guard next[e] < order.count else { return }
        let op = order[next[e]]
        let vs = layout.virtualStage(stage: s, chunk: op.chunk)
        let key = vs * m + op.microbatch
        switch op.pass {
        case .forward:
            guard paramsReady[s], vs == 0 || forwardInput[key] else { return }
        case .backward, .backwardInput:
            guard forwardDone[key], vs == depth - 1 || backwardInput[key] else { return }
        case .backwardWeight:
            guard backwardDone[key] else { return }
        }
        let d = duration(s, r, op)
        busy[e] = true
        opStart[e] = engine.now
        computeBusy[e] += d
        if next[e] == order.count - 1 {
            // The last gradient-producing pass: buckets become ready layer by layer.
            let nb = buckets[s]
            for k in 0..<nb {
                let produced = options.overlapGradientReduce ? Double(k + 1) / Double(nb) : 1
                try engine.addTimer(at: engine.now + d * produced, tag: Self.tag(.bucketReady, s << 24 | k))
            }
        }
        try engine.addTimer(at: engine.now + d, tag: Self.tag(.compute, opBase[e] + next[e]))
    }

    mutating func computeDone(_ e: Int, _ engine: inout FlowEngine) throws {
        let (s, r) = (executors[e].stage, executors[e].replica)
        let op = layout.orders[s][r][next[e]]
        if options.recordTrace {
            let name = "\(op.pass == .forward ? "F" : op.pass == .backwardWeight ? "W" : "B")\(op.microbatch)\(layout.virtualStages > 1 ? ".\(op.chunk)" : "")"
            for rank in plan.stages[s].replicas[r].ranks {
                trace.append(TraceEvent(track: .chip(rank), name: name, category: "compute", startSeconds: opStart[e], endSeconds: engine.now))
            }
        }
        busy[e] = false
        next[e] += 1
        let vs = layout.virtualStage(stage: s, chunk: op.chunk)
        let key = vs * m + op.microbatch
        switch op.pass {
        case .forward:
            forwardDone[key] = true
            inFlight[e] += 1
            peakInFlight[e] = max(peakInFlight[e], inFlight[e])
            if vs < depth - 1 { try send(from: e, toVirtualStage: vs + 1, microbatch: op.microbatch, forward: true, &engine) }
        case .backward, .backwardInput:
            backwardDone[key] = true
            if op.pass == .backward { inFlight[e] -= 1 }
            if vs > 0 { try send(from: e, toVirtualStage: vs - 1, microbatch: op.microbatch, forward: false, &engine) }
        case .backwardWeight:
            inFlight[e] -= 1
        }
        try tryStart(e, &engine)
    }

    // MARK: Stage-to-stage transfers

    mutating func send(from e: Int, toVirtualStage vs: Int, microbatch mb: Int, forward: Bool, _ engine: inout FlowEngine) throws {
        let at = layout.place(vs)
        let r = layout.owner[at.stage][mb]
        let dest = exec(at.stage, r)
        let key = vs * m + mb
        if dest == e {
            if forward { forwardInput[key] = true } else { backwardInput[key] = true }
            try tryStart(dest, &engine)
            return
        }
        let from = plan.stages[executors[e].stage].replicas[executors[e].replica]
        let to = plan.stages[at.stage].replicas[r]
        let lanes = min(from.tp, to.tp)
        let model = plan.model
        let bytes = Double(plan.config.microBatch * model.seqLen * model.hidden) * options.activationBytesPerElement / Double(lanes)
        let simulated = lanesToSimulate(from.ranks, to.ranks, lanes)
        let payload = key << 1 | (forward ? 0 : 1)
        p2pPending[payload] = simulated
        for lane in 0..<simulated {
            let src = from.ranks[lane * from.tp / lanes], dst = to.ranks[lane * to.tp / lanes]
            let tag = Self.tag(.p2p, payload << Self.laneBits | lane)
            flowStart[tag] = (engine.now, e, src, dst)
            try engine.addFlow(src: src, dst: dst, bytes: bytes, tag: tag)
        }
    }

    /// Tensor-parallel lanes are simulated one for all when their routes share no link
    /// (each chip has its own NIC: the lanes mirror each other exactly); when they do
    /// share one (a WAN, an oversubscribed core, a PCIe bridge), every lane is simulated.
    mutating func lanesToSimulate(_ a: [Int], _ b: [Int], _ lanes: Int) -> Int {
        guard lanes > 1 else { return 1 }
        let key = a[0] << 32 | b[0]
        if let shared = lanesShareLink[key] { return shared ? lanes : 1 }
        let first = Set(cluster.route(from: a[0], to: b[0]).links)
        let second = cluster.route(from: a[a.count / lanes], to: b[b.count / lanes]).links
        let shared = second.contains { first.contains($0) }
        lanesShareLink[key] = shared
        return shared ? lanes : 1
    }

    mutating func delivered(p2p lanePayload: Int, _ engine: inout FlowEngine) throws {
        let payload = lanePayload >> Self.laneBits
        noteSent(Self.tag(.p2p, lanePayload), category: forwardName(payload), engine.now)
        let left = (p2pPending[payload] ?? 1) - 1
        if left > 0 { p2pPending[payload] = left; return }
        p2pPending[payload] = nil
        let key = payload >> 1
        let vs = key / m, mb = key % m
        if payload & 1 == 0 { forwardInput[key] = true } else { backwardInput[key] = true }
        let at = layout.place(vs)
        try tryStart(exec(at.stage, layout.owner[at.stage][mb]), &engine)
    }

    func forwardName(_ payload: Int) -> String { payload & 1 == 0 ? "activation" : "gradient" }

    mutating func noteSent(_ tag: Int, category: String, _ now: Double) {
        guard let f = flowStart.removeValue(forKey: tag) else { return }
        sentSeconds[f.executor] += now - f.start
        if options.recordTrace {
            for link in cluster.route(from: f.src, to: f.dst).links {
                trace.append(TraceEvent(track: .link(link), name: category, category: "flow", startSeconds: f.start, endSeconds: now))
            }
        }
    }

    // MARK: Data-parallel synchronisation

    /// Starts one data-parallel ring phase of stage `s`: `RingCost` splits the collective
    /// into its bandwidth part — simulated as one steady-state flow of `N·S/p` bytes per
    /// ring edge, so it shares links with other traffic — and its overhead (per-step
    /// latencies, reductions, pipeline fill/drain), added once every flow is delivered.
    mutating func startRing(_ s: Int, bytes: Double, kind: RingCollective, phase: RingPhase, _ engine: inout FlowEngine) throws {
        let reps = plan.stages[s].replicas
        ringPhase[s] = phase
        if cluster.hasMeasuredCollectives, let t = cluster.measuredSeconds(kind, ranks: reps.map { $0.ranks[0] }, bytes: bytes) {
            // A measured curve over exactly lane 0's ranks times the ring (every lane
            // mirrors it); its traffic is then not put on the links. Assumption, as in the
            // planner's estimate: the curve was measured with the other lanes' rings
            // running too (as a data-parallel sync runs); a curve of the group measured
            // alone is optimistic where lanes share NICs or uplinks.
            try engine.addTimer(at: engine.now + t, tag: Self.tag(.ringDone, s))
            return
        }
        let cost = RingCost.breakdown(kind, bytes: bytes, ring: ringEdges[s], options: options.network)
        ringOverhead[s] = cost.overheadSeconds
        let lanes = reps.map(\.tp).min() ?? 1
        // All lanes when any ring edge's lanes share a link.
        var simulated = 1
        for (i, rep) in reps.enumerated() where simulated == 1 {
            simulated = lanesToSimulate(rep.ranks, reps[(i + 1) % reps.count].ranks, lanes)
        }
        ringPending[s] = reps.count * simulated
        var maxLatency = 0.0
        for (i, rep) in reps.enumerated() {
            let next = reps[(i + 1) % reps.count]
            for lane in 0..<simulated {
                let src = rep.ranks[lane * rep.tp / lanes], dst = next.ranks[lane * next.tp / lanes]
                let info = try engine.routeInfo(src: src, dst: dst)
                maxLatency = max(maxLatency, info.latencySeconds)
                let tag = Self.tag(.ringFlow, (s << 16 | i) << Self.laneBits | lane)
                flowStart[tag] = (engine.now, exec(s, i), src, dst)
                try engine.addFlow(src: src, dst: dst, bytes: cost.bytesPerEdge, tag: tag)
            }
        }
        ringMaxLatency[s] = maxLatency
    }

    mutating func ringFlowDelivered(_ lanePayload: Int, _ engine: inout FlowEngine) throws {
        let s = lanePayload >> (16 + Self.laneBits)
        noteSent(Self.tag(.ringFlow, lanePayload), category: "all-reduce", engine.now)
        ringPending[s] -= 1
        guard ringPending[s] == 0 else { return }
        // The flows paid the bandwidth part and one route latency; the rest of the
        // closed form's overhead follows.
        let extra = max(0, ringOverhead[s] - ringMaxLatency[s])
        try engine.addTimer(at: engine.now + extra, tag: Self.tag(.ringDone, s))
    }

    mutating func ringDone(_ s: Int, _ engine: inout FlowEngine) throws {
        switch ringPhase[s] {
        case .preGather:
            paramsReady[s] = true
            for r in 0..<layout.replicas[s] { try tryStart(exec(s, r), &engine) }
            if bucketRunning[s] >= 0 { ringPhase[s] = .bucket(bucketRunning[s]) }
            try startNextBucket(s, &engine)
        case .bucket:
            bucketsDone[s] += 1
            bucketRunning[s] = -1
            if bucketsDone[s] == buckets[s] { try startOptimizer(s, &engine) } else { try startNextBucket(s, &engine) }
        case .postGather:
            finishStage(s, engine.now)
        }
    }

    mutating func bucketBecameReady(_ payload: Int, _ engine: inout FlowEngine) throws {
        let s = payload >> 24, k = payload & ((1 << 24) - 1)
        bucketReady[s][k] += 1
        if layout.replicas[s] == 1 {
            if k == buckets[s] - 1 { try startOptimizer(s, &engine) }
            return
        }
        try startNextBucket(s, &engine)
    }

    mutating func startNextBucket(_ s: Int, _ engine: inout FlowEngine) throws {
        let k = bucketsDone[s]
        guard bucketRunning[s] < 0, paramsReady[s], k < buckets[s], bucketReady[s][k] == layout.replicas[s] else { return }
        bucketRunning[s] = k
        try startRing(s, bytes: bucketBytes[s], kind: plan.config.zero >= 1 ? .reduceScatter : .allReduce, phase: .bucket(k), &engine)
    }

    mutating func startOptimizer(_ s: Int, _ engine: inout FlowEngine) throws {
        let stage = plan.stages[s]
        let params = bucketBytes[s] * Double(buckets[s]) / plan.config.stateBytes.gradient  // per lane
        for (r, rep) in stage.replicas.enumerated() {
            let held = plan.config.zero >= 1 ? params / Double(stage.replicas.count) : params
            let d = options.optimizerStepSeconds(params: held, chip: rep.chip) * timing[s][r].slow
            try engine.addTimer(at: engine.now + d, tag: Self.tag(.optimizerDone, base[s] + r))
        }
    }

    mutating func optimizerFinished(_ e: Int, _ engine: inout FlowEngine) throws {
        let s = executors[e].stage
        optimizerDone[s] += 1
        guard optimizerDone[s] == layout.replicas[s] else { return }
        if plan.config.zero >= 1 && layout.replicas[s] > 1 {
            let weights = bucketBytes[s] * Double(buckets[s]) / plan.config.stateBytes.gradient * plan.config.stateBytes.weight
            try startRing(s, bytes: weights, kind: .allGather, phase: .postGather, &engine)
        } else {
            finishStage(s, engine.now)
        }
    }

    mutating func finishStage(_ s: Int, _ now: Double) {
        finishedReplicas += layout.replicas[s]
        endTime = max(endTime, now)
    }

    // MARK: Dispatch

    mutating func handle(_ event: NetworkEvent, _ engine: inout FlowEngine) throws {
        let kind = Tag(rawValue: event.tag >> Self.shift)
        let payload = event.tag & ((1 << Self.shift) - 1)
        switch (kind, event.kind) {
        case (.compute, .timer):
            guard let e = ownerOfOperation(payload) else { throw AmalgamError("internal: no executor owns operation \(payload)") }
            try computeDone(e, &engine)
        case (.p2p, .delivered): try delivered(p2p: payload, &engine)
        case (.ringFlow, .delivered): try ringFlowDelivered(payload, &engine)
        case (.ringDone, .timer): try ringDone(payload, &engine)
        case (.bucketReady, .timer): try bucketBecameReady(payload, &engine)
        case (.optimizerDone, .timer): try optimizerFinished(payload, &engine)
        default: break
        }
    }

    /// The executor whose operations include global operation `id`.
    func ownerOfOperation(_ id: Int) -> Int? {
        var lo = 0, hi = executors.count - 1
        var found: Int? = nil
        while lo <= hi {
            let mid = (lo + hi) / 2
            if opBase[mid] <= id { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        // Skip back over executors with no operations that share the same base.
        guard var e = found else { return nil }
        while e >= 0 {
            let count = layout.orders[executors[e].stage][executors[e].replica].count
            if id < opBase[e] + count { return e }
            e -= 1
        }
        return nil
    }
}
