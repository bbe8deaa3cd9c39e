import Foundation

/// One measured forward/backward time of a single layer (embedding, transformer block,
/// MoE block or LM head) for one micro-batch on one chip of a tensor-parallel group.
public struct CalibrationPoint: Sendable, Equatable {
    /// The chip measured.
    public private(set) var chip: Chip
    /// The model whose layer was measured; its layer shape and `seqLen` define the match key.
    public private(set) var model: TransformerModel
    /// The layer measured.
    public private(set) var kind: LayerKind
    /// Sequences per micro-batch.
    public private(set) var microBatch: Int
    /// Tensor-parallel degree of the measurement.
    public private(set) var tp: Int
    /// Recomputation during the measurement.
    public private(set) var recompute: Recompute
    /// Whether sequence parallelism was on.
    public private(set) var sequenceParallel: Bool
    /// Measured forward time of the layer, seconds (with its tensor-parallel communication at tp > 1).
    public private(set) var fwdSeconds: Double
    /// Measured backward time of the layer, seconds (with recomputation and TP communication).
    public private(set) var bwdSeconds: Double

    /// Same chip, layer kind and shape, sequence, recompute and sequence parallelism:
    /// the points that may be interpolated between (over micro-batch and tp).
    func sameSeries(chip other: Chip, model m: TransformerModel, kind k: LayerKind, query q: LayerQuery) -> Bool {
        chip.id == other.id && kind == k && recompute == q.recompute && sequenceParallel == q.sequenceParallel
            && model.seqLen == m.seqLen && model.layerShapeKey(kind) == m.layerShapeKey(k) && applies(to: other)
    }

    /// Whether the point applies to `other` (a chip of the same id): at tp > 1 the
    /// measured time includes the TP communication, so the scale-up fabric it ran on
    /// (topology and link rate, which a node group may override) must be the same.
    func applies(to other: Chip) -> Bool {
        chip.id == other.id
            && (tp == 1 || (chip.intraTopology == other.intraTopology && chip.intraLinkGBs == other.intraLinkGBs))
    }
}

/// One measured optimizer step: `seconds` to update `params` parameters held by one chip.
public struct OptimizerPoint: Sendable, Equatable {
    /// The chip measured.
    public private(set) var chip: Chip
    /// The model whose step was measured (its whole parameter set, on one chip of a tp group).
    public private(set) var model: TransformerModel
    /// Tensor-parallel degree of the measurement.
    public private(set) var tp: Int
    /// Parameters the chip held (the model's per-chip share at `tp`).
    public private(set) var params: Double
    /// Measured step time, seconds.
    public private(set) var seconds: Double
}

/// The measured-data store: layer times and optimizer steps that override or rescale the
/// roofline model wherever the simulator, the planner (every ranking tier), `layer_cost`
/// and layer rows ask for a time.
///
/// Rules, in order, for a layer of kind K queried on chip C at micro-batch b and tp t:
/// 1. **measured**: a point with the same chip, layer kind and shape, seq, recompute,
///    sequence parallelism ("the series"), tp and micro-batch is returned as is;
/// 2. **interpolated**, from points of the series:
///    - at tp t, two or more points at other micro-batches: linear in micro-batch between
///      the neighbours (time is affine in micro-batch once kernels are large), and
///      proportional (`t·b/b₀`) from the nearest point beyond them;
///    - otherwise, tp t between two measured tp degrees (each resolved at b as above):
///      geometric in tp, `t₀·(t₁/t₀)^w` with `w = ln(t/t₀)/ln(t₁/t₀)` — exact when time
///      follows a power law in tp, which is how tensor-parallel speed-ups are usually
///      reported; tp outside the measured range is not extrapolated;
/// 3. **rescaled**: layer points on C (any model, kind or micro-batch; those at tp t when
///    there are any — their ratio then carries the TP communication, which is not added
///    again — else those at tp 1): the roofline time times the geometric mean over them
///    of measured/roofline, forward and backward separately ("effective efficiency": one
///    point calibrates a chip);
/// 4. **roofline** otherwise.
///
/// Measured times at tp > 1 include the layer's tensor-parallel communication (a profiler
/// times the whole layer), so for measured and interpolated layers the model adds no TP
/// collective time of its own. Optimizer steps: measured seconds per parameter on C
/// (Σ seconds / Σ parameters over C's optimizer points: the step streams each parameter's
/// state once, so it is linear in parameters), else the memory-bound model
/// (``SimulationOptions/optimizerStepSeconds(params:chip:)``). FLOPs, bytes and memory are
/// never changed.
public struct Calibration: Sendable, Equatable {
    /// Layer points in insertion order; a point with the same series, tp and micro-batch
    /// replaces the earlier one.
    public private(set) var points: [CalibrationPoint] = []
    /// Optimizer points in insertion order; one with the same chip, model and tp replaces the earlier one.
    public private(set) var optimizerPoints: [OptimizerPoint] = []

    /// An empty store.
    public init() {}

