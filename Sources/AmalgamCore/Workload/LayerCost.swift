/// Which tensor-parallel collectives a layer issues.
public enum TPCollectiveKind: String, Sendable, Codable {
    /// No tensor parallelism (tp = 1): nothing to exchange.
    case none
    /// Megatron tensor parallelism: all-reduces of the full activation (Shoeybi et al. 2019).
    case allReduce = "all_reduce"
    /// Sequence parallelism: each all-reduce becomes a reduce-scatter plus an all-gather
    /// (Korthikanti et al. 2022); counts below include both kinds, one collective each.
    case reduceScatterAllGather = "reduce_scatter_all_gather"
}

/// Where a layer's times come from.
public enum TimingSource: String, Sendable, Codable {
    /// The roofline model alone.
    case roofline
    /// A calibration point matching chip, layer shape, seq, tp, recompute, sp and micro-batch.
    case measured
    /// Between measured points of the same key: linear in micro-batch (proportional beyond
    /// them), geometric in tp between measured tp degrees.
    case interpolated
    /// The roofline model scaled by the chip's measured/analytical ratio.
    case rescaled
    /// A sum over layers whose sources differ.
    case mixed
}

/// Cost of one layer (or, from `CostTable`, a sum of layers) for one micro-batch on one
/// chip of a tensor-parallel group. FLOPs and bytes are per chip.
public struct LayerCost: Sendable, Equatable {
    /// Number of layers summed (1 for a single layer).
    public var layers: Int
    /// Forward time, seconds.
    public var fwdSeconds: Double
    /// Backward time including any recomputation, seconds.
    public var bwdSeconds: Double
    /// Matmul FLOPs of the forward pass.
    public var fwdFlops: Double
    /// Matmul FLOPs of the backward pass: 2× forward plus `recomputeFlops`.
    public var bwdFlops: Double
    /// Extra forward FLOPs re-run in the backward pass by recomputation.
    public var recomputeFlops: Double
    /// Bytes read + written by memory-bound ops (norms, softmax, activations, residuals) forward.
    public var fwdBytes: Double
    /// The same for the backward pass (assumption: 2× forward, plus recomputed ops).
    public var bwdBytes: Double
    /// Activation bytes held from forward to backward for one micro-batch.
    public var activationBytes: Double
    /// Parameters held by one chip.
    public var params: Double
    /// Bytes of those parameters in 16-bit form (2 bytes each; see `TrainingMemory` for state).
    public var weightBytes: Double
    /// Which tensor-parallel collectives the layer issues.
    public var tpCollective: TPCollectiveKind
    /// Tensor-parallel collectives in the forward pass.
    public var tpForwardCollectives: Int
    /// Tensor-parallel collectives in the backward pass (including recomputed forwards).
    public var tpBackwardCollectives: Int
    /// Size of each collective's full tensor (s·b·h elements), bytes; 0 when tp = 1.
    public var tpBytesPerCollective: Double
    /// Whether the times are roofline, measured, interpolated or rescaled.
    public var timing: TimingSource
    /// Forward collectives whose time is already inside `fwdSeconds`: a measured layer at
    /// tp > 1 was timed with its tensor-parallel communication (profilers time the whole
    /// layer), so the model must not add it again. 0 for roofline and rescaled times.
    public var tpForwardCollectivesMeasured: Int = 0
    /// The same for the backward pass.
    public var tpBackwardCollectivesMeasured: Int = 0
    /// Forward collectives the caller must time (not inside `fwdSeconds`).
    public var tpForwardCollectivesToTime: Int { tpForwardCollectives - tpForwardCollectivesMeasured }
    /// Backward collectives the caller must time (not inside `bwdSeconds`).
    public var tpBackwardCollectivesToTime: Int { tpBackwardCollectives - tpBackwardCollectivesMeasured }

    /// Forward plus backward time, seconds.
    public var totalSeconds: Double { fwdSeconds + bwdSeconds }
    /// Bytes of all tensor-parallel collectives, forward and backward.
    public var tpCommBytes: Double { Double(tpForwardCollectives + tpBackwardCollectives) * tpBytesPerCollective }

    /// The zero cost (identity of `+`).
    public static let zero = LayerCost(
        layers: 0, fwdSeconds: 0, bwdSeconds: 0, fwdFlops: 0, bwdFlops: 0, recomputeFlops: 0, fwdBytes: 0, bwdBytes: 0,
        activationBytes: 0, params: 0, weightBytes: 0, tpCollective: .none, tpForwardCollectives: 0,
        tpBackwardCollectives: 0, tpBytesPerCollective: 0, timing: .roofline)

    /// `n` copies of this layer summed (exact for identical blocks, and cheaper than adding).
    public func repeated(_ n: Int) -> LayerCost {
        guard n != 1 else { return self }
        guard n > 0 else { return .zero }
        let k = Double(n)
        var c = self
        c.layers *= n
        c.fwdSeconds *= k; c.bwdSeconds *= k; c.fwdFlops *= k; c.bwdFlops *= k; c.recomputeFlops *= k
        c.fwdBytes *= k; c.bwdBytes *= k; c.activationBytes *= k; c.params *= k; c.weightBytes *= k
        c.tpForwardCollectives *= n; c.tpBackwardCollectives *= n
        c.tpForwardCollectivesMeasured *= n; c.tpBackwardCollectivesMeasured *= n
        return c
    }

    /// Sum of two costs. Collective sizes agree within one model and query; the larger is kept.
    public static func + (a: LayerCost, b: LayerCost) -> LayerCost {
        if a.layers == 0 { return b }
        if b.layers == 0 { return a }
        var c = a
        c.layers += b.layers
        c.fwdSeconds += b.fwdSeconds; c.bwdSeconds += b.bwdSeconds
        c.fwdFlops += b.fwdFlops; c.bwdFlops += b.bwdFlops; c.recomputeFlops += b.recomputeFlops
        c.fwdBytes += b.fwdBytes; c.bwdBytes += b.bwdBytes; c.activationBytes += b.activationBytes
        c.params += b.params; c.weightBytes += b.weightBytes
        c.tpForwardCollectives += b.tpForwardCollectives; c.tpBackwardCollectives += b.tpBackwardCollectives
        c.tpForwardCollectivesMeasured += b.tpForwardCollectivesMeasured
        c.tpBackwardCollectivesMeasured += b.tpBackwardCollectivesMeasured
        c.tpBytesPerCollective = max(a.tpBytesPerCollective, b.tpBytesPerCollective)
        if a.tpCollective == .none { c.tpCollective = b.tpCollective }
        if a.timing != b.timing { c.timing = .mixed }
        return c
    }
}
