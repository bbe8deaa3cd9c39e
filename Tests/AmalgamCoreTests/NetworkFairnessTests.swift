import XCTest
@testable import AmalgamCore

/// The engine's incremental max-min rates against a slow, obviously-correct
/// reference: textbook progressive filling over every active flow and every link.
final class NetworkFairnessTests: XCTestCase {
    /// Water-filling: raise all unfrozen flows together; the link with the
    /// smallest remaining-capacity / unfrozen-flows share saturates; freeze its
    /// flows at that share; repeat.
    static func referenceRates(routes: [[Int]], capacity: [Double]) -> [Double] {
        var rate = [Double](repeating: 0, count: routes.count)
        var frozen = [Bool](repeating: false, count: routes.count)
        var rem = capacity
        while frozen.contains(false) {
            var best = Double.infinity, bestLink = -1
            for l in capacity.indices {
                let users = routes.indices.filter { !frozen[$0] && routes[$0].contains(l) }.count
                if users > 0 && rem[l] / Double(users) < best { best = rem[l] / Double(users); bestLink = l }
            }
            for f in routes.indices where !frozen[f] && routes[f].contains(bestLink) {
                frozen[f] = true
                rate[f] = best
                for l in routes[f] { rem[l] -= best }
            }
        }
        return rate
    }

    /// The textbook example: A on link 0 (10 GB/s); B on links 0 and 1; C on
    /// link 1 (4 GB/s). Link 1 saturates first: B = C = 2; A takes 10 - 2 = 8.
    func testHandWorkedExample() throws {
        struct T: NetworkTopology {
            var rankCount: Int { 4 }
            var links = [Link(name: "a", kind: .measured, gbs: 10, latencySeconds: 0),
                         Link(name: "b", kind: .measured, gbs: 4, latencySeconds: 0)]
            func route(from a: Int, to b: Int) -> Route {
                let l = a == 0 ? [0] : a == 1 ? [0, 1] : [1]
                return Route(links: l, latencySeconds: 0, bottleneckGBs: 0)
            }
            func node(ofRank rank: Int) -> Int { rank }
            func site(ofRank rank: Int) -> Int { 0 }
            func chip(ofRank rank: Int) -> Chip { netTestChip() }
        }
        var e = try FlowEngine(topology: T(), options: .ideal)
        for src in 0..<3 { try e.addFlow(src: src, dst: 3, bytes: 1e9, tag: src) }
        let rates = e.activeRates().map { $0.bytesPerSecond / 1e9 }
        XCTAssertEqual(rates[0], 8, accuracy: 1e-12)
        XCTAssertEqual(rates[1], 2, accuracy: 1e-12)
        XCTAssertEqual(rates[2], 2, accuracy: 1e-12)
        XCTAssertEqual(Self.referenceRates(routes: [[0], [0, 1], [1]], capacity: [10, 4]), [8, 2, 2])
    }

    /// Random topologies and flow arrivals (seeded): after every event batch the
    /// engine's rates equal the reference's over all active flows.
    func testIncrementalRatesMatchReferenceOnRandomInstances() throws {
        var rng = NetSplitMix(state: 20_261_129)
        var checks = 0
        for instance in 0..<40 {
            let ranks = 3 + Int(rng.next() % 5)
            let t = NetRandomTopology(ranks: ranks, linkCount: 2 + Int(rng.next() % 7), rng: &rng)
            let capacity = t.links.map { $0.gbs * 1e9 }
            var e = try FlowEngine(topology: t, options: .ideal)
            var routeOfTag: [Int: [Int]] = [:]
            var nextTag = 0
            func addRandomFlows(_ count: Int) throws {
                for _ in 0..<count {
                    let s = Int(rng.next() % UInt64(ranks))
                    var d = Int(rng.next() % UInt64(ranks))
                    if d == s { d = (d + 1) % ranks }
                    // Some flows share a size so finishes coincide and batch together.
                    let bytes = rng.next() % 3 == 0 ? 1e9 : 1e8 + rng.unit() * 2e9
                    try e.addFlow(src: s, dst: d, bytes: bytes, tag: nextTag)
                    routeOfTag[nextTag] = t.route(from: s, to: d).links
                    nextTag += 1
                }
            }
            try addRandomFlows(4 + Int(rng.next() % 12))
            var events: [NetworkEvent] = []
            var batches = 0
            while true {
                let active = e.activeRates()
                let expected = Self.referenceRates(routes: active.map { routeOfTag[$0.tag]! }, capacity: capacity)
                for (a, x) in zip(active, expected) {
                    XCTAssertEqual(a.bytesPerSecond, x, accuracy: 1e-9 * x, "instance \(instance) flow \(a.tag)")
                }
                checks += 1
                guard e.nextEvents(into: &events) else { break }
                batches += 1
                if batches < 12 && rng.next() % 2 == 0 { try addRandomFlows(1 + Int(rng.next() % 3)) }
            }
            XCTAssertTrue(e.activeRates().isEmpty)
        }
        XCTAssertGreaterThan(checks, 400)
    }

    /// Conservation on random instances: every flow delivers exactly once, and
    /// no link ever carries more than its capacity in total over the run.
    func testRandomRunsDeliverEveryFlowOnce() throws {
        var rng = NetSplitMix(state: 7)
        for _ in 0..<20 {
            let t = NetRandomTopology(ranks: 6, linkCount: 5, rng: &rng)
            var g = TransferGraph()
            for i in 0..<30 {
                let s = Int(rng.next() % 6), d = (s + 1 + Int(rng.next() % 5)) % 6
                let dep = i > 0 && rng.next() % 2 == 0 ? [Int(rng.next() % UInt64(i))] : []
                g.add(src: s, dst: d, bytes: 1e8 * (1 + rng.unit()), after: dep)
            }
            let r = try NetworkModel.time(g, on: t, options: .ideal)
            XCTAssertEqual(r.flowCount, 30)
            for l in t.links.indices {
                XCTAssertLessThanOrEqual(r.bytesPerLink[l], t.links[l].gbs * 1e9 * r.makespanSeconds * (1 + 1e-9))
            }
            for i in 0..<g.count {
                for d in g.dependencies(of: i) {
                    XCTAssertLessThan(r.transferFinishSeconds[Int(d)], r.transferFinishSeconds[i])
                }
            }
        }
    }
}
