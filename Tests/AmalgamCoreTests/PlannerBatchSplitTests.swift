import XCTest
@testable import AmalgamCore

final class PlannerBatchSplitTests: XCTestCase {
    // MARK: Independent brute force

    /// Time of `m` micro-batches on replica `x`, written out from the definition.
    private func time(_ x: ReplicaTime, _ m: Int) -> Double {
        m == 0 ? 0 : Double(m) * x.perMicrobatchSeconds + x.fixedSeconds
    }

    /// Least makespan over every split of `total` with 0 ≤ m_r ≤ cap_r, by enumeration;
    /// nil when none exists.
    private func bruteForce(_ total: Int, caps: [Int], time: (Int, Int) -> Double) -> Double? {
        var best: Double? = nil
        var m = [Int](repeating: 0, count: caps.count)
        func go(_ r: Int, _ left: Int, _ worst: Double) {
            if r == caps.count {
                if left == 0, best == nil || worst < best! { best = worst }
                return
            }
            for k in 0...min(left, caps[r]) {
                m[r] = k
                go(r + 1, left - k, max(worst, time(r, k)))
            }
        }
        go(0, total, 0)
        return best
    }

    /// Checks every constraint and the reported figures of a result.
    private func assertValid(_ res: BatchSplitResult, total: Int, caps: [Int], time: (Int, Int) -> Double,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(res.microbatches.reduce(0, +), total, "sum", file: file, line: line)
        var worst = 0.0
        for r in caps.indices {
            let m = res.microbatches[r]
            XCTAssert(m >= 0 && m <= caps[r], "replica \(r) got \(m) of cap \(caps[r])", file: file, line: line)
            XCTAssertEqual(res.replicaSeconds[r], time(r, m), file: file, line: line)
            XCTAssertEqual(res.binding[r], m == caps[r] ? .memory : .compute, file: file, line: line)
            worst = max(worst, time(r, m))
        }
        XCTAssertEqual(res.bottleneckSeconds, worst, file: file, line: line)
        if total == 0 { XCTAssertNil(res.bottleneckReplica, file: file, line: line) }
        else { XCTAssertEqual(res.bottleneckReplica, res.replicaSeconds.firstIndex(of: worst), file: file, line: line) }
    }

    // MARK: Optimality, property-style

    /// Up to 6 replicas of up to 3 chip types (speed classes), memory-limited or not,
    /// real-valued times: both algorithms give the identical split, whose makespan is
    /// the enumerated optimum; infeasible instances throw.
    func testLinearModelMatchesBruteForce() throws {
        var g = PlannerSplitMix64(seed: 1)
        var feasible = 0, infeasible = 0
        for _ in 0..<500 {
            let types = (0..<g.int(1...3)).map { _ in (per: 0.05 + g.unit() * 2, fixed: g.int(0...1) == 0 ? 0 : g.unit()) }
            let replicas = (0..<g.int(1...6)).map { _ -> ReplicaTime in
                let t = types[g.int(0...(types.count - 1))]
                let cap = g.int(0...3) == 0 ? g.int(0...3) : g.int(0...12)   // some tight memory
                return ReplicaTime(perMicrobatchSeconds: t.per, fixedSeconds: t.fixed, maxMicrobatches: cap)
            }
            let total = g.int(0...12)
            let caps = replicas.map(\.maxMicrobatches)
            let timeOf = { (r: Int, m: Int) in self.time(replicas[r], m) }
            guard let best = bruteForce(total, caps: caps, time: timeOf) else {
                XCTAssertThrowsError(try BatchSplit.split(microbatches: total, replicas: replicas))
                XCTAssertThrowsError(try BatchSplit.splitGreedy(microbatches: total, replicas: replicas))
                infeasible += 1
                continue
            }
            feasible += 1
            let fast = try BatchSplit.split(microbatches: total, replicas: replicas)
            let greedy = try BatchSplit.splitGreedy(microbatches: total, replicas: replicas)
            XCTAssertEqual(fast.bottleneckSeconds, best)
            XCTAssertEqual(fast, greedy)
            assertValid(fast, total: total, caps: caps, time: timeOf)
        }
        XCTAssert(feasible > 300 && infeasible > 10, "instance mix: \(feasible) feasible, \(infeasible) infeasible")
    }

    /// General (non-linear, nondecreasing) times through the closure form: step
    /// functions (micro-batches packed k at a time), concave and convex costs.
    func testGeneralModelMatchesBruteForce() throws {
        var g = PlannerSplitMix64(seed: 2)
        for _ in 0..<400 {
            let n = g.int(1...6)
            let shape = (0..<n).map { _ in (kind: g.int(0...2), a: 0.1 + g.unit(), k: g.int(1...4), fixed: g.unit()) }
            let caps = (0..<n).map { _ in g.int(0...10) }
            let total = g.int(0...min(12, caps.reduce(0, +)))
            let timeOf = { (r: Int, m: Int) -> Double in
                if m == 0 { return 0 }
                let s = shape[r]
                switch s.kind {
                case 0: return Double((m + s.k - 1) / s.k) * s.a + s.fixed      // packs of k
                case 1: return s.a * Double(m).squareRoot() + s.fixed             // concave
                default: return s.a * Double(m * m) / 4 + s.fixed                 // convex
                }
            }
            let best = try XCTUnwrap(bruteForce(total, caps: caps, time: timeOf))
            let res = try BatchSplit.split(microbatches: total, maxMicrobatches: caps, seconds: timeOf)
            XCTAssertEqual(res.bottleneckSeconds, best)
            assertValid(res, total: total, caps: caps, time: timeOf)
        }
    }

