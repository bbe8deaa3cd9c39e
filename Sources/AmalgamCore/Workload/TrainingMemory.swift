/// Bytes of training state per parameter for mixed-precision Adam.
///
/// Default 2 + 2 + 12 = 16 bytes: fp16/bf16 weights and gradients, and fp32 master
/// weights, momentum and variance (K = 12), as in Rajbhandari et al. 2020 (ZeRO,
/// arXiv:1910.02054) §3.1. Frameworks that accumulate gradients in fp32 (Megatron's
/// distributed optimizer) use `gradient: 4` (18 bytes/parameter).
public struct TrainingStateBytes: Sendable, Equatable, Hashable {
    /// Bytes of the working (16-bit) weight copy.
    public var weight: Double
    /// Bytes of the gradient.
    public var gradient: Double
    /// Bytes of optimizer state (fp32 master weight, Adam m and v: 12).
    public var optimizer: Double

    /// Validates that every figure is finite and >= 0.
    public init(weight: Double = 2, gradient: Double = 2, optimizer: Double = 12) throws {
        for (name, v) in [("weight_bytes", weight), ("grad_bytes", gradient), ("optimizer_bytes", optimizer)] {
            guard v.isFinite, v >= 0 else { throw AmalgamError("\(name) per parameter must be a number >= 0, got \(v)") }
        }
        self.weight = weight; self.gradient = gradient; self.optimizer = optimizer
    }

    /// 2 + 2 + 12 bytes per parameter (ZeRO paper).
    public static let standard = TrainingStateBytes(w: 2, g: 2, o: 12)
    private init(w: Double, g: Double, o: Double) { weight = w; gradient = g; optimizer = o }

    /// Bytes per parameter without sharding.
    public var total: Double { weight + gradient + optimizer }

    /// Training state of `params` parameters on one chip with ZeRO stage `zero` over `dp`
    /// replicas (Rajbhandari et al. 2020 §5.1: P_os shards optimizer state, P_os+g also
    /// gradients, P_os+g+p also weights).
    public func perChipBytes(params: Double, zero: Int, dp: Int) throws -> (weights: Double, gradients: Double, optimizer: Double) {
        guard dp >= 1 else { throw AmalgamError("dp must be >= 1, got \(dp)") }
        guard (0...3).contains(zero) else { throw AmalgamError("zero stage must be 0, 1, 2 or 3, got \(zero)") }
        guard params.isFinite, params >= 0 else { throw AmalgamError("params must be a number >= 0, got \(params)") }
        let n = Double(dp)
        return (params * weight / (zero >= 3 ? n : 1), params * gradient / (zero >= 2 ? n : 1),
                params * optimizer / (zero >= 1 ? n : 1))
    }
}

extension PipelineKind {
    /// Micro-batches of activations held at once on stage `stage` (0-based) of `pp`, with
    /// `microBatches` per iteration: GPipe holds all m (Huang et al. 2019); 1F1B holds
    /// p − stage (Narayanan et al. 2021); ZB-H1 defers stage s's weight gradients by s
    /// passes, so every stage holds up to p (Qi et al. 2023); interleaved 1F1B holds its
    /// warm-up of (p − s − 1)·2 + (v − 1)·p + 1 chunks, each 1/v of the stage.
    public func inFlight(stage: Int, pp: Int, microBatches: Int, virtualStages: Int = 1) throws -> Int {
        guard pp >= 1 else { throw AmalgamError("pp must be >= 1, got \(pp)") }
        guard (0..<pp).contains(stage) else { throw AmalgamError("pipeline stage \(stage) out of range 0..<\(pp)") }
        guard microBatches >= 1 else { throw AmalgamError("micro_batches must be >= 1, got \(microBatches)") }
        guard virtualStages >= 1 else { throw AmalgamError("virtual_stages must be >= 1, got \(virtualStages)") }
        switch self {
        case .gpipe: return microBatches
        case .oneFOneB: return min(pp - stage, microBatches)
        case .zbH1: return min(pp, microBatches)
        case .interleaved:
            let v = virtualStages
            let chunks = min((pp - stage - 1) * 2 + (v - 1) * pp + 1, microBatches * v)
            return (chunks + v - 1) / v
        }
    }
}

/// Memory held by one chip, by component, in bytes.
public struct MemoryBreakdown: Sendable, Equatable {
    /// Layer indices held by this chip's pipeline stage.
    public var layers: Range<Int>
    /// Parameters held by the chip before ZeRO sharding (its tensor-parallel slice).
    public var params: Double
    /// Weights after ZeRO-3 sharding (if any).
    public var weightsBytes: Double
    /// Gradients after ZeRO-2 sharding (if any).
    public var gradientsBytes: Double
    /// Optimizer state after ZeRO-1 sharding (if any).
    public var optimizerBytes: Double
    /// Activations of one micro-batch times `inFlight`.
    public var activationsBytes: Double
    /// Micro-batches whose activations are held at once.
    public var inFlight: Int
    /// Framework overhead (context, communication buffers, fragmentation).
    public var overheadBytes: Double
    /// The chip's memory capacity.
    public var capacityBytes: Double

