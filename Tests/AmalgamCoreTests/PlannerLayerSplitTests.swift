import XCTest
@testable import AmalgamCore

/// Every way to cut `layers` layers into `stages` contiguous ranges in order (each
/// non-empty unless `allowEmpty`), by plain enumeration of the cut points.
func plannerAllSplits(layers: Int, stages: Int, allowEmpty: Bool) -> [[Range<Int>]] {
    var out: [[Range<Int>]] = []
    var cur: [Range<Int>] = []
    func go(_ start: Int, _ s: Int) {
        if s == stages - 1 {
            if allowEmpty || start < layers { out.append(cur + [start..<layers]) }
            return
        }
        let minLen = allowEmpty ? 0 : 1
        guard start + minLen <= layers else { return }
        for end in (start + minLen)...layers {
            cur.append(start..<end); go(end, s + 1); cur.removeLast()
        }
    }
    if stages >= 1 { go(0, 0) }
    return out
}

/// Lexicographically least (bottleneck, sum of stage costs) over `splits`, where
/// `stage(s, range)` gives (cost, fits); nil when no split fits.
func plannerBestSplit(_ splits: [[Range<Int>]], stage: (Int, Range<Int>) -> (seconds: Double, fits: Bool)) -> (max: Double, sum: Double)? {
    var best: (max: Double, sum: Double)? = nil
    for split in splits {
        var worst = 0.0, sum = 0.0, ok = true
        for (s, r) in split.enumerated() {
            let (c, fits) = r.isEmpty ? (0, true) : stage(s, r)
            if !fits { ok = false; break }
            worst = max(worst, c); sum += c
        }
        guard ok else { continue }
        if best == nil || worst < best!.max || (worst == best!.max && sum < best!.sum) { best = (worst, sum) }
    }
    return best
}

/// A random additive instance: up to 3 chip types (speed factors 1, 2, 0.5 — exact in
/// binary), dyadic times so every sum is exact, integer bytes with 1F1B in-flight
/// activations (stage s holds S − s micro-batches), capacities that sometimes bind.
struct PlannerRandomPipeline {
    var layerSeconds: [[Double]], fixedSeconds: [Double], boundarySeconds: [Double]
    var layerBytes: [[Double]], fixedBytes: [Double], capacityBytes: [Double]

    init(_ g: inout PlannerSplitMix64, stages S: Int, layers L: Int) {
        let factors = [1.0, 2.0, 0.5]
        let types = (0..<S).map { _ in g.int(0...2) }
        let base = (0..<L).map { _ in g.eighths(1...16) }
        let weight = (0..<L).map { _ in Double(g.int(1...4)) }
        let act = (0..<L).map { _ in Double(g.int(0...2)) }
        layerSeconds = types.map { k in base.map { $0 * factors[k] } }
        fixedSeconds = (0..<S).map { _ in g.eighths(0...4) }
        boundarySeconds = (0..<S).map { _ in g.int(0...3) == 0 ? g.eighths(8...64) : g.eighths(0...4) }
        layerBytes = (0..<S).map { s in (0..<L).map { weight[$0] + Double(S - s) * act[$0] } }
        fixedBytes = (0..<S).map { _ in Double(g.int(0...2)) }
        let perStage = (weight.reduce(0, +) + Double(S) * act.reduce(0, +)) / Double(S)
        let memory = (0..<3).map { _ in (perStage * (0.7 + 1.5 * g.unit())).rounded() }
        capacityBytes = g.int(0...4) == 0 ? Array(repeating: .infinity, count: S) : types.map { memory[$0] + 1 }
    }

    func table() throws -> StageCostTable {
        try StageCostTable(layerSeconds: layerSeconds, fixedSeconds: fixedSeconds, boundarySeconds: boundarySeconds,
                           layerBytes: layerBytes, fixedBytes: fixedBytes, capacityBytes: capacityBytes)
    }

    /// Stage cost and fit written out from the definition, layer by layer.
    func stage(_ s: Int, _ r: Range<Int>) -> (seconds: Double, fits: Bool) {
        var t = fixedSeconds[s] + boundarySeconds[s], b = fixedBytes[s]
        for l in r { t += layerSeconds[s][l]; b += layerBytes[s][l] }
        return (t, b <= capacityBytes[s])
    }
}

