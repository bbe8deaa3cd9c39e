/// Re-planning after chips or nodes drop out.
public enum Replan {
    /// The ranks to exclude: `ranks` plus every rank of `nodes`; throws on unknown ones.
    public static func excluded(cluster: Cluster, ranks: [Int], nodes: [Int]) throws -> Set<Int> {
        var out = Set<Int>()
        for r in ranks {
            guard r >= 0 && r < cluster.chipCount else {
                throw AmalgamError("without.ranks: rank \(r) does not exist (the cluster has ranks 0..\(cluster.chipCount - 1))")
            }
            out.insert(r)
        }
        for n in nodes {
            guard n >= 0 && n < cluster.nodes.count else {
                throw AmalgamError("without.nodes: node \(n) does not exist (the cluster has nodes 0..\(cluster.nodes.count - 1))")
            }
            out.formUnion(cluster.nodes[n].ranks)
        }
        return out
    }

    /// Plans `request` again without `excluded` (added to any already excluded) and
    /// returns the new result and the fraction of throughput lost against `previous`
    /// (1 − new tokens/s ÷ old tokens/s; negative if the new plan is faster).
    public static func replan(_ request: PlanRequest, previousSeconds: Double, without excluded: Set<Int>) throws -> (result: PlanResult, lost: Double) {
        var r = request
        r.excludedRanks.formUnion(excluded)
        let result = try AutoPlanner.plan(r)
        return (result, 1 - previousSeconds / result.best.estimateSeconds)
    }
}

