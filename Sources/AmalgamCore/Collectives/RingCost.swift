/// The ring collectives a closed form exists for.
public enum RingCollective: String, Sendable, CaseIterable {
    /// Reduce-scatter then all-gather: `2(p−1)` steps, the first `p−1` reduce.
    case allReduce = "all_reduce"
    /// `p−1` steps, every one reduces.
    case reduceScatter = "reduce_scatter"
    /// `p−1` steps, none reduces.
    case allGather = "all_gather"

    /// Ring steps over `ranks` ranks: `2(p−1)` for all-reduce, `p−1` otherwise.
    @inline(__always) public func steps(ranks: Int) -> Int {
        self == .allReduce ? 2 * (ranks - 1) : ranks - 1
    }

    /// Steps whose receiver sums the incoming chunk (`p−1`, 0 for all-gather).
    @inline(__always) public func reducingSteps(ranks: Int) -> Int {
        self == .allGather ? 0 : ranks - 1
    }
}

/// What one ring collective costs, split the way the simulator needs it.
public struct RingCostBreakdown: Sendable, Equatable {
    /// Bytes every rank sends over its ring edge, `N·S/p` (the per-flow bytes of a
    /// steady-state ring).
    public var bytesPerEdge: Double
    /// `bytesPerEdge` at the bottleneck edge rate, seconds: the part a steady-state
    /// flow simulation reproduces.
    public var bandwidthSeconds: Double
    /// The whole collective, seconds.
    public var totalSeconds: Double
    /// `totalSeconds − bandwidthSeconds`: latencies, reductions and pipeline fill/drain.
    public var overheadSeconds: Double { totalSeconds - bandwidthSeconds }
}

