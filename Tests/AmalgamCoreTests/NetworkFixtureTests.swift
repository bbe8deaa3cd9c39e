import XCTest
@testable import AmalgamCore

// Small topologies and collective lowerings for the network-model tests. They are
// deliberately written here, independently of the real Cluster and Schedules, so
// the closed forms check the engine and nothing else.

/// A chip whose memory bandwidth is the only figure the network model reads.
func netTestChip(memBwGBs: Double = 2000) -> Chip {
    Chip(id: "net_test_chip", vendor: "Test", name: "Test chip", bf16Tflops: 100, memGB: 80, memBwGBs: memBwGBs,
         intraLinkGBs: 600, intraTopology: .switch, nicGbps: 400, source: "test fixture")
}

/// N ranks, each with an up link (index r) and a down link (index N + r) into a
/// non-blocking switch; a→b crosses up[a] then down[b]. The up link carries the
/// whole latency, so every route has latency `alpha`.
struct NetStarTopology: NetworkTopology {
    var rankCount: Int
    var links: [Link]
    var memBwGBs: Double = 2000

    init(ranks: Int, gbs: Double, alpha: Double = 0, kind: LinkKind = .nic) {
        rankCount = ranks
        links = (0..<ranks).map { Link(name: "r\($0)/up", kind: kind, gbs: gbs, latencySeconds: alpha) }
            + (0..<ranks).map { Link(name: "r\($0)/down", kind: kind, gbs: gbs, latencySeconds: 0) }
    }
    func route(from a: Int, to b: Int) -> Route {
        let l = [a, rankCount + b]
        return Route(links: l, latencySeconds: l.map { links[$0].latencySeconds }.reduce(0, +),
                     bottleneckGBs: l.map { links[$0].gbs }.min() ?? 0)
    }
    func node(ofRank rank: Int) -> Int { rank }
    func site(ofRank rank: Int) -> Int { 0 }
    func chip(ofRank rank: Int) -> Chip { netTestChip(memBwGBs: memBwGBs) }
}

/// A unidirectional ring: link i goes from rank i to rank i+1 (mod N); a route
/// walks forward. `gbs[i]` is link i's rate.
struct NetRingTopology: NetworkTopology {
    var rankCount: Int { links.count }
    var links: [Link]

    init(gbs: [Double], alpha: Double = 0) {
        links = gbs.enumerated().map { Link(name: "ring\($0.offset)", kind: .peer, gbs: $0.element, latencySeconds: alpha) }
    }
    func route(from a: Int, to b: Int) -> Route {
        var l: [Int] = []
        var r = a
        while r != b { l.append(r); r = (r + 1) % rankCount }
        return Route(links: l, latencySeconds: l.map { links[$0].latencySeconds }.reduce(0, +),
                     bottleneckGBs: l.map { links[$0].gbs }.min() ?? 0)
    }
    func node(ofRank rank: Int) -> Int { rank }
    func site(ofRank rank: Int) -> Int { 0 }
    func chip(ofRank rank: Int) -> Chip { netTestChip() }
}

/// `nodes` × `chipsPerNode` ranks. Inside a node a→b crosses scale-up up[a],
/// down[b] (rate `intraGBs`, latency `intraAlpha`); between nodes NIC up[a],
/// optional site WAN links, NIC down[b] (rate `nicGBs`, latency `nicAlpha`).
/// Nodes `0..<nodes/2` are site 0 and the rest site 1 when `wanGBs` is set.
struct NetNodesTopology: NetworkTopology {
    var nodes: Int, chipsPerNode: Int
    var links: [Link] = []
    var rankCount: Int { nodes * chipsPerNode }
    var wanGBs: Double?

    init(nodes: Int, chipsPerNode: Int, intraGBs: Double, intraAlpha: Double, nicGBs: Double, nicAlpha: Double,
         wanGBs: Double? = nil, wanAlpha: Double = 0) {
        self.nodes = nodes; self.chipsPerNode = chipsPerNode; self.wanGBs = wanGBs
        let n = nodes * chipsPerNode
        for r in 0..<n { links.append(Link(name: "c\(r)/su_up", kind: .scaleUp, gbs: intraGBs, latencySeconds: intraAlpha)) }
        for r in 0..<n { links.append(Link(name: "c\(r)/su_down", kind: .scaleUp, gbs: intraGBs, latencySeconds: 0)) }
        for r in 0..<n { links.append(Link(name: "c\(r)/nic_up", kind: .nic, gbs: nicGBs, latencySeconds: nicAlpha)) }
        for r in 0..<n { links.append(Link(name: "c\(r)/nic_down", kind: .nic, gbs: nicGBs, latencySeconds: 0)) }
        if let w = wanGBs {
            links.append(Link(name: "wan0->1", kind: .wan, gbs: w, latencySeconds: wanAlpha))
            links.append(Link(name: "wan1->0", kind: .wan, gbs: w, latencySeconds: wanAlpha))
        }
    }
    func route(from a: Int, to b: Int) -> Route {
        let n = rankCount
        var l: [Int]
        if node(ofRank: a) == node(ofRank: b) {
            l = [a, n + b]
        } else {
            l = [2 * n + a]
            if wanGBs != nil && site(ofRank: a) != site(ofRank: b) { l.append(4 * n + site(ofRank: a)) }
            l.append(3 * n + b)
        }
        return Route(links: l, latencySeconds: l.map { links[$0].latencySeconds }.reduce(0, +),
                     bottleneckGBs: l.map { links[$0].gbs }.min() ?? 0)
    }
    func node(ofRank rank: Int) -> Int { rank / chipsPerNode }
    func site(ofRank rank: Int) -> Int { wanGBs != nil && node(ofRank: rank) >= nodes / 2 ? 1 : 0 }
    func chip(ofRank rank: Int) -> Chip { netTestChip() }
}

