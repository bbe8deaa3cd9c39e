extension Schedule {
    /// The schedule as point-to-point transfers for the network model: one
    /// `TransferGraph` transfer per schedule transfer, `bytes = length *
    /// bytesPerElement`, `reduceBytes = bytes` when the receiver sums, and the same
    /// dependencies. Local copies (`src == dst`, e.g. all-to-all's own block) use no
    /// network and are left out; transfers that waited for one wait for its
    /// dependencies instead. `bytesPerElement` below 0 is treated as 0.
    public func transferGraph(bytesPerElement: Int) -> TransferGraph {
        var g = TransferGraph()
        let width = Double(max(0, bytesPerElement))
        g.reserve(transfers: count, dependencies: deps.count)
        var lowered = [Int32](repeating: -1, count: count)
        var skipped: [Int32: [Int]] = [:]   // looked up by key only, never iterated
        var after: [Int] = []
        for i in 0..<count {
            after.removeAll(keepingCapacity: true)
            for k in depStart[i]..<depStart[i + 1] {
                let d = deps[k]
                if lowered[Int(d)] >= 0 { after.append(Int(lowered[Int(d)])) } else { after.append(contentsOf: skipped[d] ?? []) }
            }
            if src[i] == dst[i] {
                skipped[Int32(i)] = after
                continue
            }
            let bytes = Double(length(of: i)) * width
            lowered[i] = Int32(g.add(src: Int(src[i]), dst: Int(dst[i]), bytes: bytes,
                                     reduceBytes: op[i] == .reduce ? bytes : 0, after: after))
        }
        return g
    }
}
