import XCTest
@testable import AmalgamCore

/// Measured collective curves: the interpolation rule, curves attached to
/// clusters (lookup, checks, JSON), and `CollectiveTiming` using them.
final class MeasuredCollectiveTests: XCTestCase {
    /// A point whose in-place time is `us` µs and out-of-place time twice that.
    func point(_ bytes: Double, us: Double) -> MeasuredCollectivePoint {
        MeasuredCollectivePoint(bytes: bytes, elementCount: Int(bytes) / 4, dataType: "float",
                                outOfPlace: MeasuredTiming(seconds: 2 * us * 1e-6, algbwGBs: 0, busbwGBs: 0),
                                inPlace: MeasuredTiming(seconds: us * 1e-6, algbwGBs: 0, busbwGBs: 0))
    }

    /// 1 KiB: 10 µs, 4 KiB: 16 µs, 16 KiB: 40 µs (in place).
    func threePoints(_ kind: CollectiveKind = .allReduce, rankCount: Int? = nil) throws -> MeasuredCollectiveCurve {
        try MeasuredCollectiveCurve(collective: kind, rankCount: rankCount,
                                    points: [point(1024, us: 10), point(4096, us: 16), point(16384, us: 40)])
    }

    func testInterpolationAgainstHandComputedValues() throws {
        let c = try threePoints()
        // Below the smallest size: the latency floor.
        XCTAssertEqual(c.seconds(bytes: 0), 10e-6, accuracy: 1e-18)
        XCTAssertEqual(c.seconds(bytes: 512), 10e-6, accuracy: 1e-18)
        XCTAssertEqual(c.seconds(bytes: -5), 10e-6, accuracy: 1e-18)
        // At measured sizes: exact.
        XCTAssertEqual(c.seconds(bytes: 1024), 10e-6, accuracy: 1e-18)
        XCTAssertEqual(c.seconds(bytes: 4096), 16e-6, accuracy: 1e-18)
        XCTAssertEqual(c.seconds(bytes: 16384), 40e-6, accuracy: 1e-18)
        // 2048: 10 + 6 * (1024 / 3072) = 12 µs; 10240: 16 + 24 * (6144 / 12288) = 28 µs.
        XCTAssertEqual(c.seconds(bytes: 2048), 12e-6, accuracy: 1e-15)
        XCTAssertEqual(c.seconds(bytes: 10240), 28e-6, accuracy: 1e-15)
        // Above the largest: 16384 B / 40 µs carries on, so 32768 B takes 80 µs, 1 MiB 2560 µs.
        XCTAssertEqual(c.seconds(bytes: 32768), 80e-6, accuracy: 1e-15)
        XCTAssertEqual(c.seconds(bytes: 1_048_576), 2560e-6, accuracy: 1e-12)
        // Out of place: every time doubled in this curve.
        XCTAssertEqual(c.seconds(bytes: 2048, placement: .outOfPlace), 24e-6, accuracy: 1e-15)
        XCTAssertEqual(c.seconds(bytes: 100, placement: .outOfPlace), 20e-6, accuracy: 1e-15)
    }

    /// Time affine in size (α-β): interpolation between measured sizes is exact.
    func testInterpolationIsExactForAffineTime() throws {
        let alpha = 7e-6, beta = 150e9
        let points = (10...30).map { k -> MeasuredCollectivePoint in
            let s = Double(1 << k), t = alpha + s / beta
            return MeasuredCollectivePoint(bytes: s, elementCount: 0, dataType: "float",
                                           outOfPlace: MeasuredTiming(seconds: t, algbwGBs: 0, busbwGBs: 0),
                                           inPlace: MeasuredTiming(seconds: t, algbwGBs: 0, busbwGBs: 0))
        }
        let c = try MeasuredCollectiveCurve(collective: .allGather, points: points)
        for s in [1500.0, 3_000_000, 123_456_789, 1_000_000_000] {
            XCTAssertEqual(c.seconds(bytes: s), alpha + s / beta, accuracy: 1e-12 * (alpha + s / beta), "\(s)")
        }
    }

