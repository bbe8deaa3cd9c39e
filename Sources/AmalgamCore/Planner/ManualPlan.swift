/// One hand-written stage: layers `firstLayer...lastLayer` (0-based, inclusive) and its
/// replicas as (ranks, micro-batches); the TP degree is the rank count.
public struct ManualStage: Sendable, Equatable {
    /// First layer (0 = embedding).
    public var firstLayer: Int
    /// Last layer, inclusive.
    public var lastLayer: Int
    /// TP groups (ranks in TP order) and their micro-batch shares.
    public var replicas: [(ranks: [Int], microbatches: Int)]

    /// Values are checked by `Plan.manual`.
    public init(firstLayer: Int, lastLayer: Int, replicas: [(ranks: [Int], microbatches: Int)]) {
        self.firstLayer = firstLayer; self.lastLayer = lastLayer; self.replicas = replicas
    }

    /// Field-wise equality (tuples are not Equatable).
    public static func == (a: ManualStage, b: ManualStage) -> Bool {
        a.firstLayer == b.firstLayer && a.lastLayer == b.lastLayer && a.replicas.count == b.replicas.count
            && zip(a.replicas, b.replicas).allSatisfy { $0.ranks == $1.ranks && $0.microbatches == $1.microbatches }
    }
}

extension Plan {
    /// Builds a hand-written plan, checking ranks before they are looked up, then the
    /// whole plan (``Plan/validate(on:)``: layers once and in order, ranks used once, TP
    /// groups inside one node of one chip type, shares summing to the batch) and memory.
    public static func manual(model: TransformerModel, cluster: Cluster, config: TrainingConfig, stages: [ManualStage]) throws -> Plan {
        var out: [StagePlan] = []
        for (s, st) in stages.enumerated() {
            guard st.firstLayer >= 0, st.lastLayer >= st.firstLayer, st.lastLayer < model.layerCount else {
                throw AmalgamError("stage \(s + 1): layers {\(st.firstLayer), \(st.lastLayer)} must satisfy 0 <= first <= last <= \(model.layerCount - 1) (the model has \(model.layerCount) layers, 0 = embedding, \(model.layerCount - 1) = LM head)")
            }
            var reps: [ReplicaPlan] = []
            for (r, rep) in st.replicas.enumerated() {
                guard let first = rep.ranks.first else { throw AmalgamError("stage \(s + 1) replica \(r + 1) has no ranks") }
                for rank in rep.ranks where rank < 0 || rank >= cluster.chipCount {
                    throw AmalgamError("stage \(s + 1) replica \(r + 1): rank \(rank) does not exist (the cluster has ranks 0..\(cluster.chipCount - 1))")
                }
                reps.append(ReplicaPlan(ranks: rep.ranks, chip: cluster.chip(ofRank: first), microbatches: rep.microbatches))
            }
            out.append(StagePlan(layers: st.firstLayer..<(st.lastLayer + 1), replicas: reps))
        }
        let plan = Plan(model: model, config: config, stages: out, cluster: cluster, strategy: "manual")
        try plan.validate(on: cluster)
        try plan.validateMemory()
        return plan
    }
}
