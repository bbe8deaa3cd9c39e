/// The additive cost model of device groups that are still to be ordered into a
/// pipeline (one group = one stage). Time depends on the group only; memory also
/// depends on the position the group takes, because under 1F1B the stage at position
/// `p` of `G` keeps `G − p` micro-batches of activations in flight — so the early,
/// memory-heavy positions suit the large-memory chips.
///
/// Memory of group `g` at position `p` holding layers `i..<j`:
/// `fixedBytes[g] + Σ layerWeightBytes[g][l] + inFlightMicrobatches[p] · Σ layerActivationBytes[g][l]`.
public struct GroupCostTable: Sendable, Equatable {
    /// `layerSeconds[g][l]`: time of layer `l` on group `g` (≥ 0).
    public let layerSeconds: [[Double]]
    /// Per group, time paid once whatever its layers.
    public let fixedSeconds: [Double]
    /// Per group, point-to-point time at its stage boundaries.
    public let boundarySeconds: [Double]
    /// `layerWeightBytes[g][l]`: weights, gradients and optimizer state of layer `l` on `g`.
    public let layerWeightBytes: [[Double]]
    /// `layerActivationBytes[g][l]`: activations of layer `l` for one micro-batch.
    public let layerActivationBytes: [[Double]]
    /// Per group, memory taken whatever its layers.
    public let fixedBytes: [Double]
    /// Per group memory capacity (+∞ allowed).
    public let capacityBytes: [Double]
    /// Per position, micro-batches of activations in flight (1F1B default: `G − p`).
    public let inFlightMicrobatches: [Int]

    private let secondsPrefix: [[Double]]
    private let weightPrefix: [[Double]]
    private let activationPrefix: [[Double]]

    /// Number of groups (= stages).
    public var groupCount: Int { layerSeconds.count }
    /// Number of layers.
    public var layerCount: Int { layerSeconds.first?.count ?? 0 }

    /// Omitted memory figures mean "no memory limit"; omitted times mean 0; omitted
    /// in-flight counts mean 1F1B (`G − p`).
    /// - Throws: ``AmalgamError`` naming the field, group, layer and value on a wrong
    ///   shape or a negative, NaN or infinite figure (capacity may be +∞).
    public init(layerSeconds: [[Double]], fixedSeconds: [Double]? = nil, boundarySeconds: [Double]? = nil,
                layerWeightBytes: [[Double]]? = nil, layerActivationBytes: [[Double]]? = nil,
                fixedBytes: [Double]? = nil, capacityBytes: [Double]? = nil,
                inFlightMicrobatches: [Int]? = nil) throws {
        let G = layerSeconds.count
        guard G >= 1 else { throw AmalgamError("group cost table: layerSeconds needs at least one group row") }
        let L = layerSeconds[0].count
        func rows(_ name: String, _ x: [[Double]]) throws {
            guard x.count == G else { throw AmalgamError("group cost table: \(name) has \(x.count) group rows, expected \(G)") }
            for (g, row) in x.enumerated() {
                guard row.count == L else { throw AmalgamError("group cost table: \(name)[\(g)] has \(row.count) layers, expected \(L)") }
                for (l, v) in row.enumerated() where !(v.isFinite && v >= 0) {
                    throw AmalgamError("group cost table: \(name)[\(g)][\(l)] must be a finite number ≥ 0 (got \(v))")
                }
            }
        }
        func column(_ name: String, _ x: [Double], allowInfinity: Bool = false) throws {
            guard x.count == G else { throw AmalgamError("group cost table: \(name) has \(x.count) entries, expected one per group (\(G))") }
            for (g, v) in x.enumerated() where !(v >= 0 && (v.isFinite || (allowInfinity && v == .infinity))) {
                throw AmalgamError("group cost table: \(name)[\(g)] must be a \(allowInfinity ? "" : "finite ")number ≥ 0 (got \(v))")
            }
        }
        let zeros = [Double](repeating: 0, count: G)
        let zeroRows = [[Double]](repeating: [Double](repeating: 0, count: L), count: G)
        try rows("layerSeconds", layerSeconds)
        try rows("layerWeightBytes", layerWeightBytes ?? zeroRows)
        try rows("layerActivationBytes", layerActivationBytes ?? zeroRows)
        try column("fixedSeconds", fixedSeconds ?? zeros)
        try column("boundarySeconds", boundarySeconds ?? zeros)
        try column("fixedBytes", fixedBytes ?? zeros)
        try column("capacityBytes", capacityBytes ?? [Double](repeating: .infinity, count: G), allowInfinity: true)
        let inFlight = inFlightMicrobatches ?? (0..<G).map { G - $0 }
        guard inFlight.count == G else {
            throw AmalgamError("group cost table: inFlightMicrobatches has \(inFlight.count) entries, expected one per position (\(G))")
        }
        for (p, k) in inFlight.enumerated() where k < 0 {
            throw AmalgamError("group cost table: inFlightMicrobatches[\(p)] must be ≥ 0 (got \(k))")
        }
        self.layerSeconds = layerSeconds
        self.fixedSeconds = fixedSeconds ?? zeros
        self.boundarySeconds = boundarySeconds ?? zeros
        self.layerWeightBytes = layerWeightBytes ?? zeroRows
        self.layerActivationBytes = layerActivationBytes ?? zeroRows
        self.fixedBytes = fixedBytes ?? zeros
        self.capacityBytes = capacityBytes ?? [Double](repeating: .infinity, count: G)
        self.inFlightMicrobatches = inFlight
        self.secondsPrefix = layerSeconds.map(StageCostTable.prefixSums)
        self.weightPrefix = self.layerWeightBytes.map(StageCostTable.prefixSums)
        self.activationPrefix = self.layerActivationBytes.map(StageCostTable.prefixSums)
        let deepest = Double(inFlight.max() ?? 0)
        for g in 0..<G {
            guard (secondsPrefix[g].last ?? 0) + self.fixedSeconds[g] + self.boundarySeconds[g] < .infinity,
                  self.fixedBytes[g] + (weightPrefix[g].last ?? 0) + deepest * (activationPrefix[g].last ?? 0) < .infinity else {
                throw AmalgamError("group cost table: group \(g)'s total time or memory overflows a Double; use seconds and bytes of realistic size")
            }
        }
    }

