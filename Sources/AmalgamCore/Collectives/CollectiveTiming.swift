/// What to time: a collective of `bytes` over some ranks of a topology, with an
/// algorithm (or `"auto"`), element width and network options.
public struct CollectiveTimingRequest: Sendable {
    /// The collective.
    public var collective: CollectiveKind
    /// Buffer size S in bytes, as nccl-tests counts it: the all-reduce /
    /// broadcast / reduce buffer, the reduce-scatter input, the all-gather
    /// output, the all-to-all send buffer (each peer gets `S/p`). Must be a
    /// multiple of `dtypeBytes`; all-to-all rounds `S/p` down to whole elements.
    public var bytes: Int
    /// Registry name (see `CollectiveAlgorithms.names`) or `"auto"`.
    public var algorithm: String
    /// Topology ranks taking part, in schedule order (schedule rank `i` is
    /// `ranks[i]`); nil = every rank in order.
    public var ranks: [Int]?
    /// Root (index into `ranks`) for broadcast and reduce.
    public var root: Int
    /// Bytes per element. Default 4: nccl-tests' default data type is float
    /// (`-d float`, nccl-tests `README.md`).
    public var dtypeBytes: Int
    /// Algorithm knobs given by the user; topology-derived ones
    /// (`nodeOfRank`, `linkWeights`, `bandwidthGBs`) are filled in when nil.
    public var parameters: AlgorithmParameters
    /// Network model options (slicing, efficiencies, reduction cost).
    public var options: NetworkOptions
    /// When a measured curve attached to exactly these ranks (for this
    /// collective) replaces the model; see ``MeasuredCurvePolicy``.
    public var measured: MeasuredCurvePolicy

    /// A request; everything but the collective and size has a default.
    public init(_ collective: CollectiveKind, bytes: Int, algorithm: String = "ring", ranks: [Int]? = nil,
                root: Int = 0, dtypeBytes: Int = 4, parameters: AlgorithmParameters = AlgorithmParameters(),
                options: NetworkOptions = NetworkOptions(), measured: MeasuredCurvePolicy = .whenAuto) {
        self.collective = collective; self.bytes = bytes; self.algorithm = algorithm; self.ranks = ranks
        self.root = root; self.dtypeBytes = dtypeBytes; self.parameters = parameters; self.options = options
        self.measured = measured
    }
}

/// When `CollectiveTiming` answers from a measured curve (nccl-tests output
/// attached to a group of ranks, ``MeasuredCollectiveSpec``) instead of the link
/// model. A curve is only ever used for its own collective over exactly its set of
/// ranks; root, data type, network options and algorithm knobs do not apply to it.
public enum MeasuredCurvePolicy: String, Sendable, Equatable, CaseIterable {
    /// Only when the algorithm is `"auto"`: NCCL picks its algorithm itself, so a
    /// measurement answers "what will this cost"; a named algorithm asks what
    /// *that* algorithm costs on the model. The default.
    case whenAuto = "when_auto"
    /// Whenever a curve matches, whatever the algorithm (which then only times
    /// groups without a curve). Scripts that leave the algorithm unset get this.
    case preferred
    /// Never: always the model.
    case ignored
}

/// Where a timing came from.
public enum CollectiveTimingSource: String, Sendable, Equatable, CaseIterable {
    /// The network model ran the algorithm's schedule on the link graph.
    case model
    /// A measured curve (nccl-tests) for exactly these ranks and collective.
    case measured
}

/// One algorithm the `auto` choice looked at.
public struct CollectiveCandidate: Sendable, Equatable {
    /// Registry name.
    public var algorithm: String
    /// Predicted time, seconds; nil when skipped.
    public var seconds: Double?
    /// Why it was skipped (nil when timed).
    public var skipped: String?
}