    /// Large batches (beyond enumeration): the two algorithms agree exactly, and an
    /// independent certificate proves optimality — strictly below the bottleneck, the
    /// replicas together have fewer than M slots, so no split can do better.
    func testLargeBatchesAgreeAndAreCertifiedOptimal() throws {
        var g = PlannerSplitMix64(seed: 3)
        for _ in 0..<20 {
            let types = (0..<4).map { _ in (per: 0.01 + g.unit(), fixed: g.unit() * 0.5) }
            let replicas = (0..<g.int(20...80)).map { _ -> ReplicaTime in
                let t = types[g.int(0...3)]
                return ReplicaTime(perMicrobatchSeconds: t.per, fixedSeconds: t.fixed, maxMicrobatches: g.int(0...200))
            }
            let capacity = replicas.reduce(0) { $0 + $1.maxMicrobatches }
            let total = g.int(0...capacity)
            let fast = try BatchSplit.split(microbatches: total, replicas: replicas)
            XCTAssertEqual(fast, try BatchSplit.splitGreedy(microbatches: total, replicas: replicas))
            assertValid(fast, total: total, caps: replicas.map(\.maxMicrobatches)) { self.time(replicas[$0], $1) }
            var below = 0
            for x in replicas { below += (0...x.maxMicrobatches).filter { $0 > 0 && time(x, $0) < fast.bottleneckSeconds }.count }
            XCTAssertLessThan(below, total == 0 ? 1 : total)
        }
    }

    // MARK: Closed-form cases

    /// Two replicas, one twice as fast: 9 micro-batches split 6/3 (both 6 s), the
    /// 10th goes to the lower index on the tie (7 s vs 8 s → replica 0).
    func testTwoSpeedsClosedForm() throws {
        let reps = [ReplicaTime(perMicrobatchSeconds: 1, maxMicrobatches: 100),
                    ReplicaTime(perMicrobatchSeconds: 2, maxMicrobatches: 100)]
        XCTAssertEqual(try BatchSplit.split(microbatches: 9, replicas: reps).microbatches, [6, 3])
        XCTAssertEqual(try BatchSplit.split(microbatches: 10, replicas: reps).microbatches, [7, 3])
        XCTAssertEqual(try BatchSplit.split(microbatches: 9, replicas: reps).bottleneckSeconds, 6)
    }

