import Foundation

/// One measured forward/backward time of a single transformer block.
public struct CalibrationPoint: Sendable, Equatable {
    /// The chip measured.
    public private(set) var chip: Chip
    /// The model whose block was measured; its block shape and `seqLen` define the match key.
    public private(set) var model: TransformerModel
    /// Sequences per micro-batch.
    public private(set) var microBatch: Int
    /// Tensor-parallel degree of the measurement.
    public private(set) var tp: Int
    /// Recomputation during the measurement.
    public private(set) var recompute: Recompute
    /// Whether sequence parallelism was on.
    public private(set) var sequenceParallel: Bool
    /// Measured forward time of one block, seconds.
    public private(set) var fwdSeconds: Double
    /// Measured backward time of one block, seconds.
    public private(set) var bwdSeconds: Double

    /// The kind of block measured (MoE when the model's first block is MoE).
    var kind: LayerKind { model.isMoEBlock(0) ? .moeBlock : .block }

    func matches(chip other: Chip, model m: TransformerModel, kind k: LayerKind, query q: LayerQuery) -> Bool {
        chip.id == other.id && kind == k && tp == q.tp && recompute == q.recompute
            && sequenceParallel == q.sequenceParallel && model.seqLen == m.seqLen
            && model.blockShapeKey == m.blockShapeKey
    }
}

/// Measured block times that override or rescale the roofline model.
///
/// Rules, in order, for a transformer block queried on chip C:
/// 1. points with the same chip id, block shape, seq, tp, recompute and sequence
///    parallelism ("the key") and the same micro-batch: the measurement is returned;
/// 2. two or more points of the key at other micro-batches: linear interpolation in
///    micro-batch between the neighbours, proportional (`t·b/b₀`) from the nearest point beyond them;
/// 3. any point on chip C (of any model, tp or micro-batch): the analytical time is
///    multiplied by the geometric mean over those points of measured/analytical,
///    separately for forward and backward. This is the "effective efficiency" correction:
///    one point is enough, and the ratio measured/analytical is then the same for every
///    query on C (other micro-batches, tp degrees, models, and the embedding/LM head).
/// Otherwise the analytical time stands. FLOPs, bytes and memory are never changed.
public struct Calibration: Sendable, Equatable {
    /// Points in insertion order; a point with the same key and micro-batch replaces the earlier one.
    public private(set) var points: [CalibrationPoint] = []

    /// An empty store.
    public init() {}

    /// Adds one measurement of one transformer block (times in milliseconds); `seq`
    /// overrides the model's sequence length.
    public mutating func add(chip: Chip, model: TransformerModel, microBatch: Int, seq: Int? = nil, tp: Int = 1,
                             recompute: Recompute = .none, sequenceParallel: Bool = false,
                             fwdMs: Double, bwdMs: Double) throws {
        let model = try seq.map(model.withSeqLen) ?? model
        let point = try Calibration.makePoint(chip: chip, model: model, microBatch: microBatch, tp: tp, recompute: recompute,
                                              sequenceParallel: sequenceParallel, fwdMs: fwdMs, bwdMs: bwdMs)
        insert(point)
    }

    /// Column names accepted by `addRows`.
    public static let columns = ["chip", "model", "micro_batch", "tp", "recompute", "sequence_parallel", "seq", "fwd_ms", "bwd_ms"]
    /// Columns every row must have.
    public static let requiredColumns = ["chip", "model", "micro_batch", "fwd_ms", "bwd_ms"]

    /// Adds rows read from a CSV (header → cell text). All rows are validated before any is
    /// added, so a bad file leaves the store unchanged. Errors name the row as
    /// `row N` with N = `firstRowNumber` + position (pass 2 when row 1 is the header).
    /// `chip` and `model` resolve the names (the catalog and presets, in the Lua layer).
    public mutating func addRows(_ rows: [[String: String]], firstRowNumber: Int = 1,
                                 chip resolveChip: (String) throws -> Chip,
                                 model resolveModel: (String) throws -> TransformerModel) throws {
        var parsed: [CalibrationPoint] = []
        for (i, row) in rows.enumerated() {
            let n = firstRowNumber.addingReportingOverflow(i).partialValue
            do {
                parsed.append(try Calibration.parse(row, chip: resolveChip, model: resolveModel))
            } catch let e as AmalgamError {
                throw AmalgamError("calibration row \(n): \(e.message)")
            } catch {
                throw AmalgamError("calibration row \(n): \(error)")
            }
        }
        for p in parsed { insert(p) }
    }

    private mutating func insert(_ p: CalibrationPoint) {
        if let i = points.firstIndex(where: {
            $0.matches(chip: p.chip, model: p.model, kind: p.kind, query: p.query) && $0.microBatch == p.microBatch
        }) {
            points[i] = p
        } else {
            points.append(p)
        }
    }