/// The one closed-form cost of ring all-reduce, reduce-scatter and all-gather, built to
/// reproduce what `CollectiveTiming.time` (algorithm `"ring"`: the ring `Schedule`
/// lowered to transfers and timed by `NetworkModel`) gives on an uncontended ring.
///
/// Notation: `p` ranks in ring order, buffer `S` bytes (all-reduce buffer,
/// reduce-scatter input, all-gather output), chunk `c = S/p` (what every rank sends per
/// step), `N` steps of which `N_r` reduce (see ``RingCollective``), `B` the per-edge
/// effective rate in bytes/s (line rate × efficiency, already divided by the number of
/// ring edges sharing a link, e.g. a PCIe bridge), `α` the per-step latency, `r` the
/// reduction cost in seconds per byte (`reductionMemoryPasses / memBytesPerSecond` of
/// the slowest receiver). With `NetworkOptions.sliceBytes = s_b`, a chunk larger than
/// `s_b` is cut into `k = ⌈c/s_b⌉` slices of `b = c/k` (else `k = 1`, `b = c`); a slice
/// takes `τ = b/B` to send and `ρ = b·r` to reduce; `d = α + ρ·N_r/N` is the mean
/// delay a slice adds between sends.
///
/// The network model runs slice `j` of step `t` at a rank once slice `j−1` of step `t`
/// has left the rank and slice `j` of step `t−1` has arrived (and been summed) there.
/// Three bounds follow, and the time is the largest:
///
///     chain = N·(τ_step + α) + N_r·ρ + (k−1)·τ       one slice's path, the rest behind it
///     pipe  = N·c/B + α_max + ρ_last + lap + I         the rank's link busy with N·c bytes
///     split = (p−1)·(τ + α + ρ) + (p−1)·k·τ + α_max    all-reduce only: reduce-scatter half
///                                                      latency-bound, all-gather half not
///     T     = max(chain, pipe, split)
///
/// - `α_max`, `α_min`: largest and smallest edge latency (both `α` on a ring of like
///   edges); the last slice arrives over the slowest edge. `τ_step = b/B_step`, with
///   `B_step` the rate a chunk averages over its steps (`B` on a ring of like edges).
///   With `k = 1`, `T` is also at least `N·c/B + α_max + ρ_last` (the slowest edge's work).
/// - `ρ_last = ρ` for reduce-scatter (its last step sums), else 0.
/// - `lap = α_max − α_min` for an all-reduce with `k' ≤ 2` (it waits once more behind
///   the slowest edge on its second lap), else 0.
/// - `I`, the time the rank's link idles at the tail: the model shares a link between
///   the steps that have slices ready (max-min fairness), so late steps wait on early
///   ones. With `k' = k − ⌊d/τ⌋`: `I = 0` when `N ≤ 2` or `k' ≤ 2`;
///   `I = min(d/2, (N−2)·max(0, (k−2)·τ − d))` when `k' = 3` (it fades as the chain
///   takes over); else `I = e·d` with `e = ½` for `N = 3`, `⅓` otherwise, scaled by
///   `d/τ` when `d > τ` and capped at `max(e, (N−2)/3)`. These were fitted to the
///   network model, not derived.
///
/// Precision (measured against `CollectiveTiming`, `RingCostPropertyTests`): with
/// `k = 1` (no slicing, or chunks of at most one slice) `T = chain` is exact. Over
/// 6,000 random clusters the builder produces (catalog chips, switch / mesh / ring /
/// PCIe nodes, NICs of 25–800 Gb/s, TP rings inside a node and DP rings whose every
/// edge crosses nodes, 1 KiB–4 GiB split into whole elements per rank) the largest
/// error was 0.8%. Known larger gaps:
/// - A buffer that does not split into equal chunks, on a link every edge shares (a
///   PCIe bridge): the model's ranks drift apart and finish up to ~2% sooner.
/// - Rings whose edges differ (several replicas per node: scale-up and NIC hops mixed;
///   or sites joined by a WAN). ``RingEdgeSummary`` then gives the slowest edge's rate
///   (`pipe`, `split`), the window-mean rate and step latency (`chain`) and the edge
///   latency range. Measured on 150 random mixed rings: 91% within 1%, from −22% to
///   +6% (the worst are unsliced chunks, where a slow hop fed by fast ones queues more
///   than either bound); on 150 two-site rings with a 1–10 ms WAN: 71% within 1%, from
///   −18% to +5% (the tail `I` was fitted on rings of like edges and under-estimates
///   one slow hop among fast ones).
///
/// The function allocates nothing (planner hot path).
public enum RingCost {
    /// The cost of one ring collective, with its split (see ``RingCost``).
    /// - Parameters:
    ///   - kind: all-reduce, reduce-scatter or all-gather.
    ///   - ranks: ranks in the ring, `p`; fewer than 2 costs nothing.
    ///   - bytes: buffer size `S`, bytes.
    ///   - bandwidthBytesPerSecond: per-edge effective rate `B` of the bottleneck edge, bytes/s.
    ///   - latencySeconds: per-step latency `α`, seconds.
    ///   - reductionSecondsPerByte: reduction cost `r` at the slowest receiver, seconds/byte.
    ///   - sliceBytes: `NetworkOptions.sliceBytes` (nil: no slicing).
    ///   - edgeLatencyRangeSeconds: smallest and largest edge route latency when the
    ///     edges differ (nil: every edge has `latencySeconds`).
    ///   - stepBandwidthBytesPerSecond: when the edges' rates differ, the rate a chunk
    ///     averages over the steps it takes (the harmonic mean over its window, see
    ///     ``RingEdgeSummary/stepBytesPerSecond(_:ranks:)``), used in `chain` in place
    ///     of `B` (nil: `B`).
    @inline(__always)
    public static func breakdown(kind: RingCollective, ranks: Int, bytes: Double, bandwidthBytesPerSecond: Double,
                                 latencySeconds: Double, reductionSecondsPerByte: Double, sliceBytes: Double?,
                                 edgeLatencyRangeSeconds: (min: Double, max: Double)? = nil,
                                 stepBandwidthBytesPerSecond: Double? = nil) -> RingCostBreakdown {
        guard ranks > 1, bytes > 0 else {
            return RingCostBreakdown(bytesPerEdge: 0, bandwidthSeconds: 0, totalSeconds: 0)
        }
        let p = Double(ranks)
        let n = Double(kind.steps(ranks: ranks)), nr = Double(kind.reducingSteps(ranks: ranks))
        let chunk = bytes / p
        var k = 1.0
        if let sb = sliceBytes, chunk > sb { k = (chunk / sb).rounded(.up) }
        let slice = chunk / k
        let tau = slice / bandwidthBytesPerSecond
        let rho = slice * reductionSecondsPerByte
        let alpha = latencySeconds
        let bandwidth = n * chunk / bandwidthBytesPerSecond
        let stepTau = slice / (stepBandwidthBytesPerSecond ?? bandwidthBytesPerSecond)
        let chain = n * (stepTau + alpha) + nr * rho + (k - 1) * tau
        let (lo, hi) = edgeLatencyRangeSeconds ?? (alpha, alpha)
        // The bottleneck edge's own work (below `chain` on a ring of like edges).
        var total = max(chain, bandwidth + hi + (kind == .reduceScatter ? rho : 0))
        if k > 1 {
            let d = alpha + rho * nr / n
            let kEff = k - (d / tau).rounded(.down)
            var idle: Double
            if n <= 2 || kEff <= 2 {
                idle = 0
            } else if kEff == 3 {
                // Fades out as d nears (k−2)·τ, where the chain takes over.
                idle = min(0.5 * d, (n - 2) * max(0, (k - 2) * tau - d))
            } else {
                let e = n == 3 ? 0.5 : 1.0 / 3.0
                idle = (d > tau ? min(e * d / tau, max(e, (n - 2) / 3)) : e) * d
            }
            // The last slice reaches its receiver over the slowest-latency edge; an
            // all-reduce with two slices in flight per step also idles once per lap
            // behind it (measured).
            let lap = kind == .allReduce && kEff <= 2 ? hi - lo : 0
            let pipe = bandwidth + hi + lap + (kind == .reduceScatter ? rho : 0) + idle
            total = max(total, pipe)
            if kind == .allReduce {
                // split: the reduction pushes only the first half's per-slice delay past τ.
                let half = Double(ranks - 1)
                total = max(total, half * (tau + alpha + rho) + half * k * tau + hi)
            }
        }
        return RingCostBreakdown(bytesPerEdge: n * chunk, bandwidthSeconds: bandwidth, totalSeconds: total)
    }

