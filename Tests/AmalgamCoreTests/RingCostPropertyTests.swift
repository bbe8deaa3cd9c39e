import XCTest
@testable import AmalgamCore

/// `RingCost` (the closed form the planner and the simulator use) against
/// `CollectiveTiming` (ring schedule + network model) on random clusters.
final class RingCostPropertyTests: XCTestCase {
    /// One random case: a cluster, a ring of ranks, a collective and a size.
    struct Case {
        var name: String
        var cluster: Cluster
        var ranks: [Int]
        var kind: RingCollective
        var bytes: Int
        var acrossNodes: Bool
    }

    static let cases = 240

    static func collective(_ k: RingCollective) -> CollectiveKind {
        switch k {
        case .allReduce: return .allReduce
        case .reduceScatter: return .reduceScatter
        case .allGather: return .allGather
        }
    }

    /// Random clusters: a catalog chip, 1–4 nodes of 2–8 chips, an intra-node topology the
    /// builder supports, a NIC rate; a ring inside one node (TP) or across nodes (DP, one
    /// replica per node per lap, so every edge crosses nodes); 1 KiB–4 GiB (log-uniform,
    /// a whole number of 4-byte elements per rank); all-reduce, reduce-scatter and all-gather in turn.
    static func randomCases() throws -> [Case] {
        var rng = PlannerSplitMix64(seed: 20_261_204)   // seeded: the same clusters every run
        let chips = ChipCatalog.all
        let topologies = IntraTopology.allCases
        let nics: [Double] = [25, 100, 200, 400, 800]
        var out: [Case] = []
        for i in 0..<cases {
            let chip = chips[rng.int(0...(chips.count - 1))]
            let nodes = rng.int(1...4), perNode = rng.int(2...8)
            let topology = topologies[rng.int(0...(topologies.count - 1))]
            let nic = nics[rng.int(0...(nics.count - 1))]
            let cluster = try ClusterSpec(name: "ring\(i)", sites: [SiteSpec(name: "s", groups: [
                NodeGroupSpec(chip: .catalog(chip.id), nodes: nodes, chipsPerNode: perNode, intraTopology: topology, nicGbps: nic),
            ])]).compile()
            var ranks: [Int] = []
            let across = nodes > 1 && rng.int(0...1) == 1
            if across {
                let laps = rng.int(1...min(perNode, 16 / nodes)), lane = rng.int(0...(perNode - 1))
                for j in 0..<(nodes * laps) { ranks.append((j % nodes) * perNode + (lane + j / nodes) % perNode) }
            } else {
                let t = rng.int(2...perNode), node = rng.int(0...(nodes - 1))
                ranks = (0..<t).map { node * perNode + $0 }
            }
            let kind = RingCollective.allCases[i % 3]
            // Whole 4-byte elements per rank, as the planner's collectives split (see
            // testUnevenChunksOnSharedBridge for the one-element-uneven case).
            let p = ranks.count
            let bytes = max(1024 / (4 * p) * 4 * p + 4 * p, Int(pow(2, 10 + 22 * rng.unit())) / (4 * p) * (4 * p))
            let name = "case \(i): \(kind.rawValue) of \(bytes) B over \(across ? "DP" : "TP") ranks \(ranks) on \(nodes)x\(perNode) \(chip.id) (\(topology.rawValue), NIC \(Int(nic)) Gb/s)"
            out.append(Case(name: name, cluster: cluster, ranks: ranks, kind: kind, bytes: bytes, acrossNodes: across))
        }
        return out
    }

    /// The schedule path: `CollectiveTiming` with one ring (`single_ring`: a data-parallel lane is one ring, not NCCL's
    /// per-NIC channels) on the same ranks, in order, protocol model included.
    static func scheduleSeconds(_ c: Case, _ options: NetworkOptions) throws -> Double {
        try CollectiveTiming.time(CollectiveTimingRequest(collective(c.kind), bytes: c.bytes, algorithm: "single_ring", ranks: c.ranks,
                                                          options: options), on: c.cluster).seconds
    }

