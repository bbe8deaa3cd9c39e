import XCTest
@testable import AmalgamCore

/// The route and path caches' hash table against `Dictionary` as the reference.
final class IntKeyTableTests: XCTestCase {
    func testAgreesWithDictionaryThroughGrowth() {
        var g = PlannerSplitMix64(seed: 91)
        var table = IntKeyTable<Int>(capacity: 1)
        var reference: [Int: Int] = [:]
        for step in 0..<20_000 {
            // Dense pair keys (as src·n + dst) and sparse large ones, with overwrites.
            let key = step % 3 == 0 ? g.int(0...1 << 40) : g.int(0...4_095)
            let value = g.int(0...1_000_000)
            table.insert(value, for: key)
            reference[key] = value
            let probe = g.int(0...4_095)
            XCTAssertEqual(table.value(for: probe), reference[probe], "step \(step), key \(probe)")
        }
        XCTAssertEqual(table.count, reference.count)
        for (k, v) in reference { XCTAssertEqual(table.value(for: k), v) }
        XCTAssertNil(table.value(for: 1 << 50))
    }

    func testEmptyTable() {
        let table = IntKeyTable<String>()
        XCTAssertEqual(table.count, 0)
        XCTAssertNil(table.value(for: 0))
        XCTAssertNil(table.value(for: Int.max))
    }
}
