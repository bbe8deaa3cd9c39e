/// One directed measurement between two named nodes, as a row of a measured
/// link file (`from,to,gbs,latency_s`).
public struct NodePairMeasurement: Sendable, Equatable {
    /// Sending node, `site/group/n<i>`.
    public var from: String
    /// Receiving node, `site/group/n<i>`.
    public var to: String
    /// Measured throughput from `from` to `to`, GB/s.
    public var gbs: Double
    /// Measured one-way latency, seconds.
    public var latencySeconds: Double

    /// A measurement from `from` to `to`.
    public init(from: String, to: String, gbs: Double, latencySeconds: Double) {
        self.from = from; self.to = to; self.gbs = gbs; self.latencySeconds = latencySeconds
    }
}

extension NodeMatrixSpec {
    /// A matrix from a long list of directed measurements (what a measurement
    /// script writes: one row per pair, easier to produce and to check than a
    /// square table). Nodes are ordered by first appearance. A pair measured in
    /// one direction only gets the same figures the other way (links are
    /// usually symmetric, as `connect` assumes). Every pair of the listed
    /// nodes must be measured at least one way, since the matrix replaces the
    /// derived path for all of them; a pair given twice in one direction, or a
    /// node paired with itself, throws naming the row (1-based). Values are
    /// range-checked by `ClusterSpec.compile()`.
    public init(pairs: [NodePairMeasurement]) throws {
        guard !pairs.isEmpty else { throw AmalgamError("measured links: no rows (expected one row per node pair)") }
        var names: [String] = []
        var index: [String: Int] = [:]
        func id(_ name: String) -> Int {
            if let i = index[name] { return i }
            index[name] = names.count
            names.append(name)
            return names.count - 1
        }
        var given: [PairKey: (row: Int, gbs: Double, latency: Double)] = [:]
        for (r, p) in pairs.enumerated() {
            let row = r + 1
            guard p.from != p.to else { throw AmalgamError("measured links row \(row): from and to are the same node '\(p.from)'") }
            let key = PairKey(id(p.from), id(p.to))
            if let earlier = given[key] {
                throw AmalgamError("measured links row \(row): \(p.from) -> \(p.to) was already given in row \(earlier.row)")
            }
            given[key] = (row, p.gbs, p.latencySeconds)
        }
        let n = names.count
        var gbs = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var latency = gbs
        for i in 0..<n {
            for j in 0..<n where i != j {
                guard let m = given[PairKey(i, j)] ?? given[PairKey(j, i)] else {
                    throw AmalgamError("measured links: no row between '\(names[i])' and '\(names[j])' (give every pair of the nodes listed, at least one direction)")
                }
                gbs[i][j] = m.gbs
                latency[i][j] = m.latency
            }
        }
        self.init(nodeNames: names, gbs: gbs, latencySeconds: latency)
    }
}