    func testCurveChecks() {
        func message(_ points: [MeasuredCollectivePoint]) -> String {
            do { _ = try MeasuredCollectiveCurve(collective: .allReduce, points: points); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message([]), "a measured all_reduce curve needs at least one size")
        XCTAssertEqual(message([point(4096, us: 1), point(1024, us: 2)]), "measured sizes must increase: 1024 bytes follows 4096 bytes")
        XCTAssertEqual(message([point(1024, us: 0)]), "size 1024 bytes: out_of_place time 0.0 s must be positive")
    }

    /// Two A100 nodes of 8 (ranks 0-7 and 8-15).
    func twoNodes() throws -> ClusterSpec {
        ClusterSpec(name: "two", sites: [SiteSpec(name: "dc", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: 2)])])
    }

    func fixtureCurve() throws -> MeasuredCollectiveCurve { try NcclTestsParser.parse(NcclTestsParserTests.fixture) }

    func testClusterLookupMatchesExactlyTheRankSet() throws {
        var spec = try twoNodes()
        let curve = try fixtureCurve()
        spec.attach(curve, ranks: [8, 9, 10, 11, 12, 13, 14, 15], source: "ar.txt")
        let c = try spec.compile()
        let want = curve.seconds(bytes: 3e8)
        XCTAssertEqual(c.measuredCollectiveSeconds(.allReduce, ranks: Array(8...15), bytes: 3e8), want)
        XCTAssertEqual(c.measuredCollectiveSeconds(.allReduce, ranks: [15, 9, 8, 10, 14, 11, 13, 12], bytes: 3e8), want)
        XCTAssertNil(c.measuredCollectiveSeconds(.allGather, ranks: Array(8...15), bytes: 3e8))
        XCTAssertNil(c.measuredCollectiveSeconds(.allReduce, ranks: Array(0...7), bytes: 3e8))
        XCTAssertNil(c.measuredCollectiveSeconds(.allReduce, ranks: Array(8...14), bytes: 3e8))
        XCTAssertNil(c.measuredCollectiveSeconds(.allReduce, ranks: Array(7...15), bytes: 3e8))
        XCTAssertNil(try twoNodes().compile().measuredCollectiveSeconds(.allReduce, ranks: Array(8...15), bytes: 3e8))
        // By node names.
        XCTAssertEqual(try c.ranks(onNodes: ["dc/nvidia_a100_sxm4_80g/n1", "dc/nvidia_a100_sxm4_80g/n0"]),
                       Array(8...15) + Array(0...7))
        XCTAssertThrowsError(try c.ranks(onNodes: ["dc/nvidia_a100_sxm4_80g/n2"])) {
            XCTAssertEqual("\($0)", "unknown node 'dc/nvidia_a100_sxm4_80g/n2' (group 'dc/nvidia_a100_sxm4_80g' has nodes n0...n1)")
        }
        XCTAssertTrue(c.summary().contains("all_reduce over 8 ranks: 31 sizes, 8...8589934592 bytes, in_place (ar.txt)"), c.summary())
    }

    func testCompileChecksTheGroup() throws {
        func message(_ ranks: [Int], rankCount: Int? = 4, twice: Bool = false) throws -> String {
            var spec = try twoNodes()
            spec.attach(try threePoints(rankCount: rankCount), ranks: ranks, source: "x.txt")
            if twice { spec.attach(try threePoints(rankCount: rankCount), ranks: ranks.reversed()) }
            do { _ = try spec.compile(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(try message([0, 1, 2, 3]), "no error")
        XCTAssertEqual(try message([0, 1, 2]), "measured all_reduce curve 1 ('x.txt'): the output lists 4 ranks, but the group has 3")
        XCTAssertEqual(try message([0, 1, 2, 16]), "measured all_reduce curve 1 ('x.txt'): rank 16 is out of range (cluster has 16 chips, 0...15)")
        XCTAssertEqual(try message([0, 1, 1, 2]), "measured all_reduce curve 1 ('x.txt'): rank 1 is listed twice")
        XCTAssertEqual(try message([], rankCount: nil), "measured all_reduce curve 1 ('x.txt'): no ranks given")
        XCTAssertEqual(try message([0, 1, 2, 3], twice: true), "measured all_reduce curve 2: curve 1 already measures all_reduce over these 4 ranks")
    }

    func testJSONCarriesCurvesAndOldFilesLoad() throws {
        let plain = try twoNodes()
        let plainText = try plain.jsonString()
        XCTAssertFalse(plainText.contains("collectiveCurves"))
        XCTAssertEqual(try ClusterSpec(json: plainText), plain)
        var spec = plain
        spec.connect(.nodeName("dc/nvidia_a100_sxm4_80g/n0"), .nodeName("dc/nvidia_a100_sxm4_80g/n1"), gbs: 20, latencySeconds: 5e-6)
        spec.attach(try fixtureCurve(), ranks: Array(0...7), placement: .outOfPlace, source: "ar.txt")
        let text = try spec.jsonString()
        let back = try ClusterSpec(json: text)
        XCTAssertEqual(back, spec)
        XCTAssertEqual(try back.jsonString(), text)
        let c = try back.compile()
        XCTAssertEqual(try XCTUnwrap(c.measuredCollectiveSeconds(.allReduce, ranks: Array(0...7), bytes: 8)), 11.70e-6, accuracy: 1e-15)
        XCTAssertEqual(try c.path(from: 0, to: 8).gbs, 20)
    }

    /// `CollectiveTiming` (what am.allreduce runs) answers from the curve only for
    /// the matching ranks and collective, and says so.
    func testCollectiveTimingUsesTheCurveForMatchingRanks() throws {
        var spec = try twoNodes()
        let curve = try fixtureCurve()
        spec.attach(curve, ranks: Array(0...7))
        let c = try spec.compile()
        let S = 1 << 28
        func run(_ algo: String, ranks: [Int]?, _ kind: CollectiveKind = .allReduce,
                 measured: MeasuredCurvePolicy = .whenAuto) throws -> CollectiveTimingResult {
            try CollectiveTiming.time(CollectiveTimingRequest(kind, bytes: S, algorithm: algo, ranks: ranks, measured: measured), on: c)
        }
        let m = try run("auto", ranks: [7, 6, 5, 4, 3, 2, 1, 0])
        XCTAssertEqual(m.source, .measured)
        XCTAssertEqual(m.algorithm, "measured")
        XCTAssertEqual(m.seconds, 2017.3e-6, accuracy: 1e-12)  // 2^28 bytes is a measured size: in-place time
        XCTAssertEqual(m.algbwGBs, Double(S) / 2017.3e-6 / 1e9, accuracy: 1e-9)
        XCTAssertEqual(m.busbwGBs, m.algbwGBs * 14 / 8, accuracy: 1e-9)
        XCTAssertEqual(m.flowCount, 0)
        XCTAssertEqual(m.schedule.count, 0)
        XCTAssertEqual(m.bytesPerLink.count, c.links.count)
        XCTAssertNil(m.busiestLink)
        XCTAssertEqual(m.ranks, [7, 6, 5, 4, 3, 2, 1, 0])
        // Between sizes: the curve's interpolation.
        let between = try CollectiveTiming.time(CollectiveTimingRequest(.allReduce, bytes: 3 << 27, algorithm: "auto",
                                                                        ranks: Array(0...7)), on: c)
        XCTAssertEqual(between.seconds, (2017.3e-6 + 3978.4e-6) / 2, accuracy: 1e-12)  // halfway from 2^28 to 2^29

        // A named algorithm asks for the model, unless the caller prefers measurements.
        XCTAssertEqual(try run("ring", ranks: Array(0...7)).source, .model)
        XCTAssertEqual(try run("ring", ranks: Array(0...7)).algorithm, "ring")
        XCTAssertEqual(try run("ring", ranks: Array(0...7), measured: .preferred).source, .measured)
        XCTAssertEqual(try run("auto", ranks: Array(0...7), measured: .ignored).source, .model)
        XCTAssertThrowsError(try run("rnig", ranks: Array(0...7), measured: .preferred))
        // Other ranks, other collectives: the model.
        XCTAssertEqual(try run("auto", ranks: Array(8...15)).source, .model)
        XCTAssertEqual(try run("auto", ranks: nil).source, .model)
        XCTAssertEqual(try run("auto", ranks: Array(0...6)).source, .model)
        XCTAssertEqual(try run("auto", ranks: Array(0...7), .allGather).source, .model)
        // Request checks still apply before the curve is consulted.
        XCTAssertThrowsError(try CollectiveTiming.time(CollectiveTimingRequest(.allReduce, bytes: 6, algorithm: "auto",
                                                                               ranks: Array(0...7)), on: c))
    }

    /// Adding nodes to an earlier site shifts the ranks after it; curves move with their chips.
    func testCurvesFollowTheirChipsWhenNodesAreAdded() throws {
        var spec = ClusterSpec(name: "x", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: 1)]),
                                                  SiteSpec(name: "b", groups: [NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: 1)])],
                               wan: [WanLinkSpec("a", "b", gbps: 400, latencyMs: 1)])
        spec.attach(try threePoints(rankCount: 8), ranks: Array(8..<16))
        try spec.addNodes(NodeGroupSpec("nvidia_h20", nodes: 1), toSite: "a")
        let c = try spec.compile()
        XCTAssertNil(c.measuredCollective(.allReduce, ranks: Array(8..<16)))
        XCTAssertNotNil(c.measuredCollective(.allReduce, ranks: Array(16..<24)))
    }
}