    /// Seconds of one ring collective (``breakdown(kind:ranks:bytes:bandwidthBytesPerSecond:latencySeconds:reductionSecondsPerByte:sliceBytes:)``'s total).
    @inline(__always)
    public static func ringCollectiveSeconds(kind: RingCollective, ranks: Int, bytes: Double, bandwidthBytesPerSecond: Double,
                                             latencySeconds: Double, reductionSecondsPerByte: Double, sliceBytes: Double?,
                                             edgeLatencyRangeSeconds: (min: Double, max: Double)? = nil) -> Double {
        breakdown(kind: kind, ranks: ranks, bytes: bytes, bandwidthBytesPerSecond: bandwidthBytesPerSecond,
                  latencySeconds: latencySeconds, reductionSecondsPerByte: reductionSecondsPerByte,
                  sliceBytes: sliceBytes, edgeLatencyRangeSeconds: edgeLatencyRangeSeconds).totalSeconds
    }

    /// Seconds of one ring collective over the ring `ring` summarises, under `options`
    /// (its slicing and reduction passes).
    @inline(__always)
    public static func seconds(_ kind: RingCollective, bytes: Double, ring: RingEdgeSummary, options: NetworkOptions) -> Double {
        breakdown(kind, bytes: bytes, ring: ring, options: options).totalSeconds
    }

    /// The breakdown of one ring collective over the ring `ring` summarises, under
    /// `options`, with NCCL's protocol model as `CollectiveTiming` applies it (unless
    /// `options.protocolChoice` is `.off`): for each protocol allowed, the ring at the
    /// protocol's bandwidth fraction, plus its base latency and the longest chain of
    /// per-step latency excess; the fastest wins, ties to Simple, then LL128
    /// (``ProtocolModel``, NCCL `src/graph/tuning.cc`). `bandwidthSeconds` stays the
    /// bytes at the full edge rate (what the simulator's flows carry); the protocol's
    /// slower rate and latencies are in the overhead.
    public static func breakdown(_ kind: RingCollective, bytes: Double, ring: RingEdgeSummary,
                                 options: NetworkOptions) -> RingCostBreakdown {
        let plain = modelBreakdown(kind, bytes: bytes, ring: ring, options: options, bandwidthFraction: 1)
        guard options.protocolChoice != .off, ring.ranks > 1, bytes > 0 else { return plain }
        var best = plain, bestTotal = Double.infinity
        for p in ProtocolModel.candidates(options.protocolChoice) {
            guard let f = ProtocolModel.bandwidthFraction(p, .ring, nodes: 1) else { continue }
            let b = f == 1 ? plain : modelBreakdown(kind, bytes: bytes, ring: ring, options: options, bandwidthFraction: f)
            let total = b.totalSeconds + ProtocolModel.baseLatencyMicros(.ring)[p.index] * 1e-6
                + ring.protocolExcessSeconds(p, kind, ranks: ring.ranks)
            if total < bestTotal {
                bestTotal = total
                best = RingCostBreakdown(bytesPerEdge: b.bytesPerEdge, bandwidthSeconds: plain.bandwidthSeconds, totalSeconds: total)
            }
        }
        return best
    }