/// Random capacities and random routes (1-4 distinct links per ordered pair), for
/// checking the fast max-min path against the reference solver.
struct NetRandomTopology: NetworkTopology {
    var rankCount: Int
    var links: [Link]
    var routes: [[Int]]

    init(ranks: Int, linkCount: Int, rng: inout NetSplitMix) {
        rankCount = ranks
        links = (0..<linkCount).map { Link(name: "l\($0)", kind: .measured, gbs: 1 + Double(rng.next() % 9000) / 1000, latencySeconds: 0) }
        routes = []
        for _ in 0..<(ranks * ranks) {
            let len = 1 + Int(rng.next() % 4)
            var chosen: [Int] = []
            while chosen.count < min(len, linkCount) {
                let l = Int(rng.next() % UInt64(linkCount))
                if !chosen.contains(l) { chosen.append(l) }
            }
            routes.append(chosen)
        }
    }
    func route(from a: Int, to b: Int) -> Route {
        let l = routes[a * rankCount + b]
        return Route(links: l, latencySeconds: 0, bottleneckGBs: l.map { links[$0].gbs }.min() ?? 0)
    }
    func node(ofRank rank: Int) -> Int { rank }
    func site(ofRank rank: Int) -> Int { 0 }
    func chip(ofRank rank: Int) -> Chip { netTestChip() }
}

/// SplitMix64: a tiny seeded generator so random instances are reproducible.
struct NetSplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Test-only lowerings of all-reduce algorithms to transfer graphs. Each phase
/// takes, per participating rank, the transfers it must wait for before it
/// starts, and returns the same for the next phase.
enum NetLowering {
    /// `steps` ring steps among `ranks`, each moving `chunkBytes` from position i
    /// to i+1. A send waits for the chunk received in the previous step and for
    /// the rank's own previous send (one channel streams in order).
    static func ringPhase(_ g: inout TransferGraph, ranks: [Int], chunkBytes: Double, steps: Int, reduce: Bool,
                          ready: [[Int]]) -> [[Int]] {
        let p = ranks.count
        var prev = [Int](repeating: -1, count: p)  // transfer sent by position i in the previous step
        for s in 0..<steps {
            var cur = prev
            for i in 0..<p {
                let deps = s == 0 ? ready[i] : [prev[(i + p - 1) % p], prev[i]]
                cur[i] = g.add(src: ranks[i], dst: ranks[(i + 1) % p], bytes: chunkBytes,
                               reduceBytes: reduce ? chunkBytes : 0, after: deps)
            }
            prev = cur
        }
        if steps == 0 { return ready }
        return (0..<p).map { [prev[($0 + p - 1) % p], prev[$0]] }
    }

    /// Ring all-reduce of `bytes` over `ranks`: reduce-scatter then all-gather.
    static func ringAllReduce(_ g: inout TransferGraph, ranks: [Int], bytes: Double, reduce: Bool = false,
                              ready: [[Int]]? = nil) -> [[Int]] {
        let p = ranks.count
        let r0 = ready ?? Array(repeating: [], count: p)
        let rs = ringPhase(&g, ranks: ranks, chunkBytes: bytes / Double(p), steps: p - 1, reduce: reduce, ready: r0)
        return ringPhase(&g, ranks: ranks, chunkBytes: bytes / Double(p), steps: p - 1, reduce: false, ready: rs)
    }

    /// Pairwise exchanges: at step k rank r swaps `sizes[k]` bytes with r XOR 2^k
    /// (p a power of two); each send waits for what the rank received last.
    static func butterfly(_ g: inout TransferGraph, p: Int, sizes: [Double], order: [Int], reduceSteps: Int) -> Int {
        var received = [[Int]](repeating: [], count: p)
        for (k, size) in sizes.enumerated() {
            var next = [[Int]](repeating: [], count: p)
            for r in 0..<p {
                let partner = r ^ (1 << order[k])
                let t = g.add(src: r, dst: partner, bytes: size, reduceBytes: k < reduceSteps ? size : 0, after: received[r])
                next[partner].append(t)
            }
            received = next
        }
        return g.count
    }

