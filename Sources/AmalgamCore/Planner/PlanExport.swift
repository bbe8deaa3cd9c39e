/// One rank's role in a plan, the neutral form the JSON export is written from.
public struct RankAssignment: Sendable, Equatable {
    /// Cluster rank.
    public var rank: Int
    /// 0-based stage.
    public var stage: Int
    /// 0-based replica of the stage.
    public var replica: Int
    /// Position inside its TP group (0-based).
    public var tpRank: Int
    /// First and last layer, inclusive.
    public var firstLayer: Int
    /// Last layer, inclusive.
    public var lastLayer: Int
    /// Micro-batches of its replica per iteration.
    public var microbatches: Int
    /// Every rank of its TP group, in TP order.
    public var tpGroup: [Int]
}

extension Plan {
    /// Per-rank assignments, ascending by rank.
    public func rankAssignments() -> [RankAssignment] {
        var out: [RankAssignment] = []
        for (s, stage) in stages.enumerated() {
            for (r, rep) in stage.replicas.enumerated() {
                for (i, rank) in rep.ranks.enumerated() {
                    out.append(RankAssignment(rank: rank, stage: s, replica: r, tpRank: i, firstLayer: stage.layers.lowerBound,
                                              lastLayer: stage.layers.upperBound - 1, microbatches: rep.microbatches, tpGroup: rep.ranks))
                }
            }
        }
        return out.sorted { $0.rank < $1.rank }
    }
}