final class PlannerLayerSplitTests: XCTestCase {
    /// Checks tiling, every memory constraint, the figures and the binding labels.
    private func assertValid(_ res: LayerSplitResult, _ inst: PlannerRandomPipeline, allowEmpty: Bool,
                             file: StaticString = #filePath, line: UInt = #line) {
        let L = inst.layerSeconds[0].count
        var next = 0, worst = 0.0
        for (s, r) in res.ranges.enumerated() {
            XCTAssertEqual(r.lowerBound, next, "ranges must tile", file: file, line: line)
            XCTAssert(allowEmpty || !r.isEmpty, "stage \(s) empty", file: file, line: line)
            next = r.upperBound
            let (c, fits) = r.isEmpty ? (0, true) : inst.stage(s, r)
            XCTAssert(fits, "stage \(s) over memory", file: file, line: line)
            XCTAssertEqual(res.stageSeconds[s], c, file: file, line: line)
            worst = max(worst, c)
            var ext: [Range<Int>] = []
            if r.lowerBound > 0 { ext.append((r.lowerBound - 1)..<r.upperBound) }
            if r.upperBound < L { ext.append(r.lowerBound..<(r.upperBound + 1)) }
            let memory = !ext.isEmpty && ext.allSatisfy { !inst.stage(s, $0).fits }
            var compute = fixedSecondsOnly(inst, s)
            for l in r { compute += inst.layerSeconds[s][l] }
            let link = !r.isEmpty && inst.boundarySeconds[s] > 0 && inst.boundarySeconds[s] >= compute
            XCTAssertEqual(res.binding[s], memory ? .memory : link ? .link : .compute, "stage \(s)", file: file, line: line)
        }
        XCTAssertEqual(next, L, file: file, line: line)
        XCTAssertEqual(res.bottleneckSeconds, worst, file: file, line: line)
    }

    private func fixedSecondsOnly(_ inst: PlannerRandomPipeline, _ s: Int) -> Double { inst.fixedSeconds[s] }

    /// Up to 6 stages, 16 layers, 3 chip types, memory-limited: the DP's bottleneck and
    /// its cost sum equal the enumerated optimum; infeasible instances throw.
    func testAdditiveModelMatchesBruteForce() throws {
        var g = PlannerSplitMix64(seed: 11)
        var feasible = 0, infeasible = 0, memoryBound = 0
        for n in 0..<400 {
            let S = g.int(1...6), L = g.int(S...(S <= 3 ? 16 : 12))
            let allowEmpty = n % 4 == 3
            let inst = PlannerRandomPipeline(&g, stages: S, layers: L)
            let table = try inst.table()
            guard let best = plannerBestSplit(plannerAllSplits(layers: L, stages: S, allowEmpty: allowEmpty), stage: inst.stage) else {
                XCTAssertThrowsError(try LayerSplit.split(table, allowEmptyStages: allowEmpty)) { e in
                    XCTAssert((e as? AmalgamError)?.message.contains("layer split") == true, "\(e)")
                }
                infeasible += 1
                continue
            }
            feasible += 1
            let res = try LayerSplit.split(table, allowEmptyStages: allowEmpty)
            XCTAssertEqual(res.bottleneckSeconds, best.max, "instance \(n)")
            XCTAssertEqual(res.totalSeconds, best.sum, "instance \(n)")
            assertValid(res, inst, allowEmpty: allowEmpty)
            if res.binding.contains(.memory) { memoryBound += 1 }
            XCTAssertEqual(res.stageBytes, res.ranges.enumerated().map { s, r in
                r.isEmpty ? 0 : inst.fixedBytes[s] + r.reduce(0.0) { $0 + inst.layerBytes[s][$1] }
            })
        }
        XCTAssert(feasible > 200 && infeasible > 20 && memoryBound > 50,
                  "instance mix: \(feasible) feasible (\(memoryBound) memory-bound), \(infeasible) infeasible")
    }