/// A timed collective.
public struct CollectiveTimingResult: Sendable {
    /// The collective.
    public var collective: CollectiveKind
    /// The algorithm used (the winner when `"auto"` was asked for).
    public var algorithm: String
    /// Topology ranks, in schedule order.
    public var ranks: [Int]
    /// Buffer size S the bandwidths are computed from, bytes (for all-to-all,
    /// after rounding each peer's block to whole elements).
    public var bytes: Double
    /// Predicted time, seconds.
    public var seconds: Double
    /// S / time, GB/s (0 when nothing moved).
    public var algbwGBs: Double
    /// algbw × the nccl-tests bus factor, GB/s (0 when nothing moved).
    public var busbwGBs: Double
    /// Bytes over each topology link (index = link index).
    public var bytesPerLink: [Double]
    /// The most utilised link, nil when nothing crossed a link.
    public var busiestLink: LinkLoad?
    /// Flows the network model simulated.
    public var flowCount: Int
    /// The schedule, in schedule ranks.
    public var schedule: Schedule
    /// The transfer graph that was timed (schedule ranks).
    public var graph: TransferGraph
    /// For `"auto"`: every candidate, in registry order; empty otherwise.
    public var candidates: [CollectiveCandidate]
    /// Model or measured. A measured result has algorithm `"measured"`, an empty
    /// schedule and graph, no link loads and no flows.
    public var source: CollectiveTimingSource = .model
    /// The NCCL protocol the time is for (``NetworkOptions/protocolChoice``); nil
    /// with the protocol model off, for measured results and when nothing moved.
    public var ncclProtocol: NcclProtocol? = nil
    /// The protocol's latency included in `seconds` (base + per-step excess), seconds.
    public var protocolLatencySeconds: Double = 0
}

/// Times collectives on a topology: builds the schedule over a rank subset,
/// fills the topology-aware parameters, lowers it and runs the network model.
public enum CollectiveTiming {
    /// `auto` skips a candidate whose sliced graph would exceed this many flows
    /// (unless none is left): keeps one sweep point from running for minutes.
    /// Assumption: ~4M flows is a few seconds in a release build.
    public static let autoFlowBudget = 4_000_000

    /// Times `request` on `topology`: from the measured curve attached to exactly
    /// the request's set of ranks for its collective when `request.measured` allows
    /// (result `source == .measured`), else on the network model.
    public static func time<T: NetworkTopology>(_ request: CollectiveTimingRequest, on topology: T) throws -> CollectiveTimingResult {
        let subset = try RankSubsetTopology(topology, ranks: request.ranks ?? Array(0..<topology.rankCount))
        let p = subset.rankCount
        try request.options.validate(linkCount: topology.links.count)
        guard request.dtypeBytes >= 1 && request.dtypeBytes <= 16 else {
            throw AmalgamError("dtype size \(request.dtypeBytes) bytes is out of range 1...16")
        }
        guard request.bytes >= 0 else { throw AmalgamError("bytes = \(request.bytes) must be 0 or more") }
        guard request.bytes % request.dtypeBytes == 0 else {
            throw AmalgamError("bytes = \(request.bytes) is not a whole number of \(request.dtypeBytes)-byte elements")
        }
        guard request.root >= 0 && request.root < p else {
            throw AmalgamError("root \(request.root) is out of range 0...\(p - 1) (an index into the \(p) ranks)")
        }
        var elements = request.bytes / request.dtypeBytes
        if request.collective == .allToAll { elements /= p }
        let effectiveBytes = Double(request.collective == .allToAll ? elements * p : elements) * Double(request.dtypeBytes)

        // An unknown algorithm name still fails below, curve or not (a typo is never hidden).
        let known = request.algorithm == "auto" || CollectiveAlgorithms.names.contains(request.algorithm)
        let wantsCurve = known && (request.measured == .preferred || (request.measured == .whenAuto && request.algorithm == "auto"))
        if wantsCurve, let m = topology.measuredCollective(request.collective, ranks: subset.ranks) {
            return measuredResult(m, request: request, ranks: subset.ranks, elements: elements, bytes: effectiveBytes,
                                  linkCount: topology.links.count)
        }
        if request.algorithm == "auto" {
            return try auto(request, subset: subset, elements: elements, bytes: effectiveBytes)
        }
        var params = request.parameters
        try fill(&params, algorithm: request.algorithm, subset: subset, options: request.options)
        let r = CollectiveRequest(request.collective, rankCount: p, elementCount: elements, algorithm: request.algorithm,
                                  root: request.root, parameters: params)
        return try run(r, request: request, subset: subset, bytes: effectiveBytes)
    }

