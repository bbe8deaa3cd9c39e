/// The common additive cost model of a pipeline in a fixed stage order: a stage's time
/// is its fixed time plus its boundary (point-to-point) time plus the sum of its layers'
/// times on that stage's hardware; its memory is a fixed part plus the sum of its
/// layers' bytes, against the stage's capacity.
///
/// Position-dependent memory (1F1B keeps `p − s` micro-batches of activations in flight
/// on stage `s`) is folded in by the caller: `layerBytes[s][l]` is what layer `l` costs
/// *on stage s*, weights plus in-flight activations. An empty stage (when allowed)
/// costs and holds nothing.
public struct StageCostTable: Sendable, Equatable {
    /// `layerSeconds[s][l]`: time of layer `l` on stage `s`'s hardware (≥ 0).
    public let layerSeconds: [[Double]]
    /// Per stage, time paid once whatever its layers (e.g. optimizer step share).
    public let fixedSeconds: [Double]
    /// Per stage, point-to-point time at its boundaries (activations in, gradients out).
    public let boundarySeconds: [Double]
    /// `layerBytes[s][l]`: memory layer `l` takes on stage `s` (≥ 0).
    public let layerBytes: [[Double]]
    /// Per stage, memory taken whatever its layers (runtime, buffers).
    public let fixedBytes: [Double]
    /// Per stage memory capacity in bytes (+∞ allowed: unlimited).
    public let capacityBytes: [Double]

    private let secondsPrefix: [[Double]]
    private let bytesPrefix: [[Double]]
    private let zeroPrefix: [Double]

    /// Number of stages (rows).
    public var stageCount: Int { layerSeconds.count }
    /// Number of layers (columns).
    public var layerCount: Int { layerSeconds.first?.count ?? 0 }

    /// - Parameters: every per-stage array has one entry per stage and every per-layer
    ///   row one entry per layer; omitted memory figures mean "no memory limit",
    ///   omitted fixed and boundary times mean 0.
    /// - Throws: ``AmalgamError`` naming the field, stage, layer and value when a shape
    ///   is wrong or a figure is negative, NaN or infinite (capacity may be +∞).
    public init(layerSeconds: [[Double]], fixedSeconds: [Double]? = nil, boundarySeconds: [Double]? = nil,
                layerBytes: [[Double]]? = nil, fixedBytes: [Double]? = nil, capacityBytes: [Double]? = nil) throws {
        let S = layerSeconds.count
        guard S >= 1 else { throw AmalgamError("stage cost table: layerSeconds needs at least one stage row") }
        let L = layerSeconds[0].count
        func rows(_ name: String, _ x: [[Double]]) throws {
            guard x.count == S else { throw AmalgamError("stage cost table: \(name) has \(x.count) stage rows, expected \(S)") }
            for (s, row) in x.enumerated() {
                guard row.count == L else { throw AmalgamError("stage cost table: \(name)[\(s)] has \(row.count) layers, expected \(L)") }
                for (l, v) in row.enumerated() where !(v.isFinite && v >= 0) {
                    throw AmalgamError("stage cost table: \(name)[\(s)][\(l)] must be a finite number ≥ 0 (got \(v))")
                }
            }
        }
        func column(_ name: String, _ x: [Double], allowInfinity: Bool = false) throws {
            guard x.count == S else { throw AmalgamError("stage cost table: \(name) has \(x.count) entries, expected one per stage (\(S))") }
            for (s, v) in x.enumerated() where !(v >= 0 && (v.isFinite || (allowInfinity && v == .infinity))) {
                throw AmalgamError("stage cost table: \(name)[\(s)] must be a \(allowInfinity ? "" : "finite ")number ≥ 0 (got \(v))")
            }
        }
        try rows("layerSeconds", layerSeconds)
        let zeros = [Double](repeating: 0, count: S)
        let bytes = layerBytes ?? [[Double]](repeating: [Double](repeating: 0, count: L), count: S)
        try rows("layerBytes", bytes)
        try column("fixedSeconds", fixedSeconds ?? zeros)
        try column("boundarySeconds", boundarySeconds ?? zeros)
        try column("fixedBytes", fixedBytes ?? zeros)
        try column("capacityBytes", capacityBytes ?? [Double](repeating: .infinity, count: S), allowInfinity: true)
        self.layerSeconds = layerSeconds
        self.fixedSeconds = fixedSeconds ?? zeros
        self.boundarySeconds = boundarySeconds ?? zeros
        self.layerBytes = bytes
        self.fixedBytes = fixedBytes ?? zeros
        self.capacityBytes = capacityBytes ?? [Double](repeating: .infinity, count: S)
        self.secondsPrefix = layerSeconds.map(Self.prefixSums)
        self.bytesPrefix = bytes.map(Self.prefixSums)
        for s in 0..<S {
            guard (secondsPrefix[s].last ?? 0) + self.fixedSeconds[s] + self.boundarySeconds[s] < .infinity,
                  (bytesPrefix[s].last ?? 0) + self.fixedBytes[s] < .infinity else {
                throw AmalgamError("stage cost table: stage \(s)'s total time or memory overflows a Double; use seconds and bytes of realistic size")
            }
        }
        self.zeroPrefix = [Double](repeating: 0, count: L + 1)
    }