    /// The simulator's data-parallel ring: one flow of `N·S/p` bytes per edge through the
    /// flow engine, then the closed form's overhead less the route latency the flows paid.
    static func simulatorSeconds(_ c: Case, _ options: NetworkOptions) throws -> Double {
        let ring = RingEdgeSummary(topology: c.cluster, ranks: c.ranks, options: options)
        let cost = RingCost.breakdown(c.kind, bytes: Double(c.bytes), ring: ring, options: options)
        var engine = try FlowEngine(topology: c.cluster, options: options)
        var latency = 0.0
        let p = c.ranks.count
        for i in 0..<p {
            let (src, dst) = (c.ranks[i], c.ranks[(i + 1) % p])
            latency = max(latency, try engine.routeInfo(src: src, dst: dst).latencySeconds)
            try engine.addFlow(src: src, dst: dst, bytes: cost.bytesPerEdge, tag: i)
        }
        var events: [NetworkEvent] = []
        while engine.nextEvents(into: &events) {}
        return engine.now + max(0, cost.overheadSeconds - latency)
    }

    func testClosedFormMatchesSchedulePathOnRandomClusters() throws {
        let options = NetworkOptions()
        var worst = 0.0, worstName = ""
        for c in try Self.randomCases() {
            let reference = try Self.scheduleSeconds(c, options)
            XCTAssertGreaterThan(reference, 0, c.name)
            // Planner TP figures and simulator TP time: the ring summary of the group.
            let ring = RingEdgeSummary(topology: c.cluster, ranks: c.ranks, options: options)
            var times = [("closed form", RingCost.seconds(c.kind, bytes: Double(c.bytes), ring: ring, options: options))]
            if c.acrossNodes {
                // Planner DP sync: its ring summary comes from cached node-pair paths.
                let model = try TransformerModel.preset("gpt3-1.3b")
                var planner = PlannerCostModel(model: model, cluster: c.cluster, config: TrainingConfig(globalBatch: 8, microBatch: 1))
                let replicas = c.ranks.map { ReplicaPlan(ranks: [$0], chip: c.cluster.chip(ofRank: $0), microbatches: 1) }
                let plannerRing = try planner.ringEdges(replicas)
                times.append(("planner DP ring", RingCost.seconds(c.kind, bytes: Double(c.bytes), ring: plannerRing, options: options)))
                times.append(("simulator DP ring", try Self.simulatorSeconds(c, options)))
            }
            for (what, t) in times {
                let error = abs(t - reference) / reference
                XCTAssertLessThanOrEqual(error, 0.01, "\(c.name): \(what) \(t) s vs schedule \(reference) s")
                if error > worst { worst = error; worstName = "\(c.name): \(what)" }
            }
        }
        XCTAssertLessThanOrEqual(worst, 0.01, "worst: \(worstName)")
    }

    /// A buffer that does not split into equal chunks on a link every ring edge shares
    /// (a PCIe bridge): the one-element difference lets the network model's ranks drift
    /// apart (a flow that starts alone gets the whole bridge), so the schedule finishes up
    /// to about one chunk time sooner than the closed form, which stays an upper bound.
    func testUnevenChunksOnSharedBridge() throws {
        let cluster = try ClusterSpec(name: "pcie", sites: [SiteSpec(name: "s", groups: [
            NodeGroupSpec(chip: .catalog("nvidia_h100_sxm5"), nodes: 1, chipsPerNode: 7, intraTopology: .pcie, nicGbps: 200),
        ])]).compile()
        let options = NetworkOptions()
        let ranks = Array(0..<7)
        let ring = RingEdgeSummary(topology: cluster, ranks: ranks, options: options)
        for (elements, close) in [(70_000, true), (70_006, false)] {
            let bytes = elements * 4
            let closed = RingCost.seconds(.allReduce, bytes: Double(bytes), ring: ring, options: options)
            let reference = try CollectiveTiming.time(CollectiveTimingRequest(.allReduce, bytes: bytes, algorithm: "single_ring", ranks: ranks,
                                                                              options: options), on: cluster).seconds
            let error = (closed - reference) / reference
            if close {
                XCTAssertEqual(error, 0, accuracy: 1e-9, "\(elements) elements: equal chunks, k = 1, the chain is exact")
            } else {
                XCTAssertGreaterThanOrEqual(error, 0, "\(elements) elements: the closed form bounds the drifting ring")
                XCTAssertLessThan(error, 0.03, "\(elements) elements: drift worth at most ~3 %")
            }
        }
    }

