/// The load on one link over a simulated run.
public struct LinkLoad: Sendable, Equatable {
    /// Index into the topology's `links`.
    public var index: Int
    /// The link's name.
    public var name: String
    /// Bytes that crossed the link.
    public var bytes: Double
    /// Fraction of the makespan the link would need at its line rate to move
    /// `bytes` (1 = busy at line rate the whole time).
    public var utilisation: Double
}

/// What timing a `TransferGraph` on a topology produced.
public struct NetworkTiming: Sendable {
    /// Time from 0 until the last transfer (and its reduction) finished, seconds.
    public var makespanSeconds: Double
    /// When each transfer's last slice finished (delivered and reduced), seconds.
    public var transferFinishSeconds: [Double]
    /// Bytes that crossed each link (index = topology link index).
    public var bytesPerLink: [Double]
    /// The link with the highest utilisation (lowest index on ties); nil when
    /// no byte crossed any link.
    public var busiestLink: LinkLoad?
    /// Flows simulated: one per slice that crossed at least one link.
    public var flowCount: Int
}

/// Times transfer graphs on a link graph with contention (see `FlowEngine`).
public enum NetworkModel {
    /// Simulates `graph` on `topology`.
    ///
    /// Semantics:
    /// - A transfer starts once every transfer in its dependencies has finished
    ///   and not before `startTimes[i]` (seconds; default 0).
    /// - With `options.sliceBytes` set, a transfer of `b` bytes becomes
    ///   `k = ceil(b / sliceBytes)` equal slices. Slice `j` starts after slice
    ///   `j - 1` of the same transfer has been sent (the sender streams slices
    ///   in order) and after slice `j` of each parent with the same slice count,
    ///   or the whole parent otherwise. So a ring pipelines across its steps.
    /// - Each slice is a flow; it is delivered its route latency after its last
    ///   byte is sent (latency is paid per slice but overlaps later slices).
    /// - Once delivered, a slice with reduction work reduces
    ///   `reduceBytes / k` at the receiver in
    ///   `reduceBytes / k × reductionMemoryPasses / memBytesPerSecond`;
    ///   dependents wait for it.
    public static func time(
        _ graph: TransferGraph, on topology: some NetworkTopology,
        options: NetworkOptions = NetworkOptions(), startTimes: [Double]? = nil
    ) throws -> NetworkTiming {
        let n = graph.count
        let ranks = topology.rankCount
        try validate(graph, ranks: ranks, startTimes: startTimes)

        // Slices per transfer and their flat numbering.
        var sliceStart = [Int](repeating: 0, count: n + 1)
        for i in 0..<n {
            var k = 1
            if let sb = options.sliceBytes, graph.bytes[i] > sb {
                let q = (graph.bytes[i] / sb).rounded(.up)
                guard q < 1e9 else {
                    throw AmalgamError("transfer \(i) of \(graph.bytes[i]) bytes would need \(q) slices of \(sb) bytes; raise slice_bytes")
                }
                k = Int(q)
            }
            sliceStart[i + 1] = sliceStart[i] + k
        }
        let sliceCount = sliceStart[n]
        guard sliceCount <= 1 << 30 else {
            throw AmalgamError("slicing makes \(sliceCount) flows (limit \(1 << 30)); raise slice_bytes or disable slicing")
        }
        var sliceTransfer = [Int32](repeating: 0, count: sliceCount)
        for i in 0..<n { for s in sliceStart[i]..<sliceStart[i + 1] { sliceTransfer[s] = Int32(i) } }

        // Children of each transfer (reverse dependencies), CSR.
        var childStart = [Int](repeating: 0, count: n + 1)
        for d in graph.deps { childStart[Int(d) + 1] += 1 }
        for i in 0..<n { childStart[i + 1] += childStart[i] }
        var children = [Int32](repeating: 0, count: graph.deps.count)
        var fillAt = childStart
        for i in 0..<n {
            for d in graph.dependencies(of: i) { children[fillAt[Int(d)]] = Int32(i); fillAt[Int(d)] += 1 }
        }

        // Reduction seconds per byte at each receiving rank (only where needed).
        var reduceSecondsPerByte = [Double](repeating: 0, count: ranks)
        var knownRank = [Bool](repeating: false, count: ranks)
        for i in 0..<n where graph.reduceBytes[i] > 0 {
            let r = Int(graph.dst[i])
            if knownRank[r] { continue }
            knownRank[r] = true
            let chip = topology.chip(ofRank: r)
            guard chip.memBwGBs.isFinite && chip.memBwGBs > 0 else {
                throw AmalgamError("transfer \(i) reduces at rank \(r), whose chip '\(chip.id)' has mem_bw_gbs = \(chip.memBwGBs); it must be positive")
            }
            reduceSecondsPerByte[r] = options.reductionMemoryPasses / chip.memBytesPerSecond
        }

        // Pending-input counts per slice.
        var pending = [Int32](repeating: 0, count: sliceCount)
        for i in 0..<n {
            let depCount = Int32(graph.depStart[i + 1] - graph.depStart[i])
            let delayed: Int32 = (startTimes?[i] ?? 0) > 0 ? 1 : 0
            for s in sliceStart[i]..<sliceStart[i + 1] {
                pending[s] = depCount + delayed + (s > sliceStart[i] ? 1 : 0)
            }
        }

        var engine = try FlowEngine(topology: topology, options: options)
        var doneSlices = [Int32](repeating: 0, count: n)
        var finish = [Double](repeating: 0, count: n)

        func start(_ s: Int) throws {
            let i = Int(sliceTransfer[s])
            let k = sliceStart[i + 1] - sliceStart[i]
            try engine.addFlow(src: Int(graph.src[i]), dst: Int(graph.dst[i]), bytes: graph.bytes[i] / Double(k),
                               tag: s, reportSent: s + 1 < sliceStart[i + 1])
        }
        func release(_ s: Int) throws {
            pending[s] -= 1
            if pending[s] == 0 { try start(s) }
        }
        func sliceDone(_ s: Int) throws {
            let i = Int(sliceTransfer[s])
            let k = sliceStart[i + 1] - sliceStart[i]
            doneSlices[i] += 1
            let whole = Int(doneSlices[i]) == k
            if whole { finish[i] = engine.now }
            for c32 in children[childStart[i]..<childStart[i + 1]] {
                let c = Int(c32)
                let kc = sliceStart[c + 1] - sliceStart[c]
                if kc == k {
                    try release(sliceStart[c] + (s - sliceStart[i]))
                } else if whole {
                    for cs in sliceStart[c]..<sliceStart[c + 1] { try release(cs) }
                }
            }
        }

        for i in 0..<n {
            if let t = startTimes?[i], t > 0 { try engine.addTimer(at: t, tag: -1 - i) }
        }
        for s in 0..<sliceCount where pending[s] == 0 { try start(s) }

        var events: [NetworkEvent] = []
        while engine.nextEvents(into: &events) {
            for e in events {
                switch e.kind {
                case .sent:
                    try release(e.tag + 1)
                case .delivered:
                    let i = Int(sliceTransfer[e.tag])
                    let k = Double(sliceStart[i + 1] - sliceStart[i])
                    let seconds = graph.reduceBytes[i] / k * reduceSecondsPerByte[Int(graph.dst[i])]
                    if seconds > 0 {
                        try engine.addTimer(at: engine.now + seconds, tag: e.tag)
                    } else {
                        try sliceDone(e.tag)
                    }
                case .timer:
                    if e.tag >= 0 {
                        try sliceDone(e.tag)
                    } else {
                        let i = -1 - e.tag
                        for s in sliceStart[i]..<sliceStart[i + 1] { try release(s) }
                    }
                }
            }
        }

        let makespan = finish.max() ?? 0
        let bytes = engine.bytesPerLink
        let line = engine.lineBytesPerSecond
        var busiest: LinkLoad?
        if makespan > 0 {
            let links = topology.links
            for l in bytes.indices where bytes[l] > 0 {
                let u = bytes[l] / (line[l] * makespan)
                if busiest == nil || u > busiest!.utilisation {
                    busiest = LinkLoad(index: l, name: links[l].name, bytes: bytes[l], utilisation: u)
                }
            }
        }
        return NetworkTiming(makespanSeconds: makespan, transferFinishSeconds: finish, bytesPerLink: bytes,
                             busiestLink: busiest, flowCount: engine.flowCount)
    }

