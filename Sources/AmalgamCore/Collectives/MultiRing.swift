/// Several rings ("channels") each carrying a slice of the data, as NCCL does to
/// drive several links per rank at once. `bidir_ring` is the two-channel case with
/// the second ring running backwards, so each link direction carries half the data.
enum MultiRingAlgorithm {
    /// Bidirectional ring all-reduce: the first half of the data around the ring,
    /// the second half around the reversed ring.
    static func bidirectional(_ r: CollectiveRequest) throws -> Schedule {
        let forward = try RingAlgorithm.order(r)
        return try build(r, orders: [forward, Array(forward.reversed())], channels: 2)
    }

    /// Multi-ring all-reduce: `channels` slices of the data, channel `c` on ring
    /// `ringOrders[c % count]`, by default alternating forward and reversed index order.
    static func multiRing(_ r: CollectiveRequest) throws -> Schedule {
        let channels = r.parameters.channels ?? 2
        guard channels >= 1 && channels <= 64 else {
            throw AmalgamError("channels \(channels) is out of range 1...64")
        }
        var orders: [[Int32]]
        if let given = r.parameters.ringOrders, !given.isEmpty {
            orders = try given.enumerated().map {
                try CollectiveRequest.checkPermutation($0.element, rankCount: r.rankCount, what: "ring_orders[\($0.offset + 1)]")
            }
        } else {
            let forward = (0..<r.rankCount).map { Int32($0) }
            orders = [forward, Array(forward.reversed())]
        }
        return try build(r, orders: orders, channels: channels)
    }

    static func build(_ r: CollectiveRequest, orders: [[Int32]], channels: Int) throws -> Schedule {
        var b = ScheduleBuilder(collective: .allReduce, algorithm: r.algorithm, rankCount: r.rankCount, elementCount: r.elementCount)
        guard r.elementCount > 0 else { return try b.finish() }
        let p = r.rankCount
        b.reserve(transfers: 2 * p * (p - 1) * channels, dependencies: 2 * p * (p - 1) * channels)
        let slices = Chunking.even(0, r.elementCount, channels)
        for c in 0..<channels {
            RingPhases.allReduce(&b, order: orders[c % orders.count], lo: slices[c], hi: slices[c + 1])
        }
        return try b.finish()
    }
}
