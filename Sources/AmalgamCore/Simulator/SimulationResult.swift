/// Per-chip outcome of a simulated iteration.
public struct ChipActivity: Sendable, Equatable {
    public var rank: Int
    /// 0-based stage and replica the chip belongs to.
    public var stage: Int
    public var replica: Int
    public var chipId: String
    /// Seconds spent computing (including tensor-parallel collectives inside layers).
    public var computeSeconds: Double
    /// Seconds the chip's sends (activations, gradients, all-reduce) were in flight.
    public var communicationSeconds: Double
    /// Iteration time not spent computing.
    public var idleSeconds: Double
    /// Peak memory by the workload model with the simulated activation stash, bytes.
    public var peakMemoryBytes: Double
    /// The chip's memory capacity, bytes.
    public var capacityBytes: Double
}

/// Traffic carried by one link during the iteration.
public struct LinkActivity: Sendable, Equatable {
    public var index: Int
    public var name: String
    public var kind: LinkKind
    public var bytes: Double
    /// bytes ÷ (line rate × iteration time).
    public var utilisation: Double
}

/// One interval of a Chrome trace: a compute operation on a chip or a flow on a link.
public struct TraceEvent: Sendable, Equatable {
    public enum Track: Sendable, Equatable {
        case chip(Int)
        case link(Int)
    }
    public var track: Track
    public var name: String
    public var category: String
    public var startSeconds: Double
    public var endSeconds: Double
}

/// The outcome of simulating one training iteration of a plan.
public struct SimulationResult: Sendable {
    /// Wall-clock seconds of the iteration.
    public var iterationSeconds: Double
    /// The same iteration with free communication (compute and schedule only).
    public var computeOnlySeconds: Double
    public var tokensPerSecond: Double
    public var samplesPerSecond: Double
    /// Model FLOPs (no recomputation) ÷ (Σ peak FLOP/s of the plan's chips × time).
    public var mfu: Double
    /// Hardware FLOPs (with recomputation) ÷ the same.
    public var hfu: Double
    /// Mean idle fraction of the plan's chips.
    public var bubbleFraction: Double
    /// Iteration time lost to communication: iteration − compute-only iteration.
    public var exposedCommunicationSeconds: Double
    public var chips: [ChipActivity]
    public var links: [LinkActivity]
    /// Flows the network model simulated.
    public var flowCount: Int
    /// Compute operations simulated.
    public var operationCount: Int
    /// Filled when `SimulationOptions.recordTrace` is set.
    public var trace: [TraceEvent]
}
