/// The training setting a plan is made for.
public struct TrainingConfig: Sendable, Equatable {
    /// Sequences per iteration (the global batch).
    public var globalBatch: Int
    /// Sequences per micro-batch.
    public var microBatch: Int
    /// ZeRO stage 0–3 (sharding over each stage's data-parallel replicas).
    public var zero: Int
    public var recompute: Recompute
    public var sequenceParallel: Bool
    public var schedule: PipelineKind
    /// Model chunks per stage for the interleaved schedule (1 otherwise).
    public var virtualStages: Int
    /// Bytes per parameter of weights, gradients and optimizer state.
    public var stateBytes: TrainingStateBytes

    public init(globalBatch: Int, microBatch: Int = 1, zero: Int = 1, recompute: Recompute = .selective,
                sequenceParallel: Bool = false, schedule: PipelineKind = .oneFOneB, virtualStages: Int = 1,
                stateBytes: TrainingStateBytes = .standard) {
        self.globalBatch = globalBatch; self.microBatch = microBatch; self.zero = zero
        self.recompute = recompute; self.sequenceParallel = sequenceParallel
        self.schedule = schedule; self.virtualStages = virtualStages; self.stateBytes = stateBytes
    }

    /// Micro-batches per iteration, M = global batch / micro-batch.
    public var microbatches: Int { globalBatch / max(microBatch, 1) }

    /// Checks the numbers make sense on their own.
    public func validate() throws {
        guard microBatch >= 1 else { throw AmalgamError("micro_batch must be >= 1 sequence (got \(microBatch))") }
        guard globalBatch >= 1 else { throw AmalgamError("global_batch must be >= 1 sequence (got \(globalBatch))") }
        guard globalBatch % microBatch == 0 else {
            throw AmalgamError("global_batch \(globalBatch) is not divisible by micro_batch \(microBatch); every micro-batch must be full")
        }
        guard (0...3).contains(zero) else { throw AmalgamError("zero must be 0, 1, 2 or 3 (got \(zero))") }
        guard virtualStages >= 1 else { throw AmalgamError("virtual_stages must be >= 1 (got \(virtualStages))") }
        if virtualStages > 1 && schedule != .interleaved {
            throw AmalgamError("virtual_stages = \(virtualStages) needs schedule 'interleaved_1f1b' (got '\(schedule.rawValue)')")
        }
    }
}

/// One data-parallel replica of a stage: a tensor-parallel group of chips of one
/// type inside one node, and its share of every global batch.
public struct ReplicaPlan: Sendable, Equatable {
    /// Cluster ranks of the TP group (TP rank i = `ranks[i]`).
    public var ranks: [Int]
    /// The chip type of every rank in the group.
    public var chip: Chip
    /// Micro-batches this replica processes per iteration.
    public var microbatches: Int

    public init(ranks: [Int], chip: Chip, microbatches: Int) {
        self.ranks = ranks; self.chip = chip; self.microbatches = microbatches
    }

    /// Tensor-parallel degree.
    public var tp: Int { ranks.count }
}

/// One pipeline stage: a contiguous range of model layers and its replicas.
public struct StagePlan: Sendable, Equatable {
    /// Model layers (0 = embedding, last = LM head) this stage holds.
    public var layers: Range<Int>
    public var replicas: [ReplicaPlan]

    public init(layers: Range<Int>, replicas: [ReplicaPlan]) {
        self.layers = layers; self.replicas = replicas
    }
}

/// A complete training plan: pipeline stages in order, each with its layers and its
/// (possibly heterogeneous) data-parallel replicas, for one model on one cluster.
public struct Plan: Sendable {
    public var model: TransformerModel
    public var config: TrainingConfig
    public var stages: [StagePlan]
    /// Name and fingerprint of the cluster the plan places ranks on.
    public var clusterName: String
    public var clusterFingerprint: ClusterFingerprint
    /// How the plan was made: `auto`, `uniform`, `proportional` or `manual`.
    public var strategy: String

    public init(model: TransformerModel, config: TrainingConfig, stages: [StagePlan], cluster: Cluster, strategy: String) {
        self.model = model; self.config = config; self.stages = stages
        clusterName = cluster.name
        clusterFingerprint = ClusterFingerprint(cluster)
        self.strategy = strategy
    }

