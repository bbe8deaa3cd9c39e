import XCTest
@testable import AmalgamCore

/// Structural properties of the schedules, each against a closed form written out here.
final class CollectiveScheduleTests: XCTestCase {
    func schedule(_ a: String, _ c: CollectiveKind = .allReduce, p: Int, n: Int,
                  _ params: AlgorithmParameters = AlgorithmParameters()) throws -> Schedule {
        try CollectiveAlgorithms.schedule(c, algorithm: a, rankCount: p, elementCount: n, parameters: params)
    }

    /// Ring all-reduce: each rank sends 2(p-1)/p * S. With n = p*k exactly
    /// 2(p-1)k elements per rank; otherwise the total is exactly 2(p-1)n and each
    /// rank's share lies between 2(p-1)floor(n/p) and 2(p-1)ceil(n/p).
    func testRingBytesPerRank() throws {
        for p in [2, 3, 7, 8, 16] {
            let k = 5, n = p * k
            let s = try schedule("ring", p: p, n: n)
            XCTAssertEqual(s.elementsSent(), Array(repeating: 2 * (p - 1) * k, count: p))
            XCTAssertEqual(s.elementsReceived(), Array(repeating: 2 * (p - 1) * k, count: p))
            XCTAssertEqual(s.stepCount, 2 * (p - 1))
            XCTAssertEqual(s.count, 2 * p * (p - 1))
            // In bytes, Float32: 2(p-1)/p * S with S = 4n.
            let graph = s.transferGraph(bytesPerElement: 4)
            var bytes = [Double](repeating: 0, count: p)
            for i in 0..<graph.count { bytes[Int(graph.src[i])] += graph.bytes[i] }
            for b in bytes { XCTAssertEqual(b * Double(p), 2 * Double(p - 1) * Double(4 * n)) }
        }
        for (p, n) in [(7, 100), (5, 3), (16, 17)] {
            let s = try schedule("ring", p: p, n: n)
            let sent = s.elementsSent()
            XCTAssertEqual(sent.reduce(0, +), 2 * (p - 1) * n)
            for x in sent {
                XCTAssertGreaterThanOrEqual(x, 2 * (p - 1) * (n / p))
                XCTAssertLessThanOrEqual(x, 2 * (p - 1) * ((n + p - 1) / p))
            }
        }
    }

    /// Step counts: recursive doubling log2 p, Rabenseifner 2 log2 p (+2 for the fold),
    /// direct 2, ring 2(p-1), double binary tree 2*height + chunks - 1 pipeline depth bound.
    func testStepCounts() throws {
        for l in 1...7 {
            let p = 1 << l
            XCTAssertEqual(try schedule("recursive_doubling", p: p, n: 1000).stepCount, l)
            XCTAssertEqual(try schedule("rabenseifner", p: p, n: 1000).stepCount, 2 * l)
            XCTAssertEqual(try schedule("recursive_halving", .reduceScatter, p: p, n: 1000).stepCount, l)
            XCTAssertEqual(try schedule("recursive_doubling", .allGather, p: p, n: 1000).stepCount, l)
            XCTAssertEqual(try schedule("direct", p: p, n: 1000).stepCount, 2)
        }
        for p in [3, 5, 6, 12, 100] {
            let core = 1 << (Int.bitWidth - 1 - p.leadingZeroBitCount)
            let l = core.trailingZeroBitCount
            XCTAssertEqual(try schedule("rabenseifner", p: p, n: 1000).stepCount, 2 * l + 2)
            var fold = AlgorithmParameters(); fold.foldNonPowerOfTwo = true
            XCTAssertEqual(try schedule("recursive_doubling", p: p, n: 1000, fold).stepCount, l + 2)
        }
        XCTAssertEqual(try schedule("ring", p: 1, n: 1000).count, 0)
        XCTAssertEqual(try schedule("ring", p: 9, n: 0).count, 0)
    }

    /// Rabenseifner moves the ring's bytes: 2(p-1)/p * n per rank for powers of two;
    /// recursive doubling moves log2(p) * n.
    func testRecursiveBytes() throws {
        for l in 1...6 {
            let p = 1 << l, n = p * 3
            XCTAssertEqual(try schedule("rabenseifner", p: p, n: n).elementsSent(), Array(repeating: 2 * (p - 1) * 3, count: p))
            XCTAssertEqual(try schedule("recursive_doubling", p: p, n: n).elementsSent(), Array(repeating: l * n, count: p))
        }
    }

