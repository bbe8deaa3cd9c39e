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

    /// 100 and 257 ranks (257 prime: every fold and uneven chunk path), sizes 1 and p+1.
    func testLargeRankCounts() throws {
        for p in [100, 257] {
            for (a, c) in CollectiveFixtures.pairs(p: p) {
                for n in [1, p + 1] { try run(a, c, p: p, n: n) }
            }
        }
    }

    /// A large prime element count per algorithm on a few rank counts, integers
    /// (exact) and uniform random floats (within the stated bound).
    func testLargePrimeSize() throws {
        let prime = 100_003
        for p in [3, 8, 12] {
            for (a, c) in CollectiveFixtures.pairs(p: p) {
                let n = c == .allToAll ? 4_099 : prime
                try run(a, c, p: p, n: n, pattern: .integers)
                try run(a, c, p: p, n: n, pattern: .uniform)
            }
        }
    }
}