    /// Fills the parameters an algorithm derives from the topology, where the user left them nil.
    static func fill<T>(_ params: inout AlgorithmParameters, algorithm: String, subset: RankSubsetTopology<T>,
                        options: NetworkOptions) throws {
        let p = subset.rankCount
        switch algorithm {
        case "hierarchical_2d":
            if params.nodeOfRank == nil { params.nodeOfRank = (0..<p).map { subset.node(ofRank: $0) } }
        case "ring", "nccl_tree":
            if params.nodeOfRank == nil && params.nicOfRank == nil {
                params.nodeOfRank = (0..<p).map { subset.node(ofRank: $0) }
                params.nicOfRank = (0..<p).map { subset.nic(ofRank: $0) }
            }
        case "weighted_ring":
            if params.linkWeights == nil && params.rankWeights == nil {
                let order = try params.ringOrders?.first.map {
                    try CollectiveRequest.checkPermutation($0, rankCount: p, what: "ring_orders[1]").map(Int.init)
                } ?? Array(0..<p)
                params.linkWeights = p < 2 ? [1] : (0..<p).map {
                    subset.effectiveGBs(from: order[$0], to: order[($0 + 1) % p], options: options)
                }
            }
        case "blink_trees":
            if params.bandwidthGBs == nil && params.edges == nil {
                guard p <= 1024 else {
                    throw AmalgamError("blink_trees derives a \(p)x\(p) bandwidth matrix; use at most 1024 ranks or give edges")
                }
                params.bandwidthGBs = (0..<p).map { a in
                    (0..<p).map { b in a == b ? 0 : subset.effectiveGBs(from: a, to: b, options: options) }
                }
            }
        default: break
        }
    }

    /// Builds, lowers and times one request.
    static func run<T>(_ r: CollectiveRequest, request: CollectiveTimingRequest, subset: RankSubsetTopology<T>,
                       bytes: Double, prebuilt: (Schedule, TransferGraph)? = nil) throws -> CollectiveTimingResult {
        if r.algorithm == "nvls" { try NvlsAlgorithm.check(subset) }
        var (schedule, graph) = try prebuilt ?? {
            let s = try CollectiveAlgorithms.schedule(r)
            return (s, s.transferGraph(bytesPerElement: request.dtypeBytes))
        }()
        if r.algorithm == "nvls" && subset.rankCount > 0 {
            graph.scaleBytes(by: NvlsAlgorithm.byteScale(ranks: r.rankCount, chip: subset.chip(ofRank: 0)), clearReductions: true)
        }
        var timing: NetworkTiming
        var chosen: NcclProtocol?, latency = 0.0
        if request.options.protocolChoice == .off || graph.count == 0 {
            timing = try NetworkModel.time(graph, on: subset, options: request.options)
        } else {
            var capped = 0.0
            (timing, chosen, latency, capped) = try timeProtocols(schedule, graph, request: r, bytes: bytes, subset: subset,
                                                                  options: request.options)
            timing.makespanSeconds = max(timing.makespanSeconds, capped)
        }
        let seconds = timing.makespanSeconds + latency
        var algbw = 0.0, busbw = 0.0
        if seconds > 0 {
            algbw = try BandwidthMetrics.algbwGBs(bytes: bytes, seconds: seconds)
            busbw = algbw * r.collective.busFactor(ranks: r.rankCount)
        }
        return CollectiveTimingResult(collective: r.collective, algorithm: r.algorithm, ranks: subset.ranks, bytes: bytes,
                                      seconds: seconds, algbwGBs: algbw, busbwGBs: busbw,
                                      bytesPerLink: timing.bytesPerLink, busiestLink: timing.busiestLink,
                                      flowCount: timing.flowCount, schedule: schedule, graph: graph, candidates: [],
                                      ncclProtocol: chosen, protocolLatencySeconds: latency)
    }

