import XCTest
@testable import AmalgamCore

/// A random set of device groups of up to 3 chip types (groups of one type are
/// identical, so symmetry pruning is exercised), dyadic times, integer bytes.
struct PlannerRandomGroups {
    var layerSeconds: [[Double]], fixedSeconds: [Double], boundarySeconds: [Double]
    var weight: [[Double]], act: [[Double]], fixedBytes: [Double], capacity: [Double]
    var types: [Int]

    init(_ g: inout PlannerSplitMix64, groups G: Int, layers L: Int) {
        let base = (0..<L).map { _ in g.eighths(1...16) }
        let w = (0..<L).map { _ in Double(g.int(1...4)) }
        let a = (0..<L).map { _ in Double(g.int(0...3)) }
        let perStage = (w.reduce(0, +) + Double(G) * a.reduce(0, +)) / Double(G)
        let kinds = (0..<3).map { _ in (speed: [1.0, 2.0, 0.5][g.int(0...2)], fixed: g.eighths(0...4),
                                        boundary: g.eighths(0...6), shard: [1.0, 0.5][g.int(0...1)],
                                        memory: (perStage * (0.6 + 1.6 * g.unit())).rounded()) }
        types = (0..<G).map { _ in g.int(0...2) }
        layerSeconds = types.map { k in base.map { $0 * kinds[k].speed } }
        fixedSeconds = types.map { kinds[$0].fixed }
        boundarySeconds = types.map { kinds[$0].boundary }
        weight = types.map { k in w.map { $0 * kinds[k].shard } }
        act = types.map { k in a.map { $0 * kinds[k].shard } }
        fixedBytes = types.map { _ in 0 }
        capacity = types.map { kinds[$0].memory }
    }

    func table() throws -> GroupCostTable {
        try GroupCostTable(layerSeconds: layerSeconds, fixedSeconds: fixedSeconds, boundarySeconds: boundarySeconds,
                           layerWeightBytes: weight, layerActivationBytes: act, fixedBytes: fixedBytes,
                           capacityBytes: capacity)
    }

    /// Group `g` at position `p` of `G` (1F1B: G − p micro-batches in flight), from the definition.
    func stage(_ grp: Int, _ p: Int, _ r: Range<Int>) -> (seconds: Double, fits: Bool) {
        let G = layerSeconds.count
        var t = fixedSeconds[grp] + boundarySeconds[grp], b = fixedBytes[grp]
        for l in r { t += layerSeconds[grp][l]; b += weight[grp][l] + Double(G - p) * act[grp][l] }
        return (t, b <= capacity[grp])
    }
}

/// All permutations of 0..<n, by recursion.
func plannerPermutations(_ n: Int) -> [[Int]] {
    if n == 0 { return [[]] }
    return plannerPermutations(n - 1).flatMap { p in (0...p.count).map { i in var q = p; q.insert(n - 1, at: i); return q } }
}

final class PlannerStageOrderTests: XCTestCase {
    private func bruteForce(_ inst: PlannerRandomGroups, layers L: Int) -> (max: Double, sum: Double)? {
        let G = inst.layerSeconds.count
        let splits = plannerAllSplits(layers: L, stages: G, allowEmpty: false)
        var best: (max: Double, sum: Double)? = nil
        for perm in plannerPermutations(G) {
            guard let b = plannerBestSplit(splits, stage: { s, r in inst.stage(perm[s], s, r) }) else { continue }
            if best == nil || b.max < best!.max || (b.max == best!.max && b.sum < best!.sum) { best = b }
        }
        return best
    }

    private func assertValid(_ res: StageOrderResult, _ inst: PlannerRandomGroups, layers L: Int,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(res.order.sorted(), Array(0..<inst.layerSeconds.count), file: file, line: line)
        var next = 0, worst = 0.0
        for (p, r) in res.split.ranges.enumerated() {
            XCTAssertEqual(r.lowerBound, next, file: file, line: line)
            XCTAssertFalse(r.isEmpty, file: file, line: line)
            next = r.upperBound
            let (c, fits) = inst.stage(res.order[p], p, r)
            XCTAssert(fits, "position \(p) over memory", file: file, line: line)
            XCTAssertEqual(res.split.stageSeconds[p], c, file: file, line: line)
            worst = max(worst, c)
        }
        XCTAssertEqual(next, L, file: file, line: line)
        XCTAssertEqual(res.split.bottleneckSeconds, worst, file: file, line: line)
    }

