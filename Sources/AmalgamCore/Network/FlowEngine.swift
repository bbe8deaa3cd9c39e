/// Something that happened in a `FlowEngine`: what, to which caller tag, when.
public struct NetworkEvent: Sendable, Equatable {
    /// The kind of a `NetworkEvent`.
    public enum Kind: Sendable, Equatable {
        /// The flow's last byte left the sender (its links are free again);
        /// reported only for flows added with `reportSent: true`.
        case sent
        /// The flow's last byte reached the receiver: sent + route latency.
        case delivered
        /// A timer added with `addTimer(at:tag:)` fired.
        case timer
    }
    /// What happened.
    public var kind: Kind
    /// The tag the caller gave the flow or timer.
    public var tag: Int
    /// Simulated time of the event, seconds.
    public var timeSeconds: Double
}

/// A discrete-event flow-level network simulator with max-min fair sharing.
///
/// Design, so a larger discrete-event simulator (compute tasks + transfers) can
/// drive it: the caller adds flows (`addFlow`) and timers (`addTimer`), then
/// repeatedly calls `nextEvents(into:)`, which settles the rates, advances `now`
/// to the earliest pending event and returns every event at that instant. The
/// caller reacts (starts dependent flows, schedules compute as timers) and calls
/// again. Flows started at the same instant are rated together.
///
/// Rates: each flow follows `topology.route(from:to:)` (cached per pair); flows
/// sharing a link share its effective capacity (line rate × efficiency) with
/// max-min fairness per direction. A flow only starts paying latency after its
/// data is sent: `delivered = sent + route latency`, so latency overlaps with
/// later traffic on the same links.
///
/// Speed: a link is *binding* only when the standalone caps of the flows on it
/// (each flow's route bottleneck) sum to more than its capacity; otherwise the
/// link's constraint is implied by the per-flow caps and can be dropped without
/// changing the max-min allocation. On every event only the connected
/// component of flows joined through binding links touched by started or
/// finished flows is re-filled, so uncontended traffic (a ring over a
/// non-blocking fabric) costs O(route length) per flow event. Storage is flat
/// arrays indexed by integer link and flow-slot ids (slots are recycled; each
/// link's flows form an intrusive doubly linked list), and the event queue is a
/// flat binary heap, so the steady state allocates nothing.
public struct FlowEngine {
    let topology: any NetworkTopology
    let rankCount: Int

    // Links (index = topology link index).
    /// Per-link state, one cache-friendly record per link.
    var linkState: [FlowLinkState]
    var linkLineRate: [Double]

    // Routes, cached per (src, dst).
    var routeIndex = IntKeyTable<Int32>()
    var routeStart: [Int32] = [0]
    var routeLinks: [Int32] = []
    var routeLatency: [Double] = []
    var routeCap: [Double] = []

    // Flow slots.
    var slots: [FlowSlot] = []
    /// List nodes: node `slot << posShift | k` links the slot into the list of
    /// its route's k-th link.
    var nodeNext: [Int32] = []
    var nodePrev: [Int32] = []
    var posShift = 0
    var freeSlots: [Int32] = []

    // Events.
    var heap = FlowEventQueue()
    var pendingAdds: [PendingFlow] = []
    var freePending: [Int32] = []

    // Settling scratch (kept between calls: no per-event allocation).
    var dirtyLinks: [Int32] = []
    var newSlots: [Int32] = []
    var stamp: UInt32 = 0
    var compFlows: [Int32] = []
    var compLinks: [Int32] = []
    var immediate: [NetworkEvent] = []

    /// Current simulated time, seconds.
    public private(set) var now: Double = 0
    /// Flows that crossed at least one link so far.
    public private(set) var flowCount = 0

    /// Builds an engine over `topology`; throws if a link's rate, latency or an
    /// option is out of range.
    public init(topology: any NetworkTopology, options: NetworkOptions = NetworkOptions()) throws {
        try options.validate(linkCount: topology.links.count)
        let links = topology.links
        guard topology.rankCount >= 0 else {
            throw AmalgamError("topology rank count \(topology.rankCount) must be >= 0")
        }
        self.topology = topology
        rankCount = topology.rankCount
        linkLineRate = []
        linkState = []
        linkState.reserveCapacity(links.count)
        for (i, link) in links.enumerated() {
            guard link.gbs.isFinite && link.gbs > 0 else {
                throw AmalgamError("link \(i) '\(link.name)' has gbs = \(link.gbs); it must be a positive finite rate in GB/s")
            }
            guard link.latencySeconds.isFinite && link.latencySeconds >= 0 else {
                throw AmalgamError("link \(i) '\(link.name)' has latency \(link.latencySeconds) s; it must be finite and >= 0")
            }
            linkLineRate.append(link.gbs * 1e9)
            linkState.append(FlowLinkState(cap: link.gbs * 1e9 * options.efficiency(of: link, index: i)))
        }
    }

    /// Bytes that have entered each link so far (index = topology link index).
    public var bytesPerLink: [Double] { linkState.map(\.bytesSent) }