    /// The network-model part of ``breakdown(_:bytes:ring:options:)`` at `bandwidthFraction` of the edge rates.
    @inline(__always)
    static func modelBreakdown(_ kind: RingCollective, bytes: Double, ring: RingEdgeSummary, options: NetworkOptions,
                               bandwidthFraction f: Double) -> RingCostBreakdown {
        breakdown(kind: kind, ranks: ring.ranks, bytes: bytes, bandwidthBytesPerSecond: ring.bottleneckBytesPerSecond * f,
                  latencySeconds: ring.stepLatencySeconds(kind, ranks: ring.ranks),
                  reductionSecondsPerByte: options.reductionMemoryPasses / ring.slowestMemBytesPerSecond,
                  sliceBytes: options.sliceBytes,
                  edgeLatencyRangeSeconds: (ring.minLatencySeconds, ring.maxLatencySeconds),
                  stepBandwidthBytesPerSecond: ring.stepBytesPerSecond(kind, ranks: ring.ranks) * f)
    }

}

/// What ``RingCost`` needs to know about a ring's edges, gathered edge by edge in ring
/// order (edge `i` runs from ring position `i` to `i+1`, the last one closes the ring)
/// without allocating.
public struct RingEdgeSummary: Sendable, Equatable {
    /// Edges added so far (= ranks in the ring once every edge is in).
    public private(set) var ranks = 0
    /// Smallest per-edge effective rate, bytes/s.
    public private(set) var bottleneckBytesPerSecond = Double.infinity
    /// Slowest memory among the receivers, bytes/s (reduction cost).
    public private(set) var slowestMemBytesPerSecond = Double.infinity
    /// Largest edge route latency, seconds.
    public private(set) var maxLatencySeconds = 0.0
    /// Sum of the edge route latencies, seconds.
    public var latencySumSeconds: Double { latencies.sum }
    /// Smallest edge route latency, seconds.
    public var minLatencySeconds: Double { latencies.minimum }
    // Window sums of the edges' route latencies and seconds per byte (1 / rate).
    private var latencies = EdgeWindow(), inverses = EdgeWindow()
    // Per NCCL protocol, each edge's per-step latency beyond its route latency
    // (``ProtocolModel``), summed over the same windows as the latencies.
    private var excessLL = EdgeWindow(), excessLL128 = EdgeWindow(), excessSimple = EdgeWindow()

    /// An empty summary; add the edges with ``add(bytesPerSecond:latencySeconds:receiverMemBytesPerSecond:hardware:)``.
    public init() {}

    /// The largest sum of a per-edge figure over the `N` consecutive edges one chunk of
    /// `kind` crosses (the windows of ``stepLatencySeconds(_:ranks:)``).
    struct EdgeWindow: Sendable, Equatable {
        var sum = 0.0, minimum = Double.infinity, minPair = Double.infinity, first = 0.0, last = 0.0, count = 0

        @inline(__always) mutating func add(_ x: Double) {
            if count == 0 { first = x } else { minPair = min(minPair, last + x) }
            last = x; sum += x; minimum = min(minimum, x); count += 1
        }

        @inline(__always) func window(_ kind: RingCollective, ranks p: Int) -> Double {
            guard p > 1, count > 1 else { return sum }
            switch kind {
            case .allReduce: return p == 2 ? sum : max(0, 2 * sum - min(minPair, last + first))
            case .reduceScatter, .allGather: return max(0, sum - minimum)
            }
        }
    }

    /// The longest chain of protocol `p`'s per-step latency excess a `kind` collective
    /// crosses on this ring, seconds (what ``ProtocolModel`` adds along the schedule's
    /// longest dependency chain).
    func protocolExcessSeconds(_ p: NcclProtocol, _ kind: RingCollective, ranks: Int) -> Double {
        switch p {
        case .ll: return excessLL.window(kind, ranks: ranks)
        case .ll128: return excessLL128.window(kind, ranks: ranks)
        case .simple: return excessSimple.window(kind, ranks: ranks)
        }
    }

