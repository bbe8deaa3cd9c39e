/// Route cache, per-link flow lists and the flat state records of `FlowEngine`.
extension FlowEngine {
    /// The cached route id for (src, dst), resolving and validating it on first use.
    mutating func routeID(src: Int, dst: Int) throws -> Int32 {
        guard src >= 0 && src < rankCount && dst >= 0 && dst < rankCount else {
            throw AmalgamError("route from rank \(src) to rank \(dst): ranks must be in 0..<\(rankCount)")
        }
        let key = src &* rankCount &+ dst
        if let r = routeIndex.value(for: key) { return r }
        let route = topology.route(from: src, to: dst)
        guard route.latencySeconds.isFinite && route.latencySeconds >= 0 else {
            throw AmalgamError("route from rank \(src) to rank \(dst) has latency \(route.latencySeconds) s; it must be finite and >= 0")
        }
        // Validate every link before touching the tables, so a thrown error
        // leaves the cache consistent.
        for l in route.links where !(l >= 0 && l < linkState.count) {
            throw AmalgamError("route from rank \(src) to rank \(dst) names link \(l), but the topology has links 0..<\(linkState.count)")
        }
        if Set(route.links).count != route.links.count {
            throw AmalgamError("route from rank \(src) to rank \(dst) crosses a link twice (\(route.links)); routes must be simple paths")
        }
        var cap = Double.infinity
        for l in route.links {
            routeLinks.append(Int32(l))
            cap = min(cap, linkState[l].cap)
        }
        routeStart.append(Int32(routeLinks.count))
        routeLatency.append(route.latencySeconds)
        routeCap.append(cap)
        if route.links.count > 1 << posShift { restride(route.links.count) }
        let r = Int32(routeLatency.count - 1)
        routeIndex.insert(r, for: key)
        return r
    }

    /// Widens the per-slot node table for a longer route and relinks every
    /// active flow (rare: only when a longer route than any before appears).
    mutating func restride(_ length: Int) {
        var shift = 0
        while (1 << shift) < length { shift += 1 }
        posShift = shift
        nodeNext = Array(repeating: -1, count: slots.count << shift)
        nodePrev = nodeNext
        for l in linkState.indices { linkState[l].head = -1; linkState[l].count = 0 }
        for s in slots.indices where slots[s].active { link(slot: s) }
    }

    /// Pushes the slot's nodes onto its links' lists.
    @inline(__always) mutating func link(slot s: Int) {
        let r = Int(slots[s].route)
        var node = Int32(s << posShift)
        for i in Int(routeStart[r])..<Int(routeStart[r + 1]) {
            let l = Int(routeLinks[i])
            let head = linkState[l].head
            nodePrev[Int(node)] = -1
            nodeNext[Int(node)] = head
            if head >= 0 { nodePrev[Int(head)] = node }
            linkState[l].head = node
            linkState[l].count += 1
            node += 1
        }
    }

    /// True when a finish entry's version matches its slot's current rate epoch.
    @inline(__always) func isCurrent(_ key: UInt64) -> Bool {
        let payload = FlowEventQueue.payload(key)
        let s = Int(payload >> 30)
        return slots[s].active && UInt64(slots[s].version & 0x3FFF_FFFF) == payload & 0x3FFF_FFFF
    }
}

/// A flow start deferred to a future time.
struct PendingFlow {
    var route: Int32
    var bytes: Double
    var tag: Int
    var reportSent: Bool
}


/// One flow slot's state, kept together for locality.
struct FlowSlot {
    var remaining = 0.0, rate = 0.0, updated = 0.0, cap = 0.0, newRate = 0.0
    var tag = 0
    var route: Int32 = 0
    var version: UInt32 = 0
    var mark: UInt32 = 0, frozen: UInt32 = 0
    var reportSent = false, active = false
}

/// One link's state: effective capacity (bytes/s), the summed route caps of
/// its flows, its flow list, bytes carried, and water-filling scratch.
struct FlowLinkState {
    var cap: Double
    var demand = 0.0, remCap = 0.0, bytesSent = 0.0
    var head: Int32 = -1, count: Int32 = 0, unfrozen: Int32 = 0
    var mark: UInt32 = 0, sat: UInt32 = 0
    init(cap: Double) { self.cap = cap }
}