    /// Whether the store holds nothing.
    public var isEmpty: Bool { points.isEmpty && optimizerPoints.isEmpty }

    /// Layer and optimizer points held.
    public var count: Int { points.count + optimizerPoints.count }

    /// Adds one measurement of one layer (times in milliseconds); `seq` overrides the
    /// model's sequence length. `kind` defaults to the model's first transformer block.
    public mutating func add(chip: Chip, model: TransformerModel, kind: LayerKind? = nil, microBatch: Int, seq: Int? = nil,
                             tp: Int = 1, recompute: Recompute = .none, sequenceParallel: Bool = false,
                             fwdMs: Double, bwdMs: Double) throws {
        let model = try seq.map(model.withSeqLen) ?? model
        insert(try Calibration.makePoint(chip: chip, model: model, kind: kind ?? model.firstBlockKind, microBatch: microBatch,
                                         tp: tp, recompute: recompute, sequenceParallel: sequenceParallel,
                                         fwdMs: fwdMs, bwdMs: bwdMs))
    }

    /// Adds one measured optimizer step of the whole model on one chip of a `tp`-way group
    /// (milliseconds); the chip holds the model's parameters divided over tp. `seq`
    /// overrides the model's sequence length (it only labels the point).
    public mutating func addOptimizerStep(chip: Chip, model: TransformerModel, seq: Int? = nil, tp: Int = 1, updateMs: Double) throws {
        let model = try seq.map(model.withSeqLen) ?? model
        insert(try Calibration.makeOptimizerPoint(chip: chip, model: model, tp: tp, updateMs: updateMs))
    }

    mutating func insert(_ p: CalibrationPoint) {
        if let i = points.firstIndex(where: {
            $0.sameSeries(chip: p.chip, model: p.model, kind: p.kind, query: p.query) && $0.tp == p.tp && $0.microBatch == p.microBatch
        }) {
            points[i] = p
        } else {
            points.append(p)
        }
    }

    mutating func insert(_ p: OptimizerPoint) {
        if let i = optimizerPoints.firstIndex(where: {
            $0.chip.id == p.chip.id && $0.tp == p.tp && $0.model.name == p.model.name && $0.params == p.params
        }) {
            optimizerPoints[i] = p
        } else {
            optimizerPoints.append(p)
        }
    }

    static func makePoint(chip: Chip, model: TransformerModel, kind: LayerKind, microBatch: Int, tp: Int, recompute: Recompute,
                          sequenceParallel: Bool, fwdMs: Double, bwdMs: Double) throws -> CalibrationPoint {
        try chip.validateForCost()
        _ = try LayerQuery(microBatch: microBatch, tp: tp)
        try model.validateTP(tp)
        try CostTable.check(kind, in: model)
        try checkMilliseconds(fwdMs, "fwd_ms")
        try checkMilliseconds(bwdMs, "bwd_ms")
        return CalibrationPoint(chip: chip, model: model, kind: kind, microBatch: microBatch, tp: tp, recompute: recompute,
                                sequenceParallel: sequenceParallel, fwdSeconds: fwdMs / 1000, bwdSeconds: bwdMs / 1000)
    }

    /// A measured time in milliseconds: > 0, and between a picosecond and 30 years, beyond
    /// which it is a unit mistake (and ratios of such times overflow).
    static func checkMilliseconds(_ ms: Double, _ name: String) throws {
        guard ms.isFinite, ms > 0 else { throw AmalgamError("\(name) must be a number > 0, got \(ms)") }
        guard ms >= 1e-9, ms <= 1e12 else {
            throw AmalgamError("\(name) = \(ms) is outside 1e-9 to 1e12 milliseconds (a unit mistake?)")
        }
    }

    static func makeOptimizerPoint(chip: Chip, model: TransformerModel, tp: Int, updateMs: Double) throws -> OptimizerPoint {
        try chip.validateForCost()
        _ = try LayerQuery(microBatch: 1, tp: tp)
        try model.validateTP(tp)
        try checkMilliseconds(updateMs, "update_ms")
        let params = try model.paramsPerChip(layers: 0..<model.layerCount, tp: tp)
        return OptimizerPoint(chip: chip, model: model, tp: tp, params: params, seconds: updateMs / 1000)
    }

    // MARK: Applying

    /// Measured/roofline ratios (forward, backward) for `chip` at `tp`, or nil without
    /// usable points. Points at the query's tp are used when there are any, since the
    /// roofline's error differs by tp (its tensor-parallel speed-up is the part most often
    /// wrong); at tp > 1 their measured times include the TP communication, so the ratio
    /// does too (`includesTPCommunication`) and the caller must not add it again.
    /// Otherwise the points at tp 1 (no communication in them); tp > 1 points at another
    /// degree are not used for other degrees.
    public func ratios(chip: Chip, tp: Int = 1, options: CostOptions = .standard)
        -> (fwd: Double, bwd: Double, includesTPCommunication: Bool)? {
        var logF = 0.0, logB = 0.0, n = 0
        let use = points.contains { $0.tp == tp && $0.applies(to: chip) } ? tp : 1
        for p in points where p.tp == use && p.applies(to: chip) {
            let a = p.model.analyticCost(p.kind, p.query, chip: p.chip, options: options)
            guard a.fwdSeconds > 0, a.bwdSeconds > 0 else { continue }
            logF += log(p.fwdSeconds / a.fwdSeconds); logB += log(p.bwdSeconds / a.bwdSeconds); n += 1
        }
        guard n > 0 else { return nil }
        return (exp(logF / Double(n)), exp(logB / Double(n)), use > 1)
    }