    /// Sum of all components.
    public var totalBytes: Double { weightsBytes + gradientsBytes + optimizerBytes + activationsBytes + overheadBytes }
    /// Whether the total fits in the capacity.
    public var fits: Bool { totalBytes <= capacityBytes }
}

extension TransformerModel {
    /// Assumption: 2 GB per chip for the framework (CUDA/CANN context, NCCL/HCCL buffers,
    /// allocator fragmentation, GEMM workspaces); not a measured figure.
    public static let defaultOverheadBytes = 2e9

    /// Layers of pipeline stage `stage` of `pp` when blocks are split evenly (the first
    /// `numLayers % pp` stages take one more), the embedding on the first stage and the
    /// LM head on the last.
    public func stageLayers(pp: Int, stage: Int) throws -> Range<Int> {
        guard pp >= 1 else { throw AmalgamError("pp must be >= 1, got \(pp)") }
        guard pp <= numLayers else {
            throw AmalgamError("pp (\(pp)) must be <= the number of transformer blocks (\(numLayers)) of model '\(name)'")
        }
        guard (0..<pp).contains(stage) else { throw AmalgamError("pp_stage \(stage) out of range 0..<\(pp)") }
        let base = numLayers / pp, extra = numLayers % pp
        let start = stage * base + min(stage, extra)
        let end = start + base + (stage < extra ? 1 : 0)
        // Block j is layer j + 1; the embedding (0) joins stage 0, the LM head (L + 1) the last stage.
        return (stage == 0 ? 0 : start + 1)..<(stage == pp - 1 ? numLayers + 2 : end + 1)
    }

    /// Parameters one chip of a `tp`-way group holds for `layers`: the layers' own (tensor
    /// parallel shards plus replicated norms and biases) and, with tied embeddings, the copy
    /// of the shared matrix a last stage without the embedding keeps. The figure memory,
    /// gradient synchronisation and optimizer steps are all sized by.
    public func paramsPerChip(layers range: Range<Int>, tp: Int) throws -> Double {
        try costTable(chip: .flopCounter, microBatch: 1, tp: tp).cost(layers: range).params + tiedCopyParams(layers: range, tp: tp)
    }

    /// The tied-embedding copy a last stage without the embedding holds, per chip.
    func tiedCopyParams(layers range: Range<Int>, tp: Int) -> Double {
        tiedEmbeddings && range.upperBound == layerCount && range.lowerBound > 0 ? Double(vocab) * Double(embeddingDim) / Double(tp) : 0
    }

    /// Memory of one chip: a `tp`-way slice of stage `ppStage` of `pp` (or of `layers`), with
    /// ZeRO stage `zero` over `dp` data-parallel replicas and `inFlight` micro-batches of
    /// activations (default: 1F1B's `pp − ppStage`).
    ///
    /// ZeRO (Rajbhandari et al. 2020 §5): stage 1 shards optimizer state over `dp`, stage 2 also
    /// gradients, stage 3 also weights. With tied embeddings, a last stage that does not hold
    /// the embedding keeps its own copy of the shared matrix (as Megatron does).
    public func memory(chip: Chip, tp: Int = 1, pp: Int = 1, ppStage: Int = 0, dp: Int = 1, zero: Int = 0,
                       microBatch: Int, recompute: Recompute = .none, sequenceParallel: Bool = false,
                       layers: Range<Int>? = nil, inFlight: Int? = nil,
                       state: TrainingStateBytes = .standard, overheadBytes: Double = TransformerModel.defaultOverheadBytes,
                       options: CostOptions = .standard) throws -> MemoryBreakdown {
        guard dp >= 1 else { throw AmalgamError("dp must be >= 1, got \(dp)") }
        guard (0...3).contains(zero) else { throw AmalgamError("zero stage must be 0, 1, 2 or 3, got \(zero)") }
        guard overheadBytes.isFinite, overheadBytes >= 0 else {
            throw AmalgamError("overhead bytes must be a number >= 0, got \(overheadBytes)")
        }
        guard chip.memGB.isFinite, chip.memGB > 0 else { throw AmalgamError("chip '\(chip.id)': mem_gb must be > 0, got \(chip.memGB)") }
        let range = try layers ?? stageLayers(pp: pp, stage: ppStage)
        let held = try inFlight ?? PipelineKind.oneFOneB.inFlight(stage: ppStage, pp: pp, microBatches: pp - ppStage)
        guard held >= 0 else { throw AmalgamError("in_flight must be >= 0, got \(held)") }

        let table = try costTable(chip: chip, microBatch: microBatch, tp: tp, recompute: recompute,
                                  sequenceParallel: sequenceParallel, options: options)
        let cost = try table.cost(layers: range)
        let params = cost.params + tiedCopyParams(layers: range, tp: tp)
        let sharded = try state.perChipBytes(params: params, zero: zero, dp: dp)
        return MemoryBreakdown(
            layers: range, params: params,
            weightsBytes: sharded.weights, gradientsBytes: sharded.gradients, optimizerBytes: sharded.optimizer,
            activationsBytes: cost.activationBytes * Double(held), inFlight: held,
            overheadBytes: overheadBytes, capacityBytes: chip.memBytes)
    }
}
