/// A subset of a topology's ranks, renumbered `0..<ranks.count`, with every
/// link of the base topology kept (so link indices, names and the network
/// model's per-link results match the base). Schedule rank `i` is base rank
/// `ranks[i]`.
public struct RankSubsetTopology<Base: NetworkTopology>: NetworkTopology {
    /// The topology the ranks come from.
    public let base: Base
    /// Base rank of each local rank.
    public let ranks: [Int]

    /// The subset `ranks` of `base`. Ranks must be in `0..<base.rankCount` and
    /// distinct; a bad entry is named by its 1-based position in `ranks` (as a
    /// script's array shows it) and its value.
    public init(_ base: Base, ranks: [Int]) throws {
        guard !ranks.isEmpty else { throw AmalgamError("ranks is empty; give at least one rank") }
        var seen = [Int: Int]()   // looked up by key only, never iterated
        for (i, r) in ranks.enumerated() {
            guard r >= 0 && r < base.rankCount else {
                throw AmalgamError("ranks entry \(i + 1) is rank \(r), out of range: the cluster has \(base.rankCount) ranks, 0...\(base.rankCount - 1)")
            }
            if let j = seen[r] {
                throw AmalgamError("ranks entry \(i + 1) is rank \(r) again (already entry \(j + 1)); each rank may appear once")
            }
            seen[r] = i
        }
        self.base = base
        self.ranks = ranks
    }

    /// Number of ranks in the subset.
    public var rankCount: Int { ranks.count }
    /// Every link of the base topology.
    public var links: [Link] { base.links }
    /// The base route between the two ranks' base ranks.
    public func route(from a: Int, to b: Int) -> Route { base.route(from: ranks[a], to: ranks[b]) }
    /// The base node of the rank.
    public func node(ofRank rank: Int) -> Int { base.node(ofRank: ranks[rank]) }
    /// The base site of the rank.
    public func site(ofRank rank: Int) -> Int { base.site(ofRank: ranks[rank]) }
    /// The base NIC of the rank.
    public func nic(ofRank rank: Int) -> Int { base.nic(ofRank: ranks[rank]) }
    /// The base chip of the rank.
    public func chip(ofRank rank: Int) -> Chip { base.chip(ofRank: ranks[rank]) }

    /// Effective rate of the route from `a` to `b` (local ranks), GB/s: the
    /// smallest `line rate × efficiency` over its links under `options`.
    public func effectiveGBs(from a: Int, to b: Int, options: NetworkOptions) -> Double {
        let all = base.links
        var best = Double.infinity
        for l in route(from: a, to: b).links {
            best = min(best, all[l].gbs * options.efficiency(of: all[l], index: l))
        }
        return best
    }
}
