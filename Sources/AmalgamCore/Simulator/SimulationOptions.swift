/// Settings of one simulated iteration beyond the plan itself.
public struct SimulationOptions: Sendable {
    /// Gradient bucket size for the data-parallel all-reduce, bytes. Default 25 MB:
    /// PyTorch DDP's `bucket_cap_mb = 25` (torch.nn.parallel.DistributedDataParallel).
    public var bucketBytes: Double = 25e6
    /// Start each gradient bucket's all-reduce as soon as the backward has produced it
    /// (PyTorch DDP, DeepSpeed, Megatron-Core `overlap_grad_reduce`), or only after the
    /// whole backward (Megatron-LM as of SC'21, whose DDP all-reduces one contiguous
    /// buffer after the last micro-batch).
    public var overlapGradientReduce = true
    /// Link efficiencies, slicing and reduction cost of the network model.
    public var network = NetworkOptions()
    /// Straggler factors: compute on a rank takes `factor ×` its modelled time.
    public var slowdown: [Int: Double] = [:]
    /// Measured layer times that override the roofline estimates.
    public var calibration: Calibration? = nil
    /// Roofline settings (efficiency curve, attention counting).
    public var costOptions: CostOptions = .standard
    /// Memory traffic of the optimizer step per parameter held, bytes. Default:
    /// Adam reads and writes fp32 master weights, m and v (12 + 12), reads the
    /// gradient and writes the bf16 weight (assumption: 2 + 2 more) = 28.
    public var optimizerBytesPerParam: Double = 28
    /// Bytes per element of the activations and gradients sent between stages.
    public var activationBytesPerElement: Double = 2
    /// Record every compute operation and flow for a Chrome trace.
    public var recordTrace = false

    public init() {}

    /// Seconds of one optimizer step on `chip` holding `params` parameters: the measured
    /// rate from the calibration store's optimizer points on that chip, else the
    /// memory-bound model (`optimizerBytesPerParam` over the chip's memory bandwidth).
    /// The one formula the simulator and every planner tier use.
    public func optimizerStepSeconds(params: Double, chip: Chip) -> Double {
        if let rate = calibration?.optimizerSecondsPerParam(chip: chip) { return params * rate }
        return params * optimizerBytesPerParam / chip.memBytesPerSecond
    }

    /// Checks every number is in range.
    public func validate() throws {
        guard bucketBytes.isFinite, bucketBytes > 0 else { throw AmalgamError("bucket size must be > 0 bytes (got \(bucketBytes))") }
        for (rank, f) in slowdown where !(f.isFinite && f > 0) {
            throw AmalgamError("slowdown of rank \(rank) must be a positive factor (got \(f))")
        }
        guard optimizerBytesPerParam.isFinite, optimizerBytesPerParam >= 0 else {
            throw AmalgamError("optimizer bytes per parameter must be >= 0 (got \(optimizerBytesPerParam))")
        }
        guard activationBytesPerElement.isFinite, activationBytesPerElement > 0 else {
            throw AmalgamError("activation bytes per element must be > 0 (got \(activationBytesPerElement))")
        }
    }
}