    /// Effective capacity of each link in bytes/s (line rate × efficiency).
    public var effectiveBytesPerSecond: [Double] { linkState.map(\.cap) }

    /// Line rate of each link in bytes/s.
    public var lineBytesPerSecond: [Double] { linkLineRate }

    /// The latency (seconds) and bottleneck effective rate (bytes/s) of the
    /// route from `src` to `dst`; a route with no links has infinite rate.
    public mutating func routeInfo(src: Int, dst: Int) throws -> (latencySeconds: Double, bytesPerSecond: Double) {
        if src == dst { return (0, .infinity) }
        let r = Int(try routeID(src: src, dst: dst))
        return (routeLatency[r], routeCap[r])
    }

    /// Starts a flow of `bytes` from `src` to `dst` at time `at` (default: now).
    /// A flow with no bytes, or between a rank and itself, or over a route with
    /// no links, uses no bandwidth and is delivered after the route latency.
    public mutating func addFlow(src: Int, dst: Int, bytes: Double, tag: Int, at: Double? = nil, reportSent: Bool = false) throws {
        guard src >= 0 && src < rankCount && dst >= 0 && dst < rankCount else {
            throw AmalgamError("flow from rank \(src) to rank \(dst): ranks must be in 0..<\(rankCount)")
        }
        guard bytes.isFinite && bytes >= 0 else {
            throw AmalgamError("flow from rank \(src) to rank \(dst) has bytes = \(bytes); it must be finite and >= 0")
        }
        guard FlowEventQueue.tagRange.contains(tag) else {
            throw AmalgamError("flow tag \(tag) must be in \(FlowEventQueue.tagRange.lowerBound)..<\(FlowEventQueue.tagRange.upperBound)")
        }
        let route: Int32 = src == dst ? -1 : try routeID(src: src, dst: dst)
        let start = at ?? now
        guard start.isFinite && start >= now else {
            throw AmalgamError("flow start time \(start) s must be finite and not before the engine's current time \(now) s")
        }
        if start > now {
            let p = PendingFlow(route: route, bytes: bytes, tag: tag, reportSent: reportSent)
            let index: Int32
            if let free = freePending.popLast() { index = free; pendingAdds[Int(free)] = p } else {
                index = Int32(pendingAdds.count); pendingAdds.append(p)
            }
            heap.insert(time: start, key: FlowEventQueue.key(kind: FlowEventQueue.inject, payload: UInt64(index)))
        } else {
            inject(route: route, bytes: bytes, tag: tag, reportSent: reportSent)
        }
    }

    /// Schedules a `.timer` event with `tag` at time `at` (>= now).
    public mutating func addTimer(at: Double, tag: Int) throws {
        guard at.isFinite && at >= now else {
            throw AmalgamError("timer at \(at) s must be finite and not before the engine's current time \(now) s")
        }
        guard FlowEventQueue.tagRange.contains(tag) else {
            throw AmalgamError("timer tag \(tag) must be in \(FlowEventQueue.tagRange.lowerBound)..<\(FlowEventQueue.tagRange.upperBound)")
        }
        if at == now {
            immediate.append(NetworkEvent(kind: .timer, tag: tag, timeSeconds: at))
        } else {
            heap.insert(time: at, key: FlowEventQueue.key(kind: FlowEventQueue.timer, payload: UInt64(bitPattern: Int64(tag))))
        }
    }

    /// The tags and current rates (bytes/s) of the flows in progress, by tag.
    public mutating func activeRates() -> [(tag: Int, bytesPerSecond: Double)] {
        settle()
        var out: [(tag: Int, bytesPerSecond: Double)] = []
        for s in slots.indices where slots[s].active { out.append((slots[s].tag, slots[s].rate)) }
        return out.sorted { $0.tag < $1.tag }
    }

    /// The time of the next internal event (it may yield nothing for the
    /// caller, e.g. the data phase of a flow whose delivery comes later),
    /// without consuming it; nil when nothing is pending. Settles rates.
    public mutating func nextEventTimeSeconds() -> Double? {
        if !immediate.isEmpty { return now }
        settle()
        while let top = heap.min, FlowEventQueue.kind(top.key) == FlowEventQueue.finish, !isCurrent(top.key) {
            _ = heap.removeMin()
        }
        return heap.min?.time
    }