    /// Running sums of non-negative terms: nondecreasing even after rounding, so range
    /// sums taken as differences grow with the range (keeps pruning exact).
    static func prefixSums(_ row: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: row.count + 1)
        for (l, v) in row.enumerated() { out[l + 1] = out[l] + v }
        return out
    }

    /// Time of the layers alone on stage `stage` (no fixed or boundary term).
    public func computeSeconds(stage: Int, layers r: Range<Int>) -> Double {
        secondsPrefix[stage][r.upperBound] - secondsPrefix[stage][r.lowerBound]
    }

    /// Stage time: fixed + boundary + layers; 0 for an empty range.
    public func seconds(stage: Int, layers r: Range<Int>) -> Double {
        r.isEmpty ? 0 : fixedSeconds[stage] + boundarySeconds[stage] + computeSeconds(stage: stage, layers: r)
    }

    /// Memory of stage `stage` holding `layers`; 0 for an empty range.
    public func bytes(stage: Int, layers r: Range<Int>) -> Double {
        r.isEmpty ? 0 : fixedBytes[stage] + (bytesPrefix[stage][r.upperBound] - bytesPrefix[stage][r.lowerBound])
    }

    /// Whether the stage's memory holds the range.
    public func fits(stage: Int, layers r: Range<Int>) -> Bool {
        bytes(stage: stage, layers: r) <= capacityBytes[stage]
    }

    /// The engine's view of this table; ranges passed in are always within bounds.
    func problem(allowEmpty: Bool) -> LayerSplit.Problem {
        LayerSplit.Problem(
            layers: layerCount, stages: stageCount, allowEmpty: allowEmpty, monotoneSeconds: true,
            seconds: { s, r in self.seconds(stage: s, layers: r) },
            fits: { s, r in self.fits(stage: s, layers: r) },
            linkDominates: { s, r in
                self.boundarySeconds[s] > 0
                    && self.boundarySeconds[s] >= self.fixedSeconds[s] + self.computeSeconds(stage: s, layers: r)
            },
            memory: { s, r in (self.bytes(stage: s, layers: r), self.capacityBytes[s]) },
            additive: { s in
                LayerSplit.AdditiveStage(baseSeconds: self.fixedSeconds[s] + self.boundarySeconds[s], secondsPrefix: self.secondsPrefix[s],
                              fixedBytes: self.fixedBytes[s], weightPrefix: self.bytesPrefix[s],
                              activationPrefix: self.zeroPrefix, inFlight: 0, capacityBytes: self.capacityBytes[s])
            })
    }
}

extension LayerSplit {
    /// Exact split for the additive model: O(S·L²) range look-ups at worst, each O(1)
    /// by prefix sums, usually far fewer thanks to memory and cost pruning.
    public static func split(_ table: StageCostTable, allowEmptyStages: Bool = false) throws -> LayerSplitResult {
        try solve(table.problem(allowEmpty: allowEmptyStages))
    }
}