    /// The closure form with non-additive, non-monotone real-valued costs (an odd-size
    /// penalty, a power law) and a layer-count memory limit.
    func testGeneralModelMatchesBruteForce() throws {
        var g = PlannerSplitMix64(seed: 12)
        for n in 0..<300 {
            let S = g.int(1...6), L = g.int(S...12)
            let allowEmpty = n % 5 == 4
            let w = (0..<S).map { _ in (0..<L).map { _ in 0.1 + g.unit() } }
            let penalty = (0..<S).map { _ in g.unit() }
            let maxLayers = (0..<S).map { _ in g.int(1...L) }
            let cost = { (s: Int, r: Range<Int>) -> Double in
                let sum = r.reduce(0.0) { $0 + w[s][$1] }
                return Foundation.pow(sum, 1.1) + (r.count % 2 == 1 ? penalty[s] : 0)
            }
            let fits = { (s: Int, r: Range<Int>) -> Bool in r.count <= maxLayers[s] }
            let best = plannerBestSplit(plannerAllSplits(layers: L, stages: S, allowEmpty: allowEmpty)) { (cost($0, $1), fits($0, $1)) }
            guard let best else {
                XCTAssertThrowsError(try LayerSplit.split(layers: L, stages: S, allowEmptyStages: allowEmpty, seconds: cost, fits: fits))
                continue
            }
            let res = try LayerSplit.split(layers: L, stages: S, allowEmptyStages: allowEmpty, seconds: cost, fits: fits)
            XCTAssertEqual(res.bottleneckSeconds, best.max, "instance \(n)")
            XCTAssertEqual(res.totalSeconds, best.sum, "instance \(n)")
            XCTAssertEqual(res.ranges.map(\.count).reduce(0, +), L)
            for (s, r) in res.ranges.enumerated() where !r.isEmpty { XCTAssert(fits(s, r)) }
            XCTAssertNil(res.stageBytes)
        }
    }

    // MARK: Closed forms

    /// 6 unit layers, stage 1 twice as fast: k layers on stage 0 cost max(k, (6−k)/2),
    /// least at k = 2 → bottleneck 2 s, sum 4 s.
    func testTwoSpeedsClosedForm() throws {
        let t = try StageCostTable(layerSeconds: [Array(repeating: 1, count: 6), Array(repeating: 0.5, count: 6)])
        let res = try LayerSplit.split(t)
        XCTAssertEqual(res.ranges, [0..<2, 2..<6])
        XCTAssertEqual(res.bottleneckSeconds, 2)
        XCTAssertEqual(res.totalSeconds, 4)
        XCTAssertEqual(res.binding, [.compute, .compute])
    }

    /// 1F1B memory: with weights 1 and activations 1 per micro-batch, a layer costs 3
    /// bytes on stage 0 (2 in flight) and 2 on stage 1; capacity 5 lets stage 0 hold one
    /// layer and stage 1 two — memory binds both, though compute alone would balance.
    func testPositionDependentMemoryBinds() throws {
        let t = try StageCostTable(layerSeconds: [[1, 1, 1], [1, 1, 1]], layerBytes: [[3, 3, 3], [2, 2, 2]],
                                   capacityBytes: [5, 5])
        let res = try LayerSplit.split(t)
        XCTAssertEqual(res.ranges, [0..<1, 1..<3])
        XCTAssertEqual(res.binding, [.memory, .memory])
        XCTAssertEqual(res.stageBytes, [3, 4])
    }

    /// A boundary term larger than the stage's compute is reported as link-bound.
    func testLinkBinding() throws {
        let t = try StageCostTable(layerSeconds: [[1, 1, 1, 1], [1, 1, 1, 1]], boundarySeconds: [0, 5])
        let res = try LayerSplit.split(t)
        XCTAssertEqual(res.ranges, [0..<3, 3..<4])
        XCTAssertEqual(res.bottleneckSeconds, 6)
        XCTAssertEqual(res.binding, [.compute, .link])
    }

    /// Ties in both objectives: the latest last boundary wins, recursively (earlier
    /// stages take layers first).
    func testTieBreakIsDeterministic() throws {
        let t = try StageCostTable(layerSeconds: [[1, 0, 1], [1, 0, 1]])
        XCTAssertEqual(try LayerSplit.split(t).ranges, [0..<2, 2..<3])
    }

    func testSingleStageTakesAll() throws {
        let res = try LayerSplit.split(layers: 5, stages: 1) { _, r in Double(r.count) }
        XCTAssertEqual(res.ranges, [0..<5])
        XCTAssertEqual(res.binding, [.compute])
        XCTAssertEqual(res.bottleneckStage, 0)
    }

    func testEmptyStagesAllowed() throws {
        let res = try LayerSplit.split(layers: 2, stages: 4, allowEmptyStages: true) { _, r in Double(r.count) }
        XCTAssertEqual(res.ranges.map(\.count).reduce(0, +), 2)
        XCTAssertEqual(res.bottleneckSeconds, 1)
        let none = try LayerSplit.split(layers: 0, stages: 3, allowEmptyStages: true) { _, _ in 1 }
        XCTAssertEqual(none.ranges, [0..<0, 0..<0, 0..<0])
        XCTAssertEqual(none.bottleneckSeconds, 0)
        XCTAssertNil(none.bottleneckStage)
    }

