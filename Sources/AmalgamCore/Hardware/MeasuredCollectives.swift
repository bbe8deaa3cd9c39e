/// A measured collective curve (nccl-tests output) attached to a group of ranks
/// of a cluster: a collective of the curve's kind over exactly these ranks is
/// timed from the curve instead of the link model.
///
/// The group is a *set*: the order of `ranks` is kept as given (for saving and
/// messages) but matching ignores it, because NCCL chooses its own ring and tree
/// orders over a communicator, so a measurement belongs to the set of ranks, not
/// to an order.
public struct MeasuredCollectiveSpec: Sendable, Equatable, Hashable, Codable {
    /// Cluster ranks (0-based) the measurement ran on; distinct, at least one.
    public var ranks: [Int]
    /// The measured curve.
    public var curve: MeasuredCollectiveCurve
    /// Which timing group answers (default in-place: see ``MeasuredPlacement``).
    public var placement: MeasuredPlacement
    /// Where the figures came from (a file name), for summaries and messages.
    public var source: String?

    /// A curve attached to `ranks`.
    public init(ranks: [Int], curve: MeasuredCollectiveCurve, placement: MeasuredPlacement = .inPlace, source: String? = nil) {
        self.ranks = ranks; self.curve = curve; self.placement = placement; self.source = source
    }

    /// Time of one collective of `bytes` over the group, seconds (the curve's rule).
    public func seconds(bytes: Double) -> Double { curve.seconds(bytes: bytes, placement: placement) }
}

/// The compiled lookup key of a measured curve: its collective and its ranks, sorted.
struct MeasuredCollectiveKey: Hashable, Sendable {
    let collective: CollectiveKind
    let ranks: [Int]
}

/// Checks the measured curves of a specification against the compiled cluster
/// and builds the lookup table.
enum MeasuredCollectives {
    static func index(spec: ClusterSpec, cluster: Cluster) throws -> [MeasuredCollectiveKey: Int] {
        var table: [MeasuredCollectiveKey: Int] = [:]
        for (i, m) in spec.collectiveCurves.enumerated() {
            let label = "measured \(m.curve.collective.rawValue) curve \(i + 1)" + (m.source.map { " ('\($0)')" } ?? "")
            do { try m.curve.validate() } catch let e as AmalgamError { throw AmalgamError("\(label): \(e.message)") }
            guard !m.ranks.isEmpty else { throw AmalgamError("\(label): no ranks given") }
            var seen = Set<Int>()
            for r in m.ranks {
                guard r >= 0 && r < cluster.chipCount else {
                    throw AmalgamError("\(label): rank \(r) is out of range (cluster has \(cluster.chipCount) chips, 0...\(cluster.chipCount - 1))")
                }
                guard seen.insert(r).inserted else { throw AmalgamError("\(label): rank \(r) is listed twice") }
            }
            if let n = m.curve.rankCount, n != m.ranks.count {
                throw AmalgamError("\(label): the output lists \(n) ranks, but the group has \(m.ranks.count)")
            }
            let key = MeasuredCollectiveKey(collective: m.curve.collective, ranks: m.ranks.sorted())
            if let earlier = table.updateValue(i, forKey: key) {
                throw AmalgamError("\(label): curve \(earlier + 1) already measures \(m.curve.collective.rawValue) over these \(m.ranks.count) ranks")
            }
        }
        return table
    }
}

extension ClusterSpec {
    /// Attaches a measured curve to a group of ranks (checked by `compile()`).
    public mutating func attach(_ curve: MeasuredCollectiveCurve, ranks: [Int], placement: MeasuredPlacement = .inPlace,
                                source: String? = nil) {
        collectiveCurves.append(MeasuredCollectiveSpec(ranks: ranks, curve: curve, placement: placement, source: source))
    }
}

extension Cluster {
    /// The measured curve for `kind` over exactly the set of `ranks` (any order),
    /// or nil. O(p) when `ranks` is sorted, O(p log p) otherwise; O(1) when the
    /// cluster has no curves.
    public func measuredCollective(_ kind: CollectiveKind, ranks: [Int]) -> MeasuredCollectiveSpec? {
        guard !measuredCollectiveIndex.isEmpty else { return nil }
        var sorted = true
        for i in ranks.indices.dropFirst() where ranks[i - 1] > ranks[i] { sorted = false; break }
        let key = MeasuredCollectiveKey(collective: kind, ranks: sorted ? ranks : ranks.sorted())
        return measuredCollectiveIndex[key].map { spec.collectiveCurves[$0] }
    }

    /// Time of one `kind` collective of `bytes` (S, as nccl-tests counts it) over
    /// `ranks`, seconds, from the measured curve attached to exactly that set of
    /// ranks; nil when none is. The curve's interpolation rule is documented on
    /// ``MeasuredCollectiveCurve``. For the simulator and the planner: the same
    /// figure `CollectiveTiming` reports as `source == .measured`.
    public func measuredCollectiveSeconds(_ kind: CollectiveKind, ranks: [Int], bytes: Double) -> Double? {
        measuredCollective(kind, ranks: ranks)?.seconds(bytes: bytes)
    }

    /// The ranks of the named nodes (`site/group/n<i>`), in the order given;
    /// an unknown or repeated node throws.
    public func ranks(onNodes names: [String]) throws -> [Int] {
        var out: [Int] = []
        var seen = Set<Int>()
        for name in names {
            let i = try MeasuredLinks.nodeIndex(named: name, in: self)
            guard seen.insert(i).inserted else { throw AmalgamError("node '\(name)' is listed twice") }
            out += Array(nodes[i].ranks)
        }
        return out
    }
}
