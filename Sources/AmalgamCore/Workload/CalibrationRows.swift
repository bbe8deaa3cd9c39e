/// The documented CSV form of the measured-data store: one row per layer point or
/// optimizer point, read by `addRows` and written by `am.calibration()` in the Lua layer,
/// so a store saved as CSV reads back unchanged.
extension Calibration {
    /// Column names, in the order `am.calibration()` writes them.
    public static let columns = ["chip", "model", "kind", "micro_batch", "tp", "recompute", "sequence_parallel", "seq",
                                 "fwd_ms", "bwd_ms", "update_ms"]
    /// Columns every row must have.
    public static let requiredColumns = ["chip", "model"]
    /// Values of the `kind` column: the layer kinds, plus `optimizer` for a whole-model optimizer step.
    public static let kinds = LayerKind.allCases.map(\.rawValue) + ["optimizer"]

    /// Adds rows read from a CSV (header → cell text). Layer rows (kind embedding, block,
    /// moe_block or lm_head; default: the model's first block) need micro_batch, fwd_ms and
    /// bwd_ms; optimizer rows (kind optimizer) need update_ms, the step of the whole model
    /// on one chip of a tp group. All rows are validated before any is added, so a bad file
    /// leaves the store unchanged. Errors name the row as `row N` with N = `firstRowNumber`
    /// + position. `chip` and `model` resolve the names (the catalog and presets, in the Lua layer).
    public mutating func addRows(_ rows: [[String: String]], firstRowNumber: Int = 1,
                                 chip resolveChip: (String) throws -> Chip,
                                 model resolveModel: (String) throws -> TransformerModel) throws {
        var layers: [CalibrationPoint] = [], optimizer: [OptimizerPoint] = []
        for (i, row) in rows.enumerated() {
            let n = firstRowNumber.addingReportingOverflow(i).partialValue
            do {
                switch try Calibration.parse(row, chip: resolveChip, model: resolveModel) {
                case .layer(let p): layers.append(p)
                case .optimizer(let p): optimizer.append(p)
                }
            } catch let e as AmalgamError {
                throw AmalgamError("calibration row \(n): \(e.message)")
            } catch {
                throw AmalgamError("calibration row \(n): \(error)")
            }
        }
        for p in layers { insert(p) }
        for p in optimizer { insert(p) }
    }

    /// The layer kind a `kind` value names, nil for `optimizer`; anything else is an
    /// error listing the values (`what` names the option in it).
    public static func layerKind(_ text: String, what: String = "calibration kind") throws -> LayerKind? {
        if text == "optimizer" { return nil }
        guard let kind = LayerKind(rawValue: text) else { throw AmalgamError.unknown(what, text, among: kinds) }
        return kind
    }

    private enum ParsedRow { case layer(CalibrationPoint), optimizer(OptimizerPoint) }

    private static func parse(_ row: [String: String], chip resolveChip: (String) throws -> Chip,
                              model resolveModel: (String) throws -> TransformerModel) throws -> ParsedRow {
        for key in row.keys.sorted() where !columns.contains(key) {
            throw AmalgamError.unknown("calibration column", key, among: columns)
        }
        func text(_ k: String, required: Bool = false) throws -> String? {
            guard let v = row[k]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else {
                if required || requiredColumns.contains(k) { throw AmalgamError("missing value for '\(k)'") }
                return nil
            }
            return v
        }
        func int(_ k: String, required: Bool = false) throws -> Int? {
            guard let v = try text(k, required: required) else { return nil }
            guard let i = Int(v) else { throw AmalgamError("\(k) must be an integer, got '\(v)'") }
            return i
        }
        func number(_ k: String) throws -> Double {
            let v = try text(k, required: true) ?? ""
            guard let x = Double(v) else { throw AmalgamError("\(k) must be a number, got '\(v)'") }
            return x
        }
        let chip = try resolveChip(try text("chip") ?? "")
        var model = try resolveModel(try text("model") ?? "")
        if let seq = try int("seq") { model = try model.withSeqLen(seq) }
        let tp = try int("tp") ?? 1
        let kindText = try text("kind")
        if kindText == "optimizer" {
            for k in ["micro_batch", "fwd_ms", "bwd_ms", "recompute", "sequence_parallel"] where try text(k) != nil {
                throw AmalgamError("an optimizer row takes no '\(k)' (only chip, model, tp, seq and update_ms)")
            }
            return .optimizer(try makeOptimizerPoint(chip: chip, model: model, tp: tp, updateMs: try number("update_ms")))
        }
        let kind = try kindText.flatMap { try Calibration.layerKind($0) } ?? model.firstBlockKind
        if try text("update_ms") != nil {
            throw AmalgamError("update_ms belongs on an optimizer row (kind = optimizer), not on a \(kind.rawValue) row")
        }
        let recompute = try text("recompute").map(Recompute.parse) ?? .none
        var sp = false
        if let v = try text("sequence_parallel") {
            switch v.lowercased() {
            case "true", "1", "yes": sp = true
            case "false", "0", "no": sp = false
            default: throw AmalgamError("sequence_parallel must be true or false, got '\(v)'")
            }
        }
        return .layer(try makePoint(chip: chip, model: model, kind: kind, microBatch: try int("micro_batch", required: true) ?? 0,
                                    tp: tp, recompute: recompute, sequenceParallel: sp,
                                    fwdMs: try number("fwd_ms"), bwdMs: try number("bwd_ms")))
    }
}