    /// Adds the next edge in ring order: its effective rate (bytes/s, shared links
    /// already divided), route latency (seconds) and its receiver's memory bandwidth (bytes/s).
    /// `hardware` is the edge's class in NCCL's latency tables (``ProtocolHardware``).
    @inline(__always)
    public mutating func add(bytesPerSecond: Double, latencySeconds: Double, receiverMemBytesPerSecond: Double,
                             hardware: ProtocolHardware) {
        let hw = ProtocolModel.hwLatencyMicros(hardware, .ring)
        excessLL.add(max(0, hw[0] * 1e-6 - latencySeconds))
        excessLL128.add(max(0, hw[1] * 1e-6 - latencySeconds))
        excessSimple.add(max(0, hw[2] * 1e-6 - latencySeconds))
        latencies.add(latencySeconds)
        inverses.add(1 / bytesPerSecond)
        ranks += 1
        bottleneckBytesPerSecond = min(bottleneckBytesPerSecond, bytesPerSecond)
        slowestMemBytesPerSecond = min(slowestMemBytesPerSecond, receiverMemBytesPerSecond)
        maxLatencySeconds = max(maxLatencySeconds, latencySeconds)
    }

    /// The per-step latency `α` of `kind` on this ring: the largest latency sum over the
    /// `N` consecutive edges one chunk crosses, divided by `N`. A reduce-scatter or
    /// all-gather chunk crosses every edge but one (`(Σα − min α)/(p−1)`); an all-reduce
    /// chunk goes round once and then all but two consecutive edges
    /// (`(2Σα − min(α_i + α_{i+1}))/(2p−2)`). Equals the edge latency when all are alike.
    @inline(__always)
    public func stepLatencySeconds(_ kind: RingCollective, ranks p: Int) -> Double {
        guard p > 1, ranks > 1 else { return maxLatencySeconds }
        return latencies.window(kind, ranks: p) / Double(kind.steps(ranks: p))
    }

    /// The rate a chunk averages over the `N` consecutive edges it crosses (the same
    /// windows as ``stepLatencySeconds(_:ranks:)``, slowest window): `N / Σ 1/B_e`.
    /// Equals the edge rate when all are alike. The window leaves out the edge(s) of
    /// smallest `1/B` and of smallest latency separately, so on a ring where those are
    /// different edges it is a slight under-estimate of the rate.
    @inline(__always)
    public func stepBytesPerSecond(_ kind: RingCollective, ranks p: Int) -> Double {
        guard p > 1, ranks > 1 else { return bottleneckBytesPerSecond }
        return Double(kind.steps(ranks: p)) / inverses.window(kind, ranks: p)
    }

    /// The summary of the ring `ranks` (topology ranks in ring order) on `topology` under
    /// `options`: each edge's route, its bottleneck `line rate × efficiency` divided by
    /// the number of ring edges crossing that link (they run at once), its latency and
    /// the receiver's memory bandwidth.
    public init<T: NetworkTopology>(topology: T, ranks: [Int], options: NetworkOptions) {
        let p = ranks.count
        let routes = p > 1 ? (0..<p).map { topology.route(from: ranks[$0], to: ranks[($0 + 1) % p]) } : []
        self.init(topology: topology, ranks: ranks, options: options,
                  edgeLinks: { routes[$0].links }, edgeLatencySeconds: { routes[$0].latencySeconds }, divides: { _ in true })
    }

    /// The same summary from routes the caller already has (the planner's path cache):
    /// `edgeLinks(i)` and `edgeLatencySeconds(i)` describe the route from ring position
    /// `i` to `i+1`. The one place a ring's edges are turned into rates: a link crossed
    /// by several edges at once gives each its share (for links `divides(l)` accepts:
    /// routes shared between chips of one node name one chip's own ports, which the
    /// other chips' edges do not really cross).
    public init<T: NetworkTopology>(topology: T, ranks: [Int], options: NetworkOptions,
                                    edgeLinks: (Int) -> [Int], edgeLatencySeconds: (Int) -> Double,
                                    divides: (Int) -> Bool) {
        self.init()
        let p = ranks.count
        guard p > 1 else { return }
        let links = topology.links
        var crossings: [Int: Int] = [:]   // looked up by key only, never iterated
        for i in 0..<p { for l in edgeLinks(i) where divides(l) { crossings[l, default: 0] += 1 } }
        for i in 0..<p {
            var rate = Double.infinity
            for l in edgeLinks(i) {
                rate = min(rate, links[l].gbs * 1e9 * options.efficiency(of: links[l], index: l) / Double(crossings[l] ?? 1))
            }
            add(bytesPerSecond: rate, latencySeconds: edgeLatencySeconds(i),
                receiverMemBytesPerSecond: topology.chip(ofRank: ranks[(i + 1) % p]).memBytesPerSecond,
                hardware: ProtocolModel.hardware(topology, ranks[i], ranks[(i + 1) % p]))
        }
    }
}

