/// A ring all-reduce for rings whose links differ in speed: chunk sizes are chosen
/// so every link finishes its share at the same time.
///
/// Derivation. Let position `q`'s link to `q+1` run at `B_q` and let chunk `q` (the
/// one position `q` owns after reduce-scatter) hold `s_q` of the `S` bytes. In a
/// ring reduce-scatter chunk `q` starts at `q+1` and ends at `q`, so it crosses
/// every link except link `q`: link `q` carries `S - s_q`. Equal finishing times
/// `(S - s_q)/B_q = T` for all `q`, summed over `q`, give `pS - S = T*sum(B)`:
///
///     T = (p-1) * S / sum(B),   s_q = S - T * B_q = S * (1 - (p-1) * B_q / sum(B))
///
/// the lower bound (no schedule moves the `(p-1)S` bytes faster through links of
/// total speed `sum(B)`). Faster links own smaller chunks, so they carry more. If
/// `(p-1) B_q > sum(B)` a link would need a negative chunk: it gets `s_q = 0` and
/// `T` is re-solved over the others (water-filling), `T = (|A|-1) S / sum_A(B)`.
///
/// The all-gather runs the ring backwards: the link from `q` into `q-1` carries
/// every chunk except `q-1`'s, `S - s_{q-1}`, over the reverse direction of link
/// `q-1`, so with symmetric links it also finishes in `T`. Total: `2(p-1)S/sum(B)`.
enum WeightedRing {
    /// Chunk fractions `s_q/S` for link speeds `linkWeights`, and `T/S`.
    static func shares(linkWeights w: [Double]) -> (fractions: [Double], timePerByte: Double) {
        let p = w.count
        guard p > 1 else { return ([1], 0) }
        var active = [Bool](repeating: true, count: p)
        var fractions = [Double](repeating: 0, count: p)
        while true {
            let members = (0..<p).filter { active[$0] }
            let t = Double(members.count - 1) / members.reduce(0.0) { $0 + w[$1] }
            var clamped = false
            for q in members {
                let s = 1 - t * w[q]
                if s < 0 { active[q] = false; fractions[q] = 0; clamped = true } else { fractions[q] = s }
            }
            if !clamped { return (fractions, t) }
        }
    }

    /// Link speeds around the ring from the parameters.
    static func linkWeights(_ r: CollectiveRequest, order: [Int32]) throws -> [Double] {
        let p = r.rankCount
        func check(_ w: [Double], _ name: String) throws {
            guard w.count == p else { throw AmalgamError("\(name) has \(w.count) entries; it needs one per rank (\(p))") }
            if let i = w.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw AmalgamError("\(name)[\(i + 1)] is \(w[i]); weights must be positive and finite")
            }
        }
        if let w = r.parameters.linkWeights {
            try check(w, "link_weights"); return w
        }
        if let w = r.parameters.rankWeights {
            try check(w, "rank_weights")
            // A link runs at the slower of its two ends.
            return (0..<p).map { min(w[Int(order[$0])], w[Int(order[($0 + 1) % p])]) }
        }
        throw AmalgamError("weighted_ring needs rank_weights (one per rank) or link_weights (one per ring link)")
    }

    static func allReduce(_ r: CollectiveRequest) throws -> Schedule {
        let order = try RingAlgorithm.order(r)
        let weights = try linkWeights(r, order: order)
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let p = r.rankCount
        b.reserve(transfers: 2 * p * (p - 1), dependencies: 2 * p * (p - 1))
        let bounds = Chunking.weighted(0, r.elementCount, shares(linkWeights: weights).fractions)
        RingPhases.allReduce(&b, order: order, lo: 0, hi: r.elementCount, boundaries: bounds, allGatherDirection: -1)
        return try b.finish()
    }
}