    /// Times the graph once per protocol `options.protocolChoice` allows (bandwidth
    /// scaled by the protocol's fraction, plus its latency; `ProtocolModel`) and
    /// keeps the fastest; ties go to Simple, then LL128. A protocol whose link-load
    /// lower bound plus latency cannot beat the best so far is not simulated (the
    /// choice is the same, only faster).
    static func timeProtocols<T>(_ schedule: Schedule, _ graph: TransferGraph, request r: CollectiveRequest, bytes: Double,
                                 subset: RankSubsetTopology<T>, options: NetworkOptions) throws
        -> (NetworkTiming, NcclProtocol, Double, Double) {
        let algorithm = r.algorithm
        let family = ProtocolModel.family(of: algorithm)
        let channels = RailRings.channelCount(r)
        let busBytes = bytes * r.collective.busFactor(ranks: r.rankCount)
        let nodes = Set((0..<subset.rankCount).map { subset.node(ofRank: $0) }).count
        let wanted = ProtocolModel.candidates(options.protocolChoice)
        var best: (NetworkTiming, NcclProtocol, Double, Double)?
        var bestTotal = Double.infinity
        let links = subset.links
        for p in wanted {
            guard let f = ProtocolModel.bandwidthFraction(p, family, nodes: nodes) else {
                if wanted.count == 1 {
                    throw AmalgamError("protocol \(p.rawValue) is not available for algorithm '\(algorithm)' (NCCL runs it with Simple only)")
                }
                continue
            }
            var o = options
            o.protocolBandwidthFraction = f
            let latency = ProtocolModel.latencySeconds(schedule, protocol: p, family: family, on: subset)
            // NCCL's per-channel cap (tree across nodes), as a floor on the transfer time.
            var capSeconds = 0.0
            if let cap = ProtocolModel.treeCapGBs(p, family, chip: subset.chip(ofRank: 0), nodes: nodes, channels: channels) {
                capSeconds = busBytes / (cap * 1e9)
            }
            if let (t, _, _, _) = best {
                var bound = 0.0
                for l in t.bytesPerLink.indices where t.bytesPerLink[l] > 0 {
                    bound = max(bound, t.bytesPerLink[l] / (links[l].gbs * 1e9 * o.efficiency(of: links[l], index: l)))
                }
                if max(bound, capSeconds) + latency >= bestTotal { continue }
            }
            let t = try NetworkModel.time(graph, on: subset, options: o)
            let total = max(t.makespanSeconds, capSeconds) + latency
            if total < bestTotal {
                bestTotal = total
                best = (t, p, latency, capSeconds)
            }
        }
        guard let b = best else {
            throw AmalgamError("no NCCL protocol applies to algorithm '\(algorithm)'")
        }
        return b
    }

    /// A result timed from a measured curve.
    static func measuredResult(_ m: MeasuredCollectiveSpec, request: CollectiveTimingRequest, ranks: [Int], elements: Int,
                               bytes: Double, linkCount: Int) -> CollectiveTimingResult {
        let seconds = m.seconds(bytes: bytes)
        var algbw = 0.0, busbw = 0.0
        if seconds > 0 && bytes > 0, let a = try? BandwidthMetrics.algbwGBs(bytes: bytes, seconds: seconds) {
            algbw = a
            busbw = algbw * request.collective.busFactor(ranks: ranks.count)
        }
        let schedule = Schedule(collective: request.collective, algorithm: "measured", rankCount: ranks.count,
                                elementCount: elements, root: request.root)
        return CollectiveTimingResult(collective: request.collective, algorithm: "measured", ranks: ranks, bytes: bytes,
                                      seconds: seconds, algbwGBs: algbw, busbwGBs: busbw,
                                      bytesPerLink: [Double](repeating: 0, count: linkCount), busiestLink: nil,
                                      flowCount: 0, schedule: schedule, graph: TransferGraph(), candidates: [],
                                      source: .measured)
    }

    /// Flows a graph becomes under `options` slicing.
    static func flowEstimate(_ g: TransferGraph, options: NetworkOptions) -> Double {
        guard let sb = options.sliceBytes else { return Double(g.count) }
        return g.bytes.reduce(0.0) { $0 + max(1, ($1 / sb).rounded(.up)) }
    }