extension RingCollective {
    /// The collective as the rest of the project names it.
    public var collectiveKind: CollectiveKind {
        switch self {
        case .allReduce: return .allReduce
        case .reduceScatter: return .reduceScatter
        case .allGather: return .allGather
        }
    }
}

extension Cluster {
    /// Whether any measured collective curve (``Cluster/measuredCollectiveSeconds(_:ranks:bytes:)``)
    /// is attached: callers on a hot path skip building rank lists when none is.
    public var hasMeasuredCollectives: Bool { !measuredCollectiveIndex.isEmpty }

    /// Which measured curves (all-reduce, reduce-scatter, all-gather) cover exactly the
    /// set `ranks`, as one number (-1: none), so caches of per-group figures can tell
    /// groups with curves apart. O(1) without curves.
    public func measuredCurveTag(ranks: [Int]) -> Int {
        guard hasMeasuredCollectives else { return -1 }
        let sorted = ranks.sorted()
        var tag = 0, any = false
        for kind in RingCollective.allCases {
            let i = measuredCollectiveIndex[MeasuredCollectiveKey(collective: kind.collectiveKind, ranks: sorted)]
            if let i { any = true }
            tag = tag &* 1_000_003 &+ (i ?? -1) &+ 1
        }
        return any ? tag : -1
    }

    /// Seconds of ring collective `kind` of `bytes` over `ranks` (whose ring `ring`
    /// summarises): the measured curve for exactly that set when there is one, else
    /// ``RingCost``. What the planner and the simulator ask for every ring they time.
    public func ringSeconds(_ kind: RingCollective, bytes: Double, ranks: [Int], ring: RingEdgeSummary,
                            options: NetworkOptions) -> Double {
        measuredSeconds(kind, ranks: ranks, bytes: bytes) ?? RingCost.seconds(kind, bytes: bytes, ring: ring, options: options)
    }

    /// Measured seconds of ring collective `kind` of `bytes` over exactly the set `ranks`,
    /// from a curve loaded from nccl-tests output; nil when none matches. The planner and
    /// the simulator ask this before ``RingCost``: measured where measured.
    public func measuredSeconds(_ kind: RingCollective, ranks: [Int], bytes: Double) -> Double? {
        guard hasMeasuredCollectives else { return nil }
        return measuredCollectiveSeconds(kind.collectiveKind, ranks: ranks, bytes: bytes)
    }

    /// Seconds the tensor-parallel collectives of one micro-batch add to a layer range's
    /// forward and backward: `forwardCollectives` and `backwardCollectives` ring
    /// collectives of `bytesPerCollective` each over the TP group `ranks` (summarised by
    /// `ring`), each timed by ``ringSeconds(_:bytes:ranks:ring:options:)``. Megatron TP
    /// (`.allReduce`) runs all-reduces; sequence parallelism (`.reduceScatterAllGather`)
    /// runs reduce-scatters and all-gathers in equal numbers, so each of its
    /// collectives costs their mean.
    public func tensorParallelSeconds(_ collective: TPCollectiveKind, bytesPerCollective: Double, forwardCollectives: Int,
                                      backwardCollectives: Int, ranks: [Int], ring: RingEdgeSummary,
                                      options: NetworkOptions) -> (forward: Double, backward: Double) {
        guard ring.ranks > 1, bytesPerCollective > 0 else { return (0, 0) }
        func time(_ kind: RingCollective) -> Double {
            ringSeconds(kind, bytes: bytesPerCollective, ranks: ranks, ring: ring, options: options)
        }
        let one: Double
        switch collective {
        case .none: return (0, 0)
        case .allReduce: one = time(.allReduce)
        case .reduceScatterAllGather: one = (time(.reduceScatter) + time(.allGather)) / 2
        }
        return (Double(forwardCollectives) * one, Double(backwardCollectives) * one)
    }

}
