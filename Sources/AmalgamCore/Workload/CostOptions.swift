/// Activation recomputation during the backward pass (Korthikanti et al. 2022, arXiv:2205.05198).
public enum Recompute: String, Sendable, CaseIterable, Codable {
    /// Keep every activation; no extra work.
    case none
    /// Recompute only the attention core (QK^T, softmax, dropout, ·V): drops the `5as/h`
    /// activation term for the cost of re-running those two matmuls and the softmax.
    case selective
    /// Keep only each block's input and re-run the whole block forward in the backward pass.
    case full

    /// Parses a user string (`"none"`, `"selective"`, `"full"`).
    public static func parse(_ text: String) throws -> Recompute {
        try choice(text, what: "recompute mode")
    }
}

/// How the s×s attention matmuls are counted.
public enum AttentionCounting: String, Sendable, CaseIterable, Codable {
    /// Full s² products, as Megatron's `72·B·s·l·h²(1 + s/6h + …)` and PaLM's MFU count
    /// (Narayanan et al. 2021; Chowdhery et al. 2022 App. B). The default: unfused kernels
    /// compute the masked half too.
    case full
    /// Causal halving: only the lower triangle is computed (FlashAttention-style kernels);
    /// equals Kaplan et al. 2020's `2·n_layer·n_ctx·d_attn` forward FLOPs per token.
    case causal

    /// Parses a user string (`"full"`, `"causal"`).
    public static func parse(_ text: String) throws -> AttentionCounting {
        try choice(text, what: "attention counting")
    }
}

/// How matmul efficiency falls for small GEMMs:
/// `eff(n) = effMax · n / (n + halfDimension)`, where `n` is the GEMM's smallest dimension
/// (M, N or K after tensor-parallel splitting) and `effMax` is `chip.matmulEfficiency`.
///
/// Assumption: the saturating form and the default `halfDimension = 64` are not fitted to
/// a published sweep. They encode the common observation that GEMMs with a dimension of a
/// few thousand run near the large-GEMM rate (n = 4096: 98.5% of effMax) while
/// head-dimension-sized ones (n = 128) lose a third. Calibration corrects the level per chip.
public struct EfficiencyCurve: Sendable, Equatable, Hashable, Codable {
    /// The dimension at which a GEMM reaches half of `effMax`.
    public var halfDimension: Double

    /// Validates that `halfDimension` is finite and not negative.
    public init(halfDimension: Double = 64) throws {
        guard halfDimension.isFinite, halfDimension >= 0 else {
            throw AmalgamError("efficiency curve: n_half must be a finite number >= 0, got \(halfDimension)")
        }
        self.halfDimension = halfDimension
    }

    /// The default curve (`halfDimension = 64`, an assumption; see the type's documentation).
    public static let standard = EfficiencyCurve(uncheckedHalfDimension: 64)

    init(uncheckedHalfDimension: Double) { halfDimension = uncheckedHalfDimension }

    /// Fraction of peak reached by a GEMM whose smallest dimension is `n`.
    public func efficiency(maxEfficiency: Double, smallestDimension n: Double) -> Double {
        maxEfficiency * n / (n + halfDimension)
    }
}

/// Accounting choices shared by cost and memory queries.
public struct CostOptions: Sendable, Equatable, Hashable {
    /// Full or causal counting of the s×s attention matmuls.
    public var attention: AttentionCounting
    /// The efficiency curve of chips without an entry in `curveByChip`.
    public var curve: EfficiencyCurve
    /// Per-chip curves, keyed by chip id (small-GEMM behaviour differs between vendors).
    public var curveByChip: [String: EfficiencyCurve] = [:]
    /// Fused (FlashAttention-style) attention: the s×s scores are neither written to memory nor
    /// kept for the backward pass (only an fp32 log-sum-exp per row), and the backward kernel
    /// recomputes Q·K^T. Off by default so activations follow Korthikanti et al. 2022.
    public var flashAttention: Bool = false
    /// Bytes per activation element moved by memory-bound ops and held in activation memory
    /// (2 = bf16/fp16, the precision Korthikanti et al.'s formulas assume).
    public var activationBytes: Double
    /// Fraction of the roofline speed a production training framework reaches end to end:
    /// kernel-launch gaps, synchronisation, unfused element-wise kernels and the allocator
    /// are not in the per-operation roofline. Analytical times are divided by it (measured
    /// calibration points are not). Default 0.79: the geometric mean of published / predicted
    /// per-GPU TFLOP/s over the ten rows of Narayanan et al. SC'21 Table 1 (A100, 1.7B–1T)
    /// with the factor at 1 (ratios about 0.73–0.84), refitted to two digits when the A100's
    /// own scale-up efficiency replaced H100's (it was 0.80);
    /// `scripts/validate_megatron.lua` shows the fit and the held-out Table 2 rows.
    public var frameworkEfficiency: Double = 0.79

    /// Validates `activationBytes` (> 0).
    public init(attention: AttentionCounting = .full, curve: EfficiencyCurve = .standard, activationBytes: Double = 2) throws {
        guard activationBytes.isFinite, activationBytes > 0 else {
            throw AmalgamError("activation_bytes must be a finite number > 0, got \(activationBytes)")
        }
        self.attention = attention; self.curve = curve; self.activationBytes = activationBytes
    }

    /// The curve used for `chip`.
    public func curve(for chip: Chip) -> EfficiencyCurve { curveByChip[chip.id] ?? curve }

    /// Full attention counting, the standard curve, 2-byte activations.
    public static let standard = CostOptions(unchecked: ())

    private init(unchecked: Void) { attention = .full; curve = .standard; activationBytes = 2 }
}

/// The per-micro-batch parallel setting a layer cost is evaluated under.
public struct LayerQuery: Sendable, Equatable, Hashable {
    /// Sequences per micro-batch.
    public var microBatch: Int
    /// Tensor-parallel degree.
    public var tp: Int
    /// Activation recomputation mode.
    public var recompute: Recompute
    /// Megatron sequence parallelism (norms, dropout and residuals split over tp).
    public var sequenceParallel: Bool

    /// Validates `microBatch >= 1`; `tp` is checked against the model when used.
    public init(microBatch: Int, tp: Int = 1, recompute: Recompute = .none, sequenceParallel: Bool = false) throws {
        guard microBatch >= 1 else { throw AmalgamError("micro_batch must be >= 1, got \(microBatch)") }
        guard microBatch <= 1_000_000 else { throw AmalgamError("micro_batch \(microBatch) is too large (max 1000000)") }
        guard tp >= 1 else { throw AmalgamError("tp must be >= 1, got \(tp)") }
        self.microBatch = microBatch; self.tp = tp; self.recompute = recompute; self.sequenceParallel = sequenceParallel
    }
}

extension Chip {
    /// Checks the figures a cost query divides by, so a bad custom chip gives an error, not inf/NaN.
    func validateForCost() throws {
        guard bf16Tflops.isFinite, bf16Tflops > 0 else {
            throw AmalgamError("chip '\(id)': bf16_tflops must be > 0, got \(bf16Tflops)")
        }
        guard memBwGBs.isFinite, memBwGBs > 0 else {
            throw AmalgamError("chip '\(id)': mem_bw_gbs must be > 0, got \(memBwGBs)")
        }
        guard matmulEfficiency.isFinite, matmulEfficiency > 0, matmulEfficiency <= 1 else {
            throw AmalgamError("chip '\(id)': matmul_efficiency must be in (0, 1], got \(matmulEfficiency)")
        }
    }
}