    /// Edge cases: one rank or no bytes cost nothing; without slicing the all-reduce is
    /// the alpha-beta chain 2(p−1)(S/(pB) + α) + (p−1)·S/p·r exactly.
    func testDegenerateAndUnslicedCases() {
        XCTAssertEqual(RingCost.ringCollectiveSeconds(kind: .allReduce, ranks: 1, bytes: 1e6, bandwidthBytesPerSecond: 1e9,
                                                      latencySeconds: 1e-6, reductionSecondsPerByte: 1e-12, sliceBytes: nil), 0)
        XCTAssertEqual(RingCost.ringCollectiveSeconds(kind: .allGather, ranks: 4, bytes: 0, bandwidthBytesPerSecond: 1e9,
                                                      latencySeconds: 1e-6, reductionSecondsPerByte: 1e-12, sliceBytes: nil), 0)
        let (p, s, b, a, r) = (4.0, 64e6, 25e9, 5e-6, 3 / 2e12)
        let t = RingCost.ringCollectiveSeconds(kind: .allReduce, ranks: 4, bytes: s, bandwidthBytesPerSecond: b,
                                               latencySeconds: a, reductionSecondsPerByte: r, sliceBytes: nil)
        XCTAssertEqual(t, 2 * (p - 1) * (s / p / b + a) + (p - 1) * s / p * r, accuracy: 1e-15)
        let rs = RingCost.breakdown(kind: .reduceScatter, ranks: 4, bytes: s, bandwidthBytesPerSecond: b, latencySeconds: a,
                                    reductionSecondsPerByte: r, sliceBytes: nil)
        XCTAssertEqual(rs.bytesPerEdge, (p - 1) / p * s, accuracy: 1e-6)
        XCTAssertEqual(rs.bandwidthSeconds, (p - 1) / p * s / b, accuracy: 1e-15)
    }

    /// The summary's windows: on like edges the step figures are the edge's own; on a
    /// ring with one slow, high-latency edge a reduce-scatter chunk crosses every edge
    /// but one (the fastest), an all-reduce chunk every edge twice but two adjacent ones.
    func testEdgeSummaryWindows() {
        var like = RingEdgeSummary()
        for _ in 0..<4 { like.add(bytesPerSecond: 50e9, latencySeconds: 2e-6, receiverMemBytesPerSecond: 2e12, hardware: .net) }
        for kind in RingCollective.allCases {
            XCTAssertEqual(like.stepLatencySeconds(kind, ranks: 4), 2e-6, accuracy: 1e-18, "\(kind)")
            XCTAssertEqual(like.stepBytesPerSecond(kind, ranks: 4), 50e9, accuracy: 1e-3, "\(kind)")
        }
        var mixed = RingEdgeSummary()
        let rates = [100e9, 100e9, 100e9, 10e9], latencies = [1e-6, 1e-6, 1e-6, 5e-6]
        for i in 0..<4 { mixed.add(bytesPerSecond: rates[i], latencySeconds: latencies[i], receiverMemBytesPerSecond: 2e12, hardware: .net) }
        XCTAssertEqual(mixed.bottleneckBytesPerSecond, 10e9)
        XCTAssertEqual(mixed.stepLatencySeconds(.reduceScatter, ranks: 4), (8e-6 - 1e-6) / 3, accuracy: 1e-18)
        XCTAssertEqual(mixed.stepLatencySeconds(.allReduce, ranks: 4), (16e-6 - 2e-6) / 6, accuracy: 1e-18)
        XCTAssertEqual(1 / mixed.stepBytesPerSecond(.allGather, ranks: 4), (2 / 100e9 + 1 / 10e9) / 3, accuracy: 1e-24)
        XCTAssertEqual(1 / mixed.stepBytesPerSecond(.allReduce, ranks: 4), (4 / 100e9 + 2 / 10e9) / 6, accuracy: 1e-24)
    }
}