    /// Equal replicas, ties everywhere: the lower index wins each tie.
    func testTiesGoToLowerIndex() throws {
        let reps = Array(repeating: ReplicaTime(perMicrobatchSeconds: 0.5, maxMicrobatches: 4), count: 10)
        let res = try BatchSplit.split(microbatches: 3, replicas: reps)   // more replicas than micro-batches
        XCTAssertEqual(res.microbatches, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(res.bottleneckReplica, 0)
        XCTAssertEqual(res.replicaSeconds[5], 0)
    }

    /// A replica so slow that its share rounds to zero takes nothing and does not set
    /// the bottleneck; its fixed cost is not counted.
    func testVerySlowReplicaGetsNothing() throws {
        let reps = [ReplicaTime(perMicrobatchSeconds: 1, fixedSeconds: 0.5, maxMicrobatches: 16),
                    ReplicaTime(perMicrobatchSeconds: 1000, fixedSeconds: 7, maxMicrobatches: 16)]
        let res = try BatchSplit.split(microbatches: 8, replicas: reps)
        XCTAssertEqual(res.microbatches, [8, 0])
        XCTAssertEqual(res.bottleneckSeconds, 8.5)
        XCTAssertEqual(res.binding, [.compute, .compute])
    }

    /// Memory caps bind: the fast replica is full, the slow one takes the rest.
    func testMemoryCapBinds() throws {
        let reps = [ReplicaTime(perMicrobatchSeconds: 1, maxMicrobatches: 2),
                    ReplicaTime(perMicrobatchSeconds: 3, maxMicrobatches: 0),
                    ReplicaTime(perMicrobatchSeconds: 2, maxMicrobatches: 10)]
        let res = try BatchSplit.split(microbatches: 6, replicas: reps)
        XCTAssertEqual(res.microbatches, [2, 0, 4])
        XCTAssertEqual(res.binding, [.memory, .memory, .compute])
        XCTAssertEqual(res.bottleneckReplica, 2)
    }

    func testZeroMicrobatches() throws {
        let res = try BatchSplit.split(microbatches: 0, replicas: [ReplicaTime(perMicrobatchSeconds: 1, fixedSeconds: 3, maxMicrobatches: 4)])
        XCTAssertEqual(res.microbatches, [0])
        XCTAssertEqual(res.bottleneckSeconds, 0)
        XCTAssertNil(res.bottleneckReplica)
        XCTAssertEqual(try BatchSplit.split(microbatches: 0, replicas: []).microbatches, [])
    }

    /// Caps of Int.max must not overflow the capacity sum.
    func testHugeCapsDoNotOverflow() throws {
        let reps = Array(repeating: ReplicaTime(perMicrobatchSeconds: 1, maxMicrobatches: .max), count: 3)
        XCTAssertEqual(try BatchSplit.split(microbatches: 7, replicas: reps).microbatches, [3, 2, 2])
        XCTAssertEqual(try BatchSplit.splitGreedy(microbatches: 7, replicas: reps).microbatches, [3, 2, 2])
    }

    /// A huge fixed cost with a tiny per-micro-batch time makes many consecutive counts
    /// round to the same time; the counting must still be exact and terminate fast.
    func testRoundingPlateausStayExact() throws {
        let reps = [ReplicaTime(perMicrobatchSeconds: 1e-15, fixedSeconds: 1e15, maxMicrobatches: 1_000_000),
                    ReplicaTime(perMicrobatchSeconds: 3e-16, fixedSeconds: 1e15, maxMicrobatches: 1_000_000)]
        let fast = try BatchSplit.split(microbatches: 1500, replicas: reps)
        XCTAssertEqual(fast, try BatchSplit.splitGreedy(microbatches: 1500, replicas: reps))
        XCTAssertEqual(fast.bottleneckSeconds, 1e15)   // every count rounds to the fixed cost
    }

    // MARK: Bad input

    private func assertError(_ body: @autoclosure () throws -> BatchSplitResult, contains parts: [String],
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? AmalgamError else { return XCTFail("not an AmalgamError: \(error)", file: file, line: line) }
            for p in parts { XCTAssert(e.message.contains(p), "'\(e.message)' lacks '\(p)'", file: file, line: line) }
        }
    }

    func testCapacityTooSmallSaysCapacityAndDemand() {
        let reps = [ReplicaTime(perMicrobatchSeconds: 1, maxMicrobatches: 2), ReplicaTime(perMicrobatchSeconds: 1, maxMicrobatches: 3)]
        assertError(try BatchSplit.split(microbatches: 8, replicas: reps), contains: ["holds 5 micro-batches", "needs 8"])
        assertError(try BatchSplit.splitGreedy(microbatches: 8, replicas: reps), contains: ["holds 5", "needs 8"])
        assertError(try BatchSplit.split(microbatches: 1, replicas: []), contains: ["holds 0", "needs 1"])
    }

    func testRejectsBadTimes() {
        for bad in [0.0, -1.0, .nan, .infinity, -.infinity] {
            assertError(try BatchSplit.split(microbatches: 2, replicas: [ReplicaTime(perMicrobatchSeconds: bad, maxMicrobatches: 4)]),
                        contains: ["replica 0", "perMicrobatchSeconds", "> 0"])
        }
        for bad in [-0.5, .nan, .infinity] {
            assertError(try BatchSplit.split(microbatches: 2, replicas: [ReplicaTime(perMicrobatchSeconds: 1, maxMicrobatches: 4),
                                                                          ReplicaTime(perMicrobatchSeconds: 1, fixedSeconds: bad, maxMicrobatches: 4)]),
                        contains: ["replica 1", "fixedSeconds"])
        }
        assertError(try BatchSplit.split(microbatches: 2, replicas: [ReplicaTime(perMicrobatchSeconds: 1e308, maxMicrobatches: 4)]),
                    contains: ["overflows"])
    }

    func testRejectsBadCountsAndCaps() {
        let ok = ReplicaTime(perMicrobatchSeconds: 1, maxMicrobatches: 4)
        assertError(try BatchSplit.split(microbatches: -1, replicas: [ok]), contains: ["microbatches must be in 0..."])
        assertError(try BatchSplit.split(microbatches: 2, replicas: [ok, ReplicaTime(perMicrobatchSeconds: 1, maxMicrobatches: -3)]),
                    contains: ["replica 1", "maxMicrobatches", "-3"])
    }

    func testRejectsBadGeneralTimes() {
        assertError(try BatchSplit.split(microbatches: 3, maxMicrobatches: [5]) { _, m in m == 2 ? .nan : Double(m) },
                    contains: ["replica 0", "2 micro-batches", "finite"])
        assertError(try BatchSplit.split(microbatches: 3, maxMicrobatches: [5]) { _, m in m == 2 ? 0.5 : Double(m) },
                    contains: ["must not decrease"])
        assertError(try BatchSplit.split(microbatches: 1, maxMicrobatches: [5]) { _, _ in -1 },
                    contains: ["≥ 0"])
    }
}
