/// How a mixed cluster's plan compares with its chip types trained apart.
public struct AggregateEfficiency: Sendable {
    /// Simulated tokens/s of the best plan of each chip type alone, by chip type id in cluster order.
    public var perChipType: [(chip: String, tokensPerSecond: Double)]
    /// Sum of `perChipType`.
    public var aggregateTokensPerSecond: Double
    /// The mixed plan's tokens/s ÷ the aggregate (1 = as good as separate clusters).
    public var efficiency: Double
}

extension AggregateEfficiency {
    /// Plans each chip type of `request`'s cluster alone (the other types excluded) with
    /// `auto`, simulates, and divides `mixedTokensPerSecond` by the sum. A chip type that
    /// cannot train the model alone (memory) contributes 0, which is reported.
    public static func compute(_ request: PlanRequest, mixedTokensPerSecond: Double) throws -> AggregateEfficiency {
        var per: [(chip: String, tokensPerSecond: Double)] = []
        var order: [String] = []
        for g in request.cluster.groups where !order.contains(g.chip.id) { order.append(g.chip.id) }
        for id in order {
            var r = request
            r.strategy = .auto
            r.top = 1
            r.excludedRanks.formUnion((0..<request.cluster.chipCount).filter { request.cluster.chip(ofRank: $0).id != id })
            guard r.excludedRanks.count < request.cluster.chipCount else { continue }
            let tokens = Double(request.config.globalBatch * request.model.seqLen)
            if let res = try? AutoPlanner.plan(r) { per.append((id, tokens / res.best.estimateSeconds)) } else { per.append((id, 0)) }
        }
        let sum = per.reduce(0) { $0 + $1.tokensPerSecond }
        return AggregateEfficiency(perChipType: per, aggregateTokensPerSecond: sum, efficiency: sum > 0 ? mixedTokensPerSecond / sum : 0)
    }
}

/// The mixed plan's efficiency against its chip types trained apart (see
/// ``AggregateEfficiency/compute(_:mixedTokensPerSecond:)``).
public func aggregateEfficiency(_ request: PlanRequest, mixedTokensPerSecond: Double) throws -> AggregateEfficiency {
    try AggregateEfficiency.compute(request, mixedTokensPerSecond: mixedTokensPerSecond)
}