    // MARK: Bad input and infeasibility

    private func assertError(_ body: @autoclosure () throws -> Any, contains parts: [String],
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? AmalgamError else { return XCTFail("not an AmalgamError: \(error)", file: file, line: line) }
            for p in parts { XCTAssert(e.message.contains(p), "'\(e.message)' lacks '\(p)'", file: file, line: line) }
        }
    }

    func testFewerLayersThanStages() {
        assertError(try LayerSplit.split(layers: 3, stages: 4) { _, _ in 1 }, contains: ["3 layers", "4 stages"])
        assertError(try LayerSplit.split(layers: 0, stages: 1) { _, _ in 1 }, contains: ["0 layers"])
        assertError(try LayerSplit.split(layers: 3, stages: 0) { _, _ in 1 }, contains: ["stages must be ≥ 1"])
        assertError(try LayerSplit.split(layers: -1, stages: 1, allowEmptyStages: true) { _, _ in 1 }, contains: ["layers must be ≥ 0"])
    }

    /// Stage 1 (of 2) cannot take any single layer: 2e9 bytes each, 1.5e9 available.
    func testStageThatCannotHoldOneLayerIsNamed() throws {
        let t = try StageCostTable(layerSeconds: [[1, 1, 1], [1, 1, 1]], layerBytes: [[2e9, 2e9, 2e9], [2e9, 2e9, 2e9]],
                                   capacityBytes: [80e9, 1.5e9])
        assertError(try LayerSplit.split(t), contains: ["stage 1 cannot hold even one layer", "need 2.0 GB", "has 1.5 GB", "over by 0.5 GB"])
    }

    /// Each stage holds two layers; five do not fit in two stages.
    func testAggregateShortfallSaysWhatFits() throws {
        let t = try StageCostTable(layerSeconds: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]],
                                   layerBytes: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]], capacityBytes: [2, 2])
        assertError(try LayerSplit.split(t), contains: ["holds only layers 0..<4 of 5", "layers 4..<5 do not fit", "over by"])
        assertError(try LayerSplit.split(t, allowEmptyStages: true), contains: ["holds only layers 0..<4 of 5"])
        assertError(try LayerSplit.split(layers: 5, stages: 2, seconds: { _, _ in 1 }, fits: { _, r in r.count <= 2 }),
                    contains: ["holds only layers 0..<4 of 5"])
    }

    func testRejectsBadTables() {
        assertError(try StageCostTable(layerSeconds: []), contains: ["at least one stage"])
        assertError(try StageCostTable(layerSeconds: [[1, 2], [1]]), contains: ["layerSeconds[1] has 1 layers, expected 2"])
        assertError(try StageCostTable(layerSeconds: [[1, .nan]]), contains: ["layerSeconds[0][1]", "nan"])
        assertError(try StageCostTable(layerSeconds: [[1, -2]]), contains: ["layerSeconds[0][1]", "-2"])
        assertError(try StageCostTable(layerSeconds: [[1]], fixedSeconds: [.infinity]), contains: ["fixedSeconds[0]"])
        assertError(try StageCostTable(layerSeconds: [[1]], boundarySeconds: [1, 2]), contains: ["boundarySeconds has 2 entries"])
        assertError(try StageCostTable(layerSeconds: [[1]], layerBytes: [[.infinity]]), contains: ["layerBytes[0][0]"])
        assertError(try StageCostTable(layerSeconds: [[1]], capacityBytes: [.nan]), contains: ["capacityBytes[0]"])
        XCTAssertNoThrow(try StageCostTable(layerSeconds: [[1]], capacityBytes: [.infinity]))
        assertError(try StageCostTable(layerSeconds: [[1e308, 1e308]]), contains: ["stage 0", "overflows"])
        assertError(try StageCostTable(layerSeconds: [[1]], layerBytes: [[1e308]], fixedBytes: [1e308]), contains: ["overflows"])
    }

    func testRejectsBadClosureCosts() {
        assertError(try LayerSplit.split(layers: 3, stages: 2) { s, r in s == 1 && r.count == 2 ? .nan : 1 },
                    contains: ["stage 1", "finite"])
        assertError(try LayerSplit.split(layers: 3, stages: 2) { _, _ in -1 }, contains: ["≥ 0"])
    }
}