    /// Pipeline depth.
    public var pp: Int { stages.count }
    /// Largest number of replicas of any stage.
    public var dp: Int { stages.map(\.replicas.count).max() ?? 0 }
    /// Every rank the plan uses.
    public var ranks: [Int] { stages.flatMap { $0.replicas.flatMap(\.ranks) } }

    /// Checks the plan against its cluster: every layer placed exactly once and in
    /// order, ranks exist and are used once, a TP group sits on one node with one chip
    /// type and its size divides the model's heads, every stage sees the whole batch.
    public func validate(on cluster: Cluster) throws {
        try config.validate()
        guard ClusterFingerprint(cluster) == clusterFingerprint else {
            throw AmalgamError("this plan was made for cluster '\(clusterName)' (\(clusterFingerprint.chips) chips), not for '\(cluster.name)' (\(cluster.chipCount) chips)")
        }
        guard !stages.isEmpty else { throw AmalgamError("a plan needs at least one stage") }
        var next = 0
        for (s, stage) in stages.enumerated() {
            guard stage.layers.lowerBound == next else {
                throw AmalgamError("stage \(s + 1) starts at layer \(stage.layers.lowerBound), expected \(next): layers must be placed once, in order")
            }
            guard !stage.layers.isEmpty else { throw AmalgamError("stage \(s + 1) holds no layers") }
            next = stage.layers.upperBound
        }
        guard next == model.layerCount else {
            throw AmalgamError("the stages cover layers 0..<\(next) but the model has \(model.layerCount) layers (embedding, \(model.numLayers) blocks, LM head)")
        }
        var used = Set<Int>()
        let m = config.microbatches
        for (s, stage) in stages.enumerated() {
            guard !stage.replicas.isEmpty else { throw AmalgamError("stage \(s + 1) has no replicas") }
            var total = 0
            for (r, rep) in stage.replicas.enumerated() {
                var name: String { "stage \(s + 1) replica \(r + 1)" }
                guard !rep.ranks.isEmpty else { throw AmalgamError("\(name) has no ranks") }
                guard rep.microbatches >= 0 else { throw AmalgamError("\(name): micro-batches must be >= 0 (got \(rep.microbatches))") }
                total += rep.microbatches
                var node: Int? = nil
                for rank in rep.ranks {
                    guard rank >= 0 && rank < cluster.chipCount else {
                        throw AmalgamError("\(name): rank \(rank) does not exist (the cluster has ranks 0..\(cluster.chipCount - 1))")
                    }
                    guard used.insert(rank).inserted else { throw AmalgamError("\(name): rank \(rank) is used twice in the plan") }
                    let n = cluster.node(ofRank: rank)
                    if let node, node != n {
                        throw AmalgamError("\(name): TP group spans nodes \(node) and \(n); a tensor-parallel group must sit inside one node")
                    }
                    node = n
                    guard cluster.chip(ofRank: rank).id == rep.chip.id else {
                        throw AmalgamError("\(name): rank \(rank) is a '\(cluster.chip(ofRank: rank).id)', not a '\(rep.chip.id)'; a replica holds one chip type")
                    }
                }
                try model.validateTP(rep.tp)
            }
            guard total == m else {
                throw AmalgamError("stage \(s + 1) processes \(total) micro-batches but the batch has \(m) (global_batch \(config.globalBatch) / micro_batch \(config.microBatch)); every stage must see the whole batch")
            }
        }
    }
}

/// What identifies a cluster for a plan: name, chip count and the sequence of chip types.
public struct ClusterFingerprint: Sendable, Equatable {
    public let name: String
    public let chips: Int
    public let signature: Int

    public init(_ cluster: Cluster) {
        name = cluster.name
        chips = cluster.chipCount
        // FNV-1a over the chip type and size of every group: stable across runs, so a
        // saved plan can be checked against a rebuilt cluster.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for g in cluster.groups {
            for byte in "\(g.chip.id):\(g.ranks.count);".utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        signature = Int(truncatingIfNeeded: h)
    }
}