    /// Measured optimizer-step seconds per parameter held on `chip`, nil without optimizer points on it.
    public func optimizerSecondsPerParam(chip: Chip) -> Double? {
        var seconds = 0.0, params = 0.0
        for p in optimizerPoints where p.chip.id == chip.id { seconds += p.seconds; params += p.params }
        return params > 0 ? seconds / params : nil
    }

    /// Measured or interpolated (fwd, bwd, source) for a layer query, when its series has
    /// points that resolve it (rules 1 and 2 above).
    func measured(chip: Chip, model: TransformerModel, kind: LayerKind, query q: LayerQuery)
        -> (fwd: Double, bwd: Double, source: TimingSource)? {
        guard !points.isEmpty else { return nil }
        let series = points.filter { $0.sameSeries(chip: chip, model: model, kind: kind, query: q) }
        guard !series.isEmpty else { return nil }
        var byTP: [(tp: Int, fwd: Double, bwd: Double, source: TimingSource)] = []
        for tp in Set(series.map(\.tp)).sorted() {
            let same = series.filter { $0.tp == tp }.sorted { $0.microBatch < $1.microBatch }
            if let v = Calibration.atMicroBatch(same, q.microBatch) { byTP.append((tp, v.fwd, v.bwd, v.source)) }
        }
        if let hit = byTP.first(where: { $0.tp == q.tp }) { return (hit.fwd, hit.bwd, hit.source) }
        guard let upper = byTP.firstIndex(where: { $0.tp > q.tp }), upper > 0 else { return nil }
        let lo = byTP[upper - 1], hi = byTP[upper]
        let w = log(Double(q.tp) / Double(lo.tp)) / log(Double(hi.tp) / Double(lo.tp))
        // In log space: exact for a power law and safe for any ratio of the two times.
        func between(_ a: Double, _ b: Double) -> Double { exp(log(a) + w * (log(b) - log(a))) }
        return (between(lo.fwd, hi.fwd), between(lo.bwd, hi.bwd), .interpolated)
    }

    /// The value at micro-batch `b` from points of one series and tp, sorted by micro-batch.
    private static func atMicroBatch(_ same: [CalibrationPoint], _ mb: Int) -> (fwd: Double, bwd: Double, source: TimingSource)? {
        if let exact = same.first(where: { $0.microBatch == mb }) { return (exact.fwdSeconds, exact.bwdSeconds, .measured) }
        guard same.count >= 2, let lo = same.first, let hi = same.last else { return nil }
        let b = Double(mb)
        if mb < lo.microBatch || mb > hi.microBatch {
            let near = mb < lo.microBatch ? lo : hi
            let k = b / Double(near.microBatch)
            return (near.fwdSeconds * k, near.bwdSeconds * k, .interpolated)
        }
        guard let upper = same.firstIndex(where: { $0.microBatch > mb }), upper > 0 else { return nil }
        let p0 = same[upper - 1], p1 = same[upper]
        let w = (b - Double(p0.microBatch)) / Double(p1.microBatch - p0.microBatch)
        return (p0.fwdSeconds + w * (p1.fwdSeconds - p0.fwdSeconds), p0.bwdSeconds + w * (p1.bwdSeconds - p0.bwdSeconds), .interpolated)
    }
}

extension CalibrationPoint {
    var query: LayerQuery {
        LayerQuery(unchecked: microBatch, tp: tp, recompute: recompute, sequenceParallel: sequenceParallel)
    }
}

extension LayerQuery {
    /// For values validated elsewhere (calibration points are checked when added).
    init(unchecked microBatch: Int, tp: Int, recompute: Recompute, sequenceParallel: Bool) {
        self.microBatch = microBatch; self.tp = tp; self.recompute = recompute; self.sequenceParallel = sequenceParallel
    }
}

extension TransformerModel {
    /// The kind of the first transformer block (MoE when it is an MoE block).
    var firstBlockKind: LayerKind { isMoEBlock(0) ? .moeBlock : .block }

    /// Key of what one layer of `kind` costs besides micro-batch and sequence: the block
    /// shape, plus vocabulary and tied embeddings for the embedding and LM head.
    func layerShapeKey(_ kind: LayerKind) -> String {
        switch kind {
        case .block, .moeBlock: return blockShapeKey
        case .embedding, .lmHead: return blockShapeKey + "_v\(vocab)_e\(embeddingDim)" + (tiedEmbeddings ? "_tied" : "")
        }
    }
}