    /// Times every applicable candidate and keeps the fastest (ties: the
    /// earlier in registry order).
    static func auto<T>(_ request: CollectiveTimingRequest, subset: RankSubsetTopology<T>, elements: Int,
                        bytes: Double) throws -> CollectiveTimingResult {
        let p = subset.rankCount
        let nodes = (0..<p).map { subset.node(ofRank: $0) }
        let oneSwitch = Set(nodes).count == 1 && subset.chip(ofRank: 0).intraTopology == .switch
        // Blink packs trees over the route-bottleneck matrix; past 64 ranks the
        // p^2 matrix and packing cost more than the candidate is worth (assumption).
        var matrix: [[Double]]?
        if p <= 64 && p > 2 {
            var probe = AlgorithmParameters()
            try fill(&probe, algorithm: "blink_trees", subset: subset, options: request.options)
            matrix = probe.bandwidthGBs
        }
        let hints = TopologyHints(nodeOfRank: nodes, bandwidthGBs: matrix, fullBisection: oneSwitch,
                                  nicOfRank: (0..<p).map { subset.nic(ofRank: $0) },
                                  nvls: (try? NvlsAlgorithm.check(subset)) != nil && p > 1)
        var list = CollectiveAlgorithms.candidates(for: request.collective, rankCount: p, elementCount: elements,
                                                   root: request.root, hints: hints)
        // Weighted ring needs differing link speeds around the ring to be worth a try.
        if request.collective == .allReduce && p > 2 {
            var probe = AlgorithmParameters()
            try fill(&probe, algorithm: "weighted_ring", subset: subset, options: request.options)
            if let w = probe.linkWeights, Set(w).count > 1 {
                list.append(CollectiveRequest(.allReduce, rankCount: p, elementCount: elements, algorithm: "weighted_ring",
                                              root: request.root, parameters: probe))
            }
        }
        let order = CollectiveAlgorithms.names
        list.sort { (order.firstIndex(of: $0.algorithm) ?? 0) < (order.firstIndex(of: $1.algorithm) ?? 0) }

        var report: [CollectiveCandidate] = []
        var best: CollectiveTimingResult?
        var firstError: Error?
        var overBudget: [(CollectiveRequest, Schedule, TransferGraph)] = []
        for var r in list {
            if let k = request.parameters.pipelineChunks { r.parameters.pipelineChunks = k }
            do {
                let s = try CollectiveAlgorithms.schedule(r)
                let g = s.transferGraph(bytesPerElement: request.dtypeBytes)
                let flows = flowEstimate(g, options: request.options)
                if flows > Double(autoFlowBudget) {
                    report.append(CollectiveCandidate(algorithm: r.algorithm, seconds: nil,
                                                      skipped: "about \(Int(flows)) flows (auto budget \(autoFlowBudget))"))
                    overBudget.append((r, s, g))
                    continue
                }
                let t = try run(r, request: request, subset: subset, bytes: bytes, prebuilt: (s, g))
                report.append(CollectiveCandidate(algorithm: r.algorithm, seconds: t.seconds, skipped: nil))
                if best == nil || t.seconds < best!.seconds { best = t }
            } catch {
                if firstError == nil { firstError = error }
                report.append(CollectiveCandidate(algorithm: r.algorithm, seconds: nil, skipped: "\(error)"))
            }
        }
        if best == nil, let (r, s, g) = overBudget.first {
            best = try run(r, request: request, subset: subset, bytes: bytes, prebuilt: (s, g))
            if let i = report.firstIndex(where: { $0.algorithm == r.algorithm }) {
                report[i] = CollectiveCandidate(algorithm: r.algorithm, seconds: best?.seconds, skipped: nil)
            }
        }
        guard var winner = best else {
            if let e = firstError { throw e }
            throw AmalgamError("auto: no algorithm implements \(request.collective.rawValue) on \(p) ranks")
        }
        winner.candidates = report
        return winner
    }
}