    /// Lowering keeps every transfer (minus local copies), the bytes, the reduce
    /// flags, and dependencies that point backwards (so the graph has no cycles).
    func testTransferGraphLowering() throws {
        for (a, c) in CollectiveFixtures.pairs(p: 12) {
            let s = try CollectiveFixtures.schedule(a, c, p: 12, n: 1_000)
            let g = s.transferGraph(bytesPerElement: 2)
            let remote = (0..<s.count).filter { s.src[$0] != s.dst[$0] }
            XCTAssertEqual(g.count, remote.count, a)
            for (gi, i) in remote.enumerated() {
                XCTAssertEqual(g.src[gi], s.src[i]); XCTAssertEqual(g.dst[gi], s.dst[i])
                XCTAssertEqual(g.bytes[gi], Double(2 * s.length(of: i)))
                XCTAssertEqual(g.reduceBytes[gi], s.op[i] == .reduce ? g.bytes[gi] : 0)
                for d in g.dependencies(of: gi) { XCTAssertLessThan(Int(d), gi, "\(a): dependency must point backwards") }
            }
        }
        // All-to-all: the p local copies are dropped; round 1 waited only for the
        // local copy, so it now waits for nothing, and round 2 waits for round 1's
        // receive (index shifted down by the p dropped copies).
        let a2a = try schedule("pairwise", .allToAll, p: 5, n: 7)
        let g = a2a.transferGraph(bytesPerElement: 4)
        XCTAssertEqual(g.count, 5 * 4)
        for r in 0..<5 { XCTAssertEqual(Array(g.dependencies(of: r)), []) }
        for r in 0..<5 {
            let d = g.dependencies(of: 5 + r)
            XCTAssertEqual(d.count, 1)
            XCTAssertEqual(Int(g.dst[Int(d.first!)]), r, "round 2 from rank \(r) waits for its round 1 receive")
        }
    }

    /// The ring dependency is exact: the step-k send from rank r waits for exactly
    /// one transfer, the step k-1 receive into r, which carried the same chunk
    /// (reduce-scatter) or the chunk it forwards (all-gather).
    func testRingDependenciesArePrecise() throws {
        let p = 6
        let s = try schedule("ring", p: p, n: 600)
        let g = s.transferGraph(bytesPerElement: 4)
        for i in 0..<g.count {
            let deps = Array(g.dependencies(of: i))
            if i < p { XCTAssertEqual(deps, []); continue }
            XCTAssertEqual(deps.count, 1)
            let d = Int(deps[0])
            XCTAssertEqual(g.dst[d], g.src[i], "the dependency is a receive into the sender")
            XCTAssertEqual(s.steps()[d] + 1, s.steps()[i])
            XCTAssertEqual(s.srcSegment[d], s.srcSegment[i], "it delivered the chunk being forwarded")
        }
    }

    /// Every algorithm's dependencies determine its data flow (no reads of data
    /// whose arrival is not awaited, no overwrites before a read).
    func testDataflowIsDetermined() throws {
        for p in [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 24, 32] {
            for (a, c) in CollectiveFixtures.pairs(p: p) {
                for n in [1, p + 3, 40] {
                    let s = try CollectiveFixtures.schedule(a, c, p: p, n: n)
                    XCTAssertNoThrow(try s.checkDataflow(), "\(a) \(c.rawValue) p=\(p) n=\(n)")
                }
            }
        }
    }

    /// The checker catches a missing dependency (ring step 1 without its receive).
    func testDataflowCheckerCatchesMissingDependency() throws {
        let ok = try Schedule(collective: .allReduce, rankCount: 2, elementCount: 2, transfers: [
            TransferSpec(src: 0, dst: 1, srcStart: 1, length: 1, op: .reduce),
            TransferSpec(src: 1, dst: 0, srcStart: 0, length: 1, op: .reduce),
            TransferSpec(src: 1, dst: 0, srcStart: 1, length: 1, op: .copy, after: [0]),
            TransferSpec(src: 0, dst: 1, srcStart: 0, length: 1, op: .copy, after: [1]),
        ])
        XCTAssertNoThrow(try ok.checkDataflow())
        XCTAssertTrue(try ScheduleExecutor.run(ok, as: Float.self, pattern: .integers).ok)
        // Transfer 3 forwards rank 1's element, summed into by transfer 0 in step 0,
        // but depends only on an unrelated chain (1 -> 2): nothing makes the network
        // model wait for transfer 0.
        let bad = try Schedule(collective: .allReduce, rankCount: 4, elementCount: 1, transfers: [
            TransferSpec(src: 0, dst: 1, srcStart: 0, length: 1, op: .reduce),
            TransferSpec(src: 2, dst: 3, srcStart: 0, length: 1, op: .copy),
            TransferSpec(src: 3, dst: 2, srcStart: 0, length: 1, op: .copy, after: [1]),
            TransferSpec(src: 1, dst: 2, srcStart: 0, length: 1, op: .reduce, after: [2]),
        ])
        XCTAssertThrowsError(try bad.checkDataflow()) { e in
            XCTAssertTrue("\(e)".contains("without"), "\(e)")
        }
    }

    /// Chunk boundaries never lose elements: i*n/p for sizes around p.
    func testChunkingCoversRange() {
        for (lo, hi, k) in [(0, 0, 3), (0, 1, 5), (3, 10, 7), (0, 17, 16), (5, 6, 1)] {
            let b = Chunking.even(lo, hi, k)
            XCTAssertEqual(b.first, lo); XCTAssertEqual(b.last, hi); XCTAssertEqual(b.count, k + 1)
            XCTAssertTrue(zip(b, b.dropFirst()).allSatisfy { $1 - $0 >= (hi - lo) / k && $1 - $0 <= (hi - lo + k - 1) / k })
        }
        let w = Chunking.weighted(0, 10, [1, 1, 1])
        XCTAssertEqual(w, [0, 4, 7, 10], "largest remainder, ties to the lower index")
        XCTAssertEqual(Chunking.weighted(0, 100, [3, 1, 0, 1]), [0, 60, 80, 80, 100])
    }
}