    /// Up to 5 groups of 3 chip types, 9 layers, 1F1B memory: the exhaustive search
    /// equals enumeration over every permutation and every split; the heuristic is
    /// valid and never better than the optimum.
    func testExhaustiveMatchesBruteForceAndHeuristicIsValid() throws {
        var g = PlannerSplitMix64(seed: 21)
        var feasible = 0, infeasible = 0, heuristicOptimal = 0, heuristicRuns = 0
        for n in 0..<250 {
            let G = g.int(1...5), L = g.int(G...(G <= 3 ? 10 : 8))
            var inst = PlannerRandomGroups(&g, groups: G, layers: L)
            if n % 3 == 2 {
                // Non-proportional speeds: each chip type its own per-layer profile.
                let rows = (0..<3).map { _ in (0..<L).map { _ in g.eighths(0...16) } }
                inst.layerSeconds = inst.types.map { rows[$0] }
            }
            let table = try inst.table()
            guard let best = bruteForce(inst, layers: L) else {
                XCTAssertThrowsError(try StageOrder.optimize(table)) { e in
                    XCTAssert((e as? AmalgamError)?.message.contains("no order of the \(G) groups fits memory") == true, "\(e)")
                }
                infeasible += 1
                continue
            }
            feasible += 1
            let res = try StageOrder.optimize(table)
            XCTAssert(res.provenOptimal)
            XCTAssertEqual(res.split.bottleneckSeconds, best.max, "instance \(n)")
            XCTAssertEqual(res.split.totalSeconds, best.sum, "instance \(n)")
            assertValid(res, inst, layers: L)
            XCTAssertEqual(res.split, try StageOrder.split(table, order: res.order))

            // The same problem through the closure form, without declared symmetry.
            let viaClosures = try StageOrder.optimize(groups: G, layers: L,
                                                      seconds: { inst.stage($0, $1, $2).seconds },
                                                      fits: { inst.stage($0, $1, $2).fits })
            XCTAssertEqual(viaClosures.split.bottleneckSeconds, best.max)
            XCTAssertEqual(viaClosures.split.totalSeconds, best.sum)
            // Symmetry pruning: at most G! / Π (class size)! distinct orders are evaluated.
            let classSizes = table.groupClasses.reduce(into: [Int](repeating: 0, count: G)) { $0[$1] += 1 }
            let factorial = { (k: Int) in (1...max(k, 1)).reduce(1, *) }
            XCTAssertLessThanOrEqual(res.ordersEvaluated, classSizes.reduce(factorial(G)) { $0 / factorial($1) })
            XCTAssertLessThanOrEqual(viaClosures.ordersEvaluated, factorial(G))

            if let h = try? StageOrder.optimize(table, exhaustiveLimit: 0) {
                heuristicRuns += 1
                XCTAssertFalse(h.provenOptimal)
                assertValid(h, inst, layers: L)
                XCTAssert(h.split.bottleneckSeconds > best.max
                          || (h.split.bottleneckSeconds == best.max && h.split.totalSeconds >= best.sum))
                if h.split.bottleneckSeconds == best.max { heuristicOptimal += 1 }
            }
        }
        XCTAssert(feasible > 100 && infeasible > 10, "instance mix: \(feasible) feasible, \(infeasible) infeasible")
        XCTAssert(heuristicRuns > feasible / 2, "heuristic found a feasible order in \(heuristicRuns) of \(feasible)")
        print("stage order heuristic: optimal bottleneck in \(heuristicOptimal) of \(heuristicRuns) feasible instances")
    }

    /// The speed-weighted balance bound used to prune the search never exceeds the
    /// true optimum of the groups it bounds (any order, any split of j..<L), checked by
    /// enumeration, with and without empty stages, for proportional and arbitrary speeds.
    func testBalanceBoundIsALowerBound() throws {
        var g = PlannerSplitMix64(seed: 23)
        var tight = 0
        for n in 0..<300 {
            let G = g.int(1...4), L = g.int(G...8)
            var inst = PlannerRandomGroups(&g, groups: G, layers: L)
            if n % 2 == 1 { inst.layerSeconds = (0..<G).map { _ in (0..<L).map { _ in g.eighths(0...16) } } }
            inst.capacity = inst.capacity.map { _ in .infinity }
            let table = try inst.table()
            let remaining = (0..<G).filter { _ in g.int(0...3) > 0 }
            guard !remaining.isEmpty else { continue }
            let allowEmpty = n % 3 == 0
            let bound = StageOrder.balanceBound(table, remaining: remaining, allowEmpty: allowEmpty)
            for j in 0...L where allowEmpty || L - j >= remaining.count {
                var best = Double.infinity
                for perm in plannerPermutations(remaining.count) {
                    for split in plannerAllSplits(layers: L - j, stages: remaining.count, allowEmpty: allowEmpty) {
                        var worst = 0.0
                        for (k, r) in split.enumerated() where !r.isEmpty {
                            worst = max(worst, inst.stage(remaining[perm[k]], 0, (r.lowerBound + j)..<(r.upperBound + j)).seconds)
                        }
                        best = min(best, worst)
                    }
                }
                XCTAssertLessThanOrEqual(bound[j], best, "instance \(n), j = \(j)")
                if bound[j] >= best * (1 - 1e-6) { tight += 1 }
            }
        }
        XCTAssert(tight > 20, "the bound should be tight sometimes (\(tight))")
    }