    /// Settles rates, advances `now` to the earliest pending event and replaces
    /// `events` with every event at that instant (in a deterministic order).
    /// Instants that yield nothing for the caller are passed over.
    ///
    /// With `limit`, no instant later than `limit` is processed: if nothing is
    /// reported by then, `now` becomes `limit` and the call returns false, so a
    /// simulator can advance the network to its own next event, then add flows
    /// at that time. Returns false, leaving `events` empty, when nothing is
    /// pending (up to `limit`).
    public mutating func nextEvents(into events: inout [NetworkEvent], until limit: Double = .infinity) -> Bool {
        events.removeAll(keepingCapacity: true)
        // Instants that produce nothing to report (deferred flow starts, stale
        // entries) are passed over, so every `true` return carries events.
        while true {
            if !immediate.isEmpty {
                // Events due now (timers at `now`, zero-cost flows); rates are
                // settled on the next call.
                swap(&events, &immediate)
                return true
            }
            settle()
            while let top = heap.min, FlowEventQueue.kind(top.key) == FlowEventQueue.finish, !isCurrent(top.key) {
                _ = heap.removeMin()
            }
            guard let first = heap.min, first.time <= limit else {
                if limit.isFinite && limit > now { now = limit }
                return false
            }
            now = first.time
            while let e = heap.min, e.time == now {
                _ = heap.removeMin()
                switch FlowEventQueue.kind(e.key) {
                case FlowEventQueue.finish:
                    guard isCurrent(e.key) else { continue }
                    let s = Int(FlowEventQueue.payload(e.key) >> 30)
                    let route = Int(slots[s].route), tag = slots[s].tag
                    finish(slot: s)
                    if slots[s].reportSent { events.append(NetworkEvent(kind: .sent, tag: tag, timeSeconds: now)) }
                    if let d = deliver(tag: tag, latency: routeLatency[route]) { events.append(d) }
                case FlowEventQueue.delivered:
                    events.append(NetworkEvent(kind: .delivered, tag: FlowEventQueue.tag(e.key), timeSeconds: now))
                case FlowEventQueue.timer:
                    events.append(NetworkEvent(kind: .timer, tag: FlowEventQueue.tag(e.key), timeSeconds: now))
                default: // inject
                    let index = Int32(FlowEventQueue.payload(e.key))
                    let p = pendingAdds[Int(index)]
                    freePending.append(index)
                    inject(route: p.route, bytes: p.bytes, tag: p.tag, reportSent: p.reportSent)
                    events.append(contentsOf: immediate)
                    immediate.removeAll(keepingCapacity: true)
                }
            }
            if !events.isEmpty { return true }
        }
    }

    // MARK: - Internals

    mutating func inject(route: Int32, bytes: Double, tag: Int, reportSent: Bool) {
        let r = Int(max(route, 0))
        if route < 0 || bytes == 0 || routeStart[r] == routeStart[r + 1] {
            if reportSent { immediate.append(NetworkEvent(kind: .sent, tag: tag, timeSeconds: now)) }
            if let e = deliver(tag: tag, latency: route < 0 ? 0 : routeLatency[r]) { immediate.append(e) }
            return
        }
        let s: Int
        if let free = freeSlots.popLast() { s = Int(free) } else {
            s = slots.count
            slots.append(FlowSlot())
            nodeNext.append(contentsOf: repeatElement(-1, count: 1 << posShift))
            nodePrev.append(contentsOf: repeatElement(-1, count: 1 << posShift))
        }
        slots[s].route = route; slots[s].tag = tag; slots[s].version &+= 1
        slots[s].remaining = bytes; slots[s].rate = 0; slots[s].updated = now
        slots[s].cap = routeCap[r]; slots[s].reportSent = reportSent; slots[s].active = true
        let cap = routeCap[r]
        link(slot: s)
        for i in Int(routeStart[r])..<Int(routeStart[r + 1]) {
            let l = Int(routeLinks[i])
            linkState[l].demand += cap
            linkState[l].bytesSent += bytes
            // The new flow itself is seeded below; a link that is still slack
            // constrains nobody, so its other flows need no re-rating.
            if binding(l) { dirtyLinks.append(Int32(l)) }
        }
        newSlots.append(Int32(s))
        flowCount += 1
    }

    mutating func finish(slot s: Int) {
        let r = Int(slots[s].route)
        let cap = slots[s].cap
        var node = s << posShift
        for i in Int(routeStart[r])..<Int(routeStart[r + 1]) {
            let l = Int(routeLinks[i])
            let prev = nodePrev[node], next = nodeNext[node]
            if prev >= 0 { nodeNext[Int(prev)] = next } else { linkState[l].head = next }
            if next >= 0 { nodePrev[Int(next)] = prev }
            linkState[l].count -= 1
            // Reset exactly when idle so rounding in the running sum cannot accumulate.
            let was = binding(l)
            linkState[l].demand = linkState[l].count == 0 ? 0 : linkState[l].demand - cap
            // A link slack before and after constrains nobody either way.
            if was || binding(l) { dirtyLinks.append(Int32(l)) }
            node += 1
        }
        slots[s].active = false
        freeSlots.append(Int32(s))
    }

    /// The delivery event if it is due now; otherwise schedules it and returns nil.
    mutating func deliver(tag: Int, latency: Double) -> NetworkEvent? {
        if latency == 0 { return NetworkEvent(kind: .delivered, tag: tag, timeSeconds: now) }
        heap.insert(time: now + latency, key: FlowEventQueue.key(kind: FlowEventQueue.delivered, payload: UInt64(bitPattern: Int64(tag))))
        return nil
    }

    /// True when the link's flows could together exceed its capacity, i.e. its
    /// constraint is not implied by the flows' own route caps.
    @inline(__always) func binding(_ l: Int) -> Bool { linkState[l].demand > linkState[l].cap }
}