    /// The additive form of group `g` at pipeline `position`, for the layer-split rows.
    func additiveStage(group g: Int, position: Int) -> LayerSplit.AdditiveStage {
        LayerSplit.AdditiveStage(baseSeconds: fixedSeconds[g] + boundarySeconds[g], secondsPrefix: secondsPrefix[g],
                      fixedBytes: fixedBytes[g], weightPrefix: weightPrefix[g], activationPrefix: activationPrefix[g],
                      inFlight: Double(inFlightMicrobatches[position]), capacityBytes: capacityBytes[g])
    }

    /// Time of the layers alone on group `g`.
    public func computeSeconds(group g: Int, layers r: Range<Int>) -> Double {
        secondsPrefix[g][r.upperBound] - secondsPrefix[g][r.lowerBound]
    }

    /// Stage time of group `g` holding `layers` (position-independent); 0 when empty.
    public func seconds(group g: Int, layers r: Range<Int>) -> Double {
        r.isEmpty ? 0 : fixedSeconds[g] + boundarySeconds[g] + computeSeconds(group: g, layers: r)
    }

    /// Memory of group `g` at pipeline position `position` holding `layers`; 0 when empty.
    public func bytes(group g: Int, position: Int, layers r: Range<Int>) -> Double {
        if r.isEmpty { return 0 }
        let weights = weightPrefix[g][r.upperBound] - weightPrefix[g][r.lowerBound]
        let activations = activationPrefix[g][r.upperBound] - activationPrefix[g][r.lowerBound]
        return fixedBytes[g] + weights + Double(inFlightMicrobatches[position]) * activations
    }

    /// Whether group `g` at `position` can hold `layers`.
    public func fits(group g: Int, position: Int, layers r: Range<Int>) -> Bool {
        bytes(group: g, position: position, layers: r) <= capacityBytes[g]
    }

    /// Interchangeable groups share a class: the index of the first group whose every
    /// figure is identical. Swapping two such groups cannot change any plan's cost.
    public var groupClasses: [Int] {
        (0..<groupCount).map { g in (0..<g).first { h in identical(h, g) } ?? g }
    }

    private func identical(_ a: Int, _ b: Int) -> Bool {
        if layerSeconds[a] != layerSeconds[b] { return false }
        if fixedSeconds[a] != fixedSeconds[b] || boundarySeconds[a] != boundarySeconds[b] { return false }
        if layerWeightBytes[a] != layerWeightBytes[b] { return false }
        if layerActivationBytes[a] != layerActivationBytes[b] { return false }
        return fixedBytes[a] == fixedBytes[b] && capacityBytes[a] == capacityBytes[b]
    }
}
