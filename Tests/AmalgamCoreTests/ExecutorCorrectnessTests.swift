import XCTest
@testable import AmalgamCore

/// Every algorithm on every rank count 1...64 (and 100, 257) and the awkward sizes,
/// run by the parallel executor against the serial reference.
final class ExecutorCorrectnessTests: XCTestCase {
    func run(_ a: String, _ c: CollectiveKind, p: Int, n: Int, pattern: InputPattern = .integers,
             file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try CollectiveFixtures.schedule(a, c, p: p, n: n)
        let r = try ScheduleExecutor.run(s, as: Float.self, seed: UInt64(p * 1000 + n), pattern: pattern)
        XCTAssertTrue(r.ok, "\(a) \(c.rawValue) p=\(p) n=\(n): \(r.firstMismatch ?? "")", file: file, line: line)
        if pattern == .integers {
            // Integer inputs in -8...8 summed over at most 257 ranks stay far below 2^24: exact.
            XCTAssertEqual(r.maxAbsError, 0, "\(a) \(c.rawValue) p=\(p) n=\(n)", file: file, line: line)
        }
    }

    /// Sizes 0, 1, p-1, p+1 for every rank count 1...64: exact results.
    func testEveryAlgorithmEveryRankCountSmallSizes() throws {
        for p in 1...64 {
            for (a, c) in CollectiveFixtures.pairs(p: p) {
                for n in Set([0, 1, max(0, p - 1), p + 1]).sorted() {
                    try run(a, c, p: p, n: n)
                }
            }
        }
    }

    /// 100 and 257 ranks (257 prime: every fold and uneven chunk path), sizes 0,
    /// 1, p-1, p+1 (all-to-all: 0 and 1 element per pair, its check being quadratic in p).
    func testLargeRankCounts() throws {
        for p in [100, 257] {
            for (a, c) in CollectiveFixtures.pairs(p: p) {
                for n in c == .allToAll ? [0, 1] : [0, 1, p - 1, p + 1] { try run(a, c, p: p, n: n) }
            }
        }
    }

    /// A large prime element count per algorithm on a few rank counts: integers
    /// (exact) on 3 and 12 ranks, uniform random floats (within the stated bound) on 8.
    func testLargePrimeSize() throws {
        let prime = 100_003
        for (p, pattern) in [(3, InputPattern.integers), (12, .integers), (8, .uniform)] {
            for (a, c) in CollectiveFixtures.pairs(p: p) {
                try run(a, c, p: p, n: c == .allToAll ? 4_099 : prime, pattern: pattern)
            }
        }
    }

    /// Float64, Float16 and bfloat16 storage: integers exact (Float16 holds integers
    /// to 2048, bfloat16 to 256), uniform floats within the bound for the type.
    func testOtherElementTypes() throws {
        for a in ["ring", "rabenseifner", "double_binary_tree", "direct"] {
            for p in [5, 16] {
                let s = try CollectiveFixtures.schedule(a, .allReduce, p: p, n: 1_009)
                for pattern in InputPattern.allCases {
                    let d = try ScheduleExecutor.run(s, as: Double.self, seed: 7, pattern: pattern)
                    XCTAssertTrue(d.ok, "\(a) float64 \(pattern): \(d.firstMismatch ?? "")")
                    #if !(os(macOS) && arch(x86_64))
                    let h = try ScheduleExecutor.run(s, as: Float16.self, seed: 7, pattern: pattern)
                    XCTAssertTrue(h.ok, "\(a) float16 \(pattern): \(h.firstMismatch ?? "")")
                    if pattern == .integers { XCTAssertEqual(h.maxAbsError, 0) } else { XCTAssertGreaterThan(h.maxAbsError, 0) }
                    #endif
                    let b = try ScheduleExecutor.run(s, as: BFloat16.self, seed: 7, pattern: pattern)
                    XCTAssertTrue(b.ok, "\(a) bfloat16 \(pattern): \(b.firstMismatch ?? "")")
                    if pattern == .integers {
                        XCTAssertEqual(d.maxAbsError, 0); XCTAssertEqual(b.maxAbsError, 0)
                    } else {
                        XCTAssertGreaterThan(b.maxAbsError, 0, "bfloat16 sums of random floats should round somewhere")
                    }
                }
            }
        }
    }

    /// The check catches a schedule that leaves one chunk of one rank stale
    /// (the last all-gather copy removed).
    func testCheckDetectsMissingTransfer() throws {
        var s = try CollectiveFixtures.schedule("ring", .allReduce, p: 4, n: 64)
        // Drop the last transfer (an all-gather copy): one rank keeps a stale chunk.
        s.src.removeLast(); s.dst.removeLast(); s.srcSegment.removeLast(); s.dstSegment.removeLast()
        s.op.removeLast(); s.depStart.removeLast()
        s.deps.removeLast(s.deps.count - s.depStart.last!)
        let r = try ScheduleExecutor.run(s, as: Float.self, seed: 3, pattern: .uniform)
        XCTAssertFalse(r.ok)
        XCTAssertNotNil(r.firstMismatch)
    }

    /// The executor follows the dependencies: the same transfers without them all
    /// land in step 0, read unreduced inputs, and the result is wrong.
    func testExecutorHonoursDependencies() throws {
        var s = try CollectiveFixtures.schedule("ring", .allReduce, p: 6, n: 600)
        XCTAssertTrue(try ScheduleExecutor.run(s, as: Float.self, pattern: .integers).ok)
        s.deps = []; s.depStart = [Int](repeating: 0, count: s.count + 1)
        let r = try ScheduleExecutor.run(s, as: Float.self, pattern: .integers)
        XCTAssertEqual(r.steps, 1)
        XCTAssertFalse(r.ok)
    }

    /// Repeated runs restore the inputs each time: the checked (last) result is
    /// still the single all-reduce, not the sum applied several times over.
    func testRepeatsRestartFromInputs() throws {
        let s = try CollectiveFixtures.schedule("ring", .allReduce, p: 4, n: 1_000)
        let r = try ScheduleExecutor.run(s, as: Float.self, seed: 2, pattern: .integers, repeats: 3)
        XCTAssertTrue(r.ok, r.firstMismatch ?? "")
        XCTAssertEqual(r.maxAbsError, 0)
        XCTAssertEqual(r.steps, 6)
    }

    /// The error bound itself, against hand-computed values.
    func testErrorBoundFormula() {
        // gamma(3) at u = 2^-24: 3u/(1-3u).
        let u = 0x1p-24
        XCTAssertEqual(ReductionErrorBound.gamma(3, unitRoundoff: u), 3 * u / (1 - 3 * u))
        // 8 terms with sum |x| = 10: (gamma(7, 2^-24) + gamma(7, 2^-53)) * 10.
        let expected = (7 * u / (1 - 7 * u) + 7 * 0x1p-53 / (1 - 7 * 0x1p-53)) * 10
        XCTAssertEqual(ReductionErrorBound.bound(terms: 8, absSum: 10, unitRoundoff: u), expected)
        XCTAssertEqual(ReductionErrorBound.bound(terms: 1, absSum: 10, unitRoundoff: u), 0)
        XCTAssertEqual(ReductionErrorBound.gamma(1 << 25, unitRoundoff: u), .infinity)
    }
}