    /// Recursive doubling: log2(p) exchanges of the whole buffer.
    static func recursiveDoubling(p: Int, bytes: Double) -> TransferGraph {
        var g = TransferGraph()
        let steps = log2i(p)
        _ = butterfly(&g, p: p, sizes: Array(repeating: bytes, count: steps), order: Array(0..<steps), reduceSteps: 0)
        return g
    }

    /// Rabenseifner: reduce-scatter by recursive halving (S/2, S/4, ..., S/p),
    /// then all-gather by recursive doubling (S/p, ..., S/2).
    static func rabenseifner(p: Int, bytes: Double) -> TransferGraph {
        var g = TransferGraph()
        let steps = log2i(p)
        let halving = (1...steps).map { bytes / Double(1 << $0) }
        let order = Array((0..<steps).reversed()) + Array(0..<steps)
        _ = butterfly(&g, p: p, sizes: halving + halving.reversed(), order: order, reduceSteps: steps)
        return g
    }

    /// 2D hierarchical all-reduce on `nodes` × `a` ranks: ring reduce-scatter in
    /// each node (chunks S/a), ring all-reduce of each S/a shard across nodes
    /// (one ring per local index), ring all-gather in each node.
    static func hierarchical(nodes b: Int, perNode a: Int, bytes: Double) -> TransferGraph {
        var g = TransferGraph()
        var ready = [[Int]](repeating: [], count: a * b)
        for n in 0..<b {
            let ranks = (0..<a).map { n * a + $0 }
            let out = ringPhase(&g, ranks: ranks, chunkBytes: bytes / Double(a), steps: a - 1, reduce: false,
                                ready: Array(repeating: [], count: a))
            for (i, r) in ranks.enumerated() { ready[r] = out[i] }
        }
        for c in 0..<a {
            let ranks = (0..<b).map { $0 * a + c }
            let out = ringAllReduce(&g, ranks: ranks, bytes: bytes / Double(a), ready: ranks.map { ready[$0] })
            for (i, r) in ranks.enumerated() { ready[r] = out[i] }
        }
        for n in 0..<b {
            let ranks = (0..<a).map { n * a + $0 }
            _ = ringPhase(&g, ranks: ranks, chunkBytes: bytes / Double(a), steps: a - 1, reduce: false,
                          ready: ranks.map { ready[$0] })
        }
        return g
    }

    static func log2i(_ p: Int) -> Int { Int.bitWidth - 1 - p.leadingZeroBitCount }
}

/// Checks the fixtures themselves, so a wrong fixture cannot pass silently.
final class NetworkFixtureTests: XCTestCase {
    func testFixtureRoutesAndGraphSizes() {
        let star = NetStarTopology(ranks: 4, gbs: 10, alpha: 1e-6)
        XCTAssertEqual(star.route(from: 1, to: 3).links, [1, 7])
        XCTAssertEqual(star.route(from: 1, to: 3).latencySeconds, 1e-6)
        let ring = NetRingTopology(gbs: [1, 2, 3, 4])
        XCTAssertEqual(ring.route(from: 3, to: 1).links, [3, 0])
        let nodes = NetNodesTopology(nodes: 4, chipsPerNode: 2, intraGBs: 100, intraAlpha: 0, nicGBs: 10, nicAlpha: 0,
                                     wanGBs: 5)
        XCTAssertEqual(nodes.route(from: 0, to: 1).links, [0, 9])
        XCTAssertEqual(nodes.route(from: 0, to: 7).links, [16, 32, 31])
        XCTAssertEqual(nodes.route(from: 0, to: 3).links, [16, 27])
        var g = TransferGraph()
        _ = NetLowering.ringAllReduce(&g, ranks: Array(0..<5), bytes: 10)
        XCTAssertEqual(g.count, 2 * 4 * 5)
        XCTAssertEqual(NetLowering.recursiveDoubling(p: 8, bytes: 1).count, 3 * 8)
        let rab = NetLowering.rabenseifner(p: 8, bytes: 8)
        XCTAssertEqual(rab.count, 6 * 8)
        // Each rank sends 2(p-1)/p of the buffer in total.
        var sentByRank0 = 0.0
        for i in 0..<rab.count where rab.src[i] == 0 { sentByRank0 += rab.bytes[i] }
        XCTAssertEqual(sentByRank0, 2.0 * 7.0 / 8.0 * 8.0)
        let intraTransfers = 2 * (3 * 4) * 3  // RS + AG: 3 steps × 4 ranks × 3 nodes
        let interTransfers = 4 * (2 * 2 * 3)  // 4 column rings of 3 ranks, 2·2 steps
        XCTAssertEqual(NetLowering.hierarchical(nodes: 3, perNode: 4, bytes: 12).count, intraTransfers + interTransfers)
    }
}