    /// Checks ranks, sizes, dependency order and start times, naming the bad transfer.
    static func validate(_ graph: TransferGraph, ranks: Int, startTimes: [Double]?) throws {
        let n = graph.count
        if let st = startTimes {
            guard st.count == n else {
                throw AmalgamError("start_times has \(st.count) entries but the transfer graph has \(n) transfers")
            }
            for (i, t) in st.enumerated() where !(t.isFinite && t >= 0) {
                throw AmalgamError("start time of transfer \(i) is \(t) s; it must be finite and >= 0")
            }
        }
        for i in 0..<n {
            let s = Int(graph.src[i]), d = Int(graph.dst[i])
            guard s >= 0 && s < ranks && d >= 0 && d < ranks else {
                throw AmalgamError("transfer \(i) goes from rank \(s) to rank \(d); ranks must be in 0..<\(ranks)")
            }
            guard graph.bytes[i].isFinite && graph.bytes[i] >= 0 else {
                throw AmalgamError("transfer \(i) has bytes = \(graph.bytes[i]); it must be finite and >= 0")
            }
            guard graph.reduceBytes[i].isFinite && graph.reduceBytes[i] >= 0 else {
                throw AmalgamError("transfer \(i) has reduce_bytes = \(graph.reduceBytes[i]); it must be finite and >= 0")
            }
            for d in graph.dependencies(of: i) where !(d >= 0 && Int(d) < i) {
                throw AmalgamError("transfer \(i) depends on transfer \(d); dependencies must name earlier transfers (0..<\(i))")
            }
        }
    }
}
