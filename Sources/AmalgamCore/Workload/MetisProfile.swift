import Foundation

/// Reads the per-layer profile JSON that the Metis heterogeneous planner ships and
/// consumes (Um et al., USENIX ATC'24; the format of its `ProfileDataLoader`, one file
/// per device type, TP degree and micro-batch, named `DeviceType.<GPU>_tp<T>_bs<B>.json`):
///
/// ```
/// { "model": { "model_name": ..., "num_layers": L, "parameters": { ... } },
///   "execution_time": { "layer_compute_total_ms": [L numbers], "optimizer_time_ms": x,
///                       "forward_backward_time_ms": ..., ... },
///   "execution_memory": { ... } }
/// ```
///
/// `layer_compute_total_ms` lists forward + backward milliseconds of every layer of one
/// micro-batch on one chip of the TP group: the embedding, the transformer blocks, then
/// the LM head ("post-process"), so L = blocks + 2. How they become store points:
/// - the embedding and LM head entries become points of those kinds;
/// - the block entries become one point per block kind (dense, MoE): their mean, since
///   Amalgam's blocks of a kind are identical (profilers report run-to-run noise);
/// - each total is split into forward and backward in the roofline model's ratio for
///   that layer and setting (the file has no split; an assumption, stated here);
/// - `optimizer_time_ms` becomes an optimizer point for the whole model on one chip
///   (Metis' own loader doubles this figure for its estimates; Amalgam takes the file's
///   number as measured).
/// Memory figures in the file are not read: memory stays the workload model's.
public struct MetisProfile: Sendable, Equatable {
    /// `model.model_name` as written in the file (informational).
    public var modelName: String
    /// Forward + backward milliseconds per layer, embedding first, LM head last.
    public var layerMs: [Double]
    /// The optimizer step, milliseconds, when the file has it.
    public var optimizerMs: Double?

    /// Parses the JSON text; errors name the missing or malformed field.
    public init(json text: String) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw AmalgamError("not valid JSON (\((error as NSError).localizedDescription))")
        }
        guard let root = object as? [String: Any] else { throw AmalgamError("expected a JSON object at the top level") }
        guard let time = root["execution_time"] as? [String: Any] else {
            throw AmalgamError("missing object 'execution_time' (not a Metis profile?)")
        }
        guard let layers = time["layer_compute_total_ms"] as? [Any] else {
            throw AmalgamError("missing array 'execution_time.layer_compute_total_ms'")
        }
        var ms: [Double] = []
        for (i, v) in layers.enumerated() {
            guard let x = MetisProfile.number(v), x.isFinite, x > 0 else {
                throw AmalgamError("execution_time.layer_compute_total_ms[\(i + 1)] must be a number > 0, got \(v)")
            }
            ms.append(x)
        }
        guard ms.count >= 3 else {
            throw AmalgamError("execution_time.layer_compute_total_ms has \(ms.count) entries; expected the embedding, at least one block and the LM head")
        }
        layerMs = ms
        if let v = time["optimizer_time_ms"] {
            guard let x = MetisProfile.number(v), x.isFinite, x >= 0 else {
                throw AmalgamError("execution_time.optimizer_time_ms must be a number >= 0, got \(v)")
            }
            optimizerMs = x > 0 ? x : nil
        }
        modelName = ((root["model"] as? [String: Any])?["model_name"] as? String) ?? ""
    }

    private static func number(_ v: Any) -> Double? {
        (v as? NSNumber)?.doubleValue
    }

    /// TP degree and micro-batch from a Metis file name (`..._tp4_bs2.json`), each nil when absent.
    public static func setting(fromFileName name: String) -> (tp: Int?, microBatch: Int?) {
        func value(after tag: String) -> Int? {
            guard let r = name.range(of: tag, options: .backwards) else { return nil }
            let digits = name[r.upperBound...].prefix { $0.isASCII && $0.isNumber }
            return digits.isEmpty ? nil : Int(digits)
        }
        return (value(after: "_tp"), value(after: "_bs"))
    }
}

extension Calibration {
    /// Adds a Metis profile measured on `chip` for `model` at `tp` and `microBatch` (see
    /// ``MetisProfile``). Every point is checked before any is added. Returns the points added.
    @discardableResult
    public mutating func add(_ profile: MetisProfile, chip: Chip, model: TransformerModel, microBatch: Int, tp: Int,
                             recompute: Recompute = .none, sequenceParallel: Bool = false,
                             options: CostOptions = .standard) throws -> Int {
        guard profile.layerMs.count == model.layerCount else {
            throw AmalgamError("the profile has \(profile.layerMs.count) layers; model '\(model.name)' has \(model.layerCount) (embedding, \(model.numLayers) blocks, LM head)")
        }
        let query = try LayerQuery(microBatch: microBatch, tp: tp, recompute: recompute, sequenceParallel: sequenceParallel)
        try chip.validateForCost()
        try model.validateTP(tp)
        var totals: [LayerKind: (ms: Double, n: Int)] = [:]
        for (i, ms) in profile.layerMs.enumerated() {
            let kind = try model.layer(i).kind
            let t = totals[kind] ?? (0, 0)
            totals[kind] = (t.ms + ms, t.n + 1)
        }
        var added: [CalibrationPoint] = []
        for kind in LayerKind.allCases {
            guard let t = totals[kind] else { continue }
            let total = t.ms / Double(t.n)
            let roofline = model.analyticCost(kind, query, chip: chip, options: options)
            let fwdShare = roofline.fwdSeconds / (roofline.fwdSeconds + roofline.bwdSeconds)
            added.append(try Calibration.makePoint(chip: chip, model: model, kind: kind, microBatch: microBatch, tp: tp,
                                                   recompute: recompute, sequenceParallel: sequenceParallel,
                                                   fwdMs: total * fwdShare, bwdMs: total * (1 - fwdShare)))
        }
        let optimizer = try profile.optimizerMs.map { try Calibration.makeOptimizerPoint(chip: chip, model: model, tp: tp, updateMs: $0) }
        for p in added { insert(p) }
        if let optimizer { insert(optimizer) }
        return added.count + (optimizer == nil ? 0 : 1)
    }
}