    private static func makePoint(chip: Chip, model: TransformerModel, microBatch: Int, tp: Int, recompute: Recompute,
                                  sequenceParallel: Bool, fwdMs: Double, bwdMs: Double) throws -> CalibrationPoint {
        try chip.validateForCost()
        _ = try LayerQuery(microBatch: microBatch, tp: tp)
        try model.validateTP(tp)
        guard fwdMs.isFinite, fwdMs > 0 else { throw AmalgamError("fwd_ms must be a number > 0, got \(fwdMs)") }
        guard bwdMs.isFinite, bwdMs > 0 else { throw AmalgamError("bwd_ms must be a number > 0, got \(bwdMs)") }
        return CalibrationPoint(chip: chip, model: model, microBatch: microBatch, tp: tp, recompute: recompute,
                                sequenceParallel: sequenceParallel, fwdSeconds: fwdMs / 1000, bwdSeconds: bwdMs / 1000)
    }

    private static func parse(_ row: [String: String], chip resolveChip: (String) throws -> Chip,
                              model resolveModel: (String) throws -> TransformerModel) throws -> CalibrationPoint {
        for key in row.keys.sorted() where !columns.contains(key) {
            throw AmalgamError.unknown("calibration column", key, among: columns)
        }
        func text(_ k: String) throws -> String? {
            guard let v = row[k]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else {
                if requiredColumns.contains(k) { throw AmalgamError("missing value for '\(k)'") }
                return nil
            }
            return v
        }
        func int(_ k: String) throws -> Int? {
            guard let v = try text(k) else { return nil }
            guard let i = Int(v) else { throw AmalgamError("\(k) must be an integer, got '\(v)'") }
            return i
        }
        func number(_ k: String) throws -> Double {
            let v = try text(k) ?? ""
            guard let x = Double(v) else { throw AmalgamError("\(k) must be a number, got '\(v)'") }
            return x
        }
        let chip = try resolveChip(try text("chip") ?? "")
        var model = try resolveModel(try text("model") ?? "")
        if let seq = try int("seq") { model = try model.withSeqLen(seq) }
        let recompute = try text("recompute").map(Recompute.parse) ?? .none
        var sp = false
        if let v = try text("sequence_parallel") {
            switch v.lowercased() {
            case "true", "1", "yes": sp = true
            case "false", "0", "no": sp = false
            default: throw AmalgamError("sequence_parallel must be true or false, got '\(v)'")
            }
        }
        return try makePoint(chip: chip, model: model, microBatch: try int("micro_batch") ?? 0, tp: try int("tp") ?? 1,
                             recompute: recompute, sequenceParallel: sp, fwdMs: try number("fwd_ms"), bwdMs: try number("bwd_ms"))
    }

    // MARK: Applying

    /// Measured/analytical ratios (forward, backward) for `chip`, or nil without points on it.
    public func ratios(chip: Chip, options: CostOptions = .standard) -> (fwd: Double, bwd: Double)? {
        var logF = 0.0, logB = 0.0, n = 0
        for p in points where p.chip.id == chip.id {
            let a = p.model.analyticCost(p.kind, p.query, chip: p.chip, options: options)
            guard a.fwdSeconds > 0, a.bwdSeconds > 0 else { continue }
            logF += log(p.fwdSeconds / a.fwdSeconds); logB += log(p.bwdSeconds / a.bwdSeconds); n += 1
        }
        guard n > 0 else { return nil }
        return (exp(logF / Double(n)), exp(logB / Double(n)))
    }

    /// Measured or interpolated (fwd, bwd, source) for a block query, when the key has points.
    func measured(chip: Chip, model: TransformerModel, kind: LayerKind, query q: LayerQuery)
        -> (fwd: Double, bwd: Double, source: TimingSource)? {
        guard kind == .block || kind == .moeBlock else { return nil }
        let same = points.filter { $0.matches(chip: chip, model: model, kind: kind, query: q) }
            .sorted { $0.microBatch < $1.microBatch }
        if let exact = same.first(where: { $0.microBatch == q.microBatch }) {
            return (exact.fwdSeconds, exact.bwdSeconds, .measured)
        }
        guard same.count >= 2, let lo = same.first, let hi = same.last else { return nil }
        let b = Double(q.microBatch)
        if q.microBatch < lo.microBatch || q.microBatch > hi.microBatch {
            let near = q.microBatch < lo.microBatch ? lo : hi
            let k = b / Double(near.microBatch)
            return (near.fwdSeconds * k, near.bwdSeconds * k, .interpolated)
        }
        guard let upper = same.firstIndex(where: { $0.microBatch > q.microBatch }), upper > 0 else { return nil }
        let p0 = same[upper - 1], p1 = same[upper]
        let w = (b - Double(p0.microBatch)) / Double(p1.microBatch - p0.microBatch)
        return (p0.fwdSeconds + w * (p1.fwdSeconds - p0.fwdSeconds),
                p0.bwdSeconds + w * (p1.bwdSeconds - p0.bwdSeconds), .interpolated)
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