    /// Identical groups are interchangeable: 6 identical groups give one order to
    /// evaluate; two types of 3 give at most C(6,3) = 20.
    func testSymmetryPruning() throws {
        let row = [Double](repeating: 1, count: 12)
        let same = try StageOrder.optimize(GroupCostTable(layerSeconds: Array(repeating: row, count: 6)))
        XCTAssertEqual(same.ordersEvaluated, 1)
        XCTAssertEqual(same.order, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(same.split.bottleneckSeconds, 2)
        let fast = row.map { $0 / 2 }
        let two = try StageOrder.optimize(GroupCostTable(layerSeconds: [row, fast, row, fast, row, fast]))
        XCTAssertLessThanOrEqual(two.ordersEvaluated, 20)
        XCTAssert(two.provenOptimal)
    }

    /// Under 1F1B position 0 keeps 2 micro-batches of activations (1 byte each per
    /// layer): the small-memory group 0 (1.5 bytes) cannot go first, so the large one
    /// (group 1) must, although both are equally fast.
    func testLargeMemoryGoesFirst() throws {
        let t = try GroupCostTable(layerSeconds: [[1, 1], [1, 1]], layerActivationBytes: [[1, 1], [1, 1]],
                                   capacityBytes: [1.5, 4])
        let res = try StageOrder.optimize(t)
        XCTAssertEqual(res.order, [1, 0])
        XCTAssertEqual(res.split.ranges, [0..<1, 1..<2])
        XCTAssertEqual(try StageOrder.optimize(t, exhaustiveLimit: 0).order, [1, 0])
    }

    /// Beyond the exhaustive limit: 12 groups, 24 layers. The heuristic result is
    /// valid, labelled unproven, and no worse than its memory-first starting order.
    func testHeuristicForManyGroups() throws {
        var g = PlannerSplitMix64(seed: 22)
        for _ in 0..<5 {
            let inst = PlannerRandomGroups(&g, groups: 12, layers: 24)
            var relaxed = inst
            relaxed.capacity = inst.capacity.map { $0 * 3 }
            let table = try relaxed.table()
            let res = try StageOrder.optimize(table)
            XCTAssertFalse(res.provenOptimal)
            assertValid(res, relaxed, layers: 24)
            let start = try StageOrder.memoryFirstOrder(StageOrder.placement(table, allowEmpty: false))
            let initial = try StageOrder.split(table, order: start)
            XCTAssertLessThanOrEqual(res.split.bottleneckSeconds, initial.bottleneckSeconds)
        }
    }

    // MARK: Bad input

    private func assertError(_ body: @autoclosure () throws -> Any, contains parts: [String],
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let e = error as? AmalgamError else { return XCTFail("not an AmalgamError: \(error)", file: file, line: line) }
            for p in parts { XCTAssert(e.message.contains(p), "'\(e.message)' lacks '\(p)'", file: file, line: line) }
        }
    }

    func testInfeasibleEverywhere() throws {
        let t = try GroupCostTable(layerSeconds: [[1, 1, 1], [1, 1, 1]], layerWeightBytes: [[2e9, 2e9, 2e9], [2e9, 2e9, 2e9]],
                                   capacityBytes: [1e9, 80e9])
        assertError(try StageOrder.optimize(t), contains: ["no order of the 2 groups fits memory", "cannot hold even one layer", "over by 1.0 GB"])
        assertError(try StageOrder.optimize(t, exhaustiveLimit: 0), contains: ["no order of the 2 groups fits memory"])
    }

    func testRejectsBadArguments() throws {
        let t = try GroupCostTable(layerSeconds: [[1, 1], [1, 1]])
        assertError(try StageOrder.optimize(t, exhaustiveLimit: 11), contains: ["exhaustiveLimit must be in 0...10"])
        assertError(try StageOrder.optimize(t, maxSwapEvaluations: -1), contains: ["maxSwapEvaluations"])
        assertError(try StageOrder.split(t, order: [0, 0]), contains: ["each group 0..<2 exactly once"])
        assertError(try StageOrder.optimize(GroupCostTable(layerSeconds: [[1], [1]])), contains: ["1 layers cannot give each of 2 stages"])
        assertError(try StageOrder.optimize(groups: 2, layers: 3, groupClasses: [0]) { _, _, _ in 1 }, contains: ["groupClasses has 1 entries"])
        assertError(try StageOrder.optimize(groups: 0, layers: 3) { _, _, _ in 1 }, contains: ["groups must be ≥ 1"])
        assertError(try GroupCostTable(layerSeconds: [[1], [1]], inFlightMicrobatches: [2, -1]), contains: ["inFlightMicrobatches[1]", "-1"])
        assertError(try GroupCostTable(layerSeconds: [[1], [1]], layerActivationBytes: [[1]]), contains: ["layerActivationBytes has 1 group rows"])
        assertError(try GroupCostTable(layerSeconds: [[1], [.nan]]), contains: ["layerSeconds[1][0]"])
        assertError(try GroupCostTable(layerSeconds: [[1]], capacityBytes: [-1]), contains: ["capacityBytes[0]"])
        assertError(try GroupCostTable(layerSeconds: [[1], [1]], layerActivationBytes: [[1e308], [1]]), contains: ["group 0", "overflows"])
    }

    /// A closure cost that turns NaN is reported, not propagated into a plan.
    func testRejectsBadClosureCosts() {
        assertError(try StageOrder.optimize(groups: 2, layers: 2) { g, _, _ in g == 1 ? .nan : 1 }, contains: ["finite"])
    }
}
