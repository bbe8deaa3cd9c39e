import XCTest
@testable import AmalgamCore

/// The planner's fast paths must give exactly what the slow, obvious forms give: the
/// replica-stage evaluator against closures and brute force, the capped heuristic
/// against an uncapped reference, the parallel search against itself.
final class PlannerFastPathTests: XCTestCase {
    /// Random layer figures of one (chip, tp) kind: dyadic seconds, integer params and
    /// activations, an optional tied-embedding extra on the last layer range.
    private func figures(_ g: inout PlannerSplitMix64, layers L: Int, speed: Double) -> PlannerLayerFigures {
        var sp = [0.0], fp = [0.0], pp = [0.0], ap = [0.0]
        for l in 0..<L {
            let t = g.eighths(1...16) * speed
            sp.append(sp[l] + t); fp.append(fp[l] + t / 4)
            pp.append(pp[l] + Double(g.int(1...4))); ap.append(ap[l] + Double(g.int(0...3)))
        }
        // A tied embedding's extra copy on the last stage is never larger than the
        // embedding layer itself (layer 0), which keeps `fits` monotone in the range.
        return PlannerLayerFigures(secondsPrefix: sp, forwardPrefix: fp, paramsPrefix: pp, activationPrefix: ap,
                                   tiedExtraParams: min(Double(g.int(0...2)), pp[1]), layerCount: L)
    }

    /// A random instance: groups of 1–3 replica classes drawn from 3 kinds.
    private func instance(_ g: inout PlannerSplitMix64, groups G: Int, layers L: Int)
        -> (rows: [[LayerSplit.ReplicaClass]], classes: [Int], inFlight: [Double], m: Double) {
        let kinds = (0..<3).map { _ in figures(&g, layers: L, speed: [1.0, 2.0, 0.5][g.int(0...2)]) }
        let caps = (0..<3).map { _ in Double(g.int(2 * L...6 * L)) }
        var rows: [[LayerSplit.ReplicaClass]] = [], signature: [[Int]] = []
        for _ in 0..<G {
            var row: [LayerSplit.ReplicaClass] = [], sig: [Int] = []
            for k in 0..<3 where g.int(0...2) > 0 || (k == 2 && row.isEmpty) {
                let n = g.int(1...3)
                row.append(LayerSplit.ReplicaClass(count: Double(n), figures: kinds[k], stateBytesPerParam: [1.0, 0.5][g.int(0...1)],
                                                   overheadBytes: Double(g.int(0...2)), capacityBytes: caps[k]))
                sig += [k, n, Int(row.last!.stateBytesPerParam * 2), Int(row.last!.overheadBytes)]
            }
            rows.append(row); signature.append(sig)
        }
        let classes = signature.map { s in signature.firstIndex(of: s)! }
        return (rows, classes, (0..<G).map { Double(G - $0) }, Double(g.int(1...16)))
    }

    /// Stage cost and fit from the definitions, layer by layer (no prefix sums).
    private func definition(_ row: [LayerSplit.ReplicaClass], m: Double, inFlight: Double, _ r: Range<Int>) -> (seconds: Double, fits: Bool) {
        var rate = 0.0, fits = true
        for x in row {
            let f = x.figures
            rate += x.count / f.seconds(r)
            let bytes = f.params(r) * x.stateBytesPerParam + inFlight * f.activations(r) + x.overheadBytes
            if bytes > x.capacityBytes { fits = false }
        }
        return (m / rate, fits)
    }

    /// Exhaustive ordering through the replica-stage rows equals brute force over every
    /// order and split, and the closure form gives the identical order and split.
    func testReplicaStagesEqualBruteForceAndClosures() throws {
        var g = PlannerSplitMix64(seed: 61)
        var feasible = 0
        for n in 0..<150 {
            let G = g.int(1...4), L = g.int(G...9)
            let inst = instance(&g, groups: G, layers: L)
            let stage = { (grp: Int, p: Int) in LayerSplit.ReplicaStage(microbatches: inst.m, classes: inst.rows[grp], inFlight: inst.inFlight[p]) }
            let fast = try? StageOrder.optimize(groups: G, layers: L, groupClasses: inst.classes, exhaustiveLimit: 8,
                                                maxSwapEvaluations: 50, replicaStage: stage)
            let slow = try? StageOrder.optimize(groups: G, layers: L, groupClasses: inst.classes, exhaustiveLimit: 8, maxSwapEvaluations: 50,
                                                seconds: { grp, p, r in self.definition(inst.rows[grp], m: inst.m, inFlight: inst.inFlight[p], r).seconds },
                                                fits: { grp, p, r in self.definition(inst.rows[grp], m: inst.m, inFlight: inst.inFlight[p], r).fits })
            let splits = plannerAllSplits(layers: L, stages: G, allowEmpty: false)
            var best: (max: Double, sum: Double)? = nil
            for perm in plannerPermutations(G) {
                guard let b = plannerBestSplit(splits, stage: { s, r in self.definition(inst.rows[perm[s]], m: inst.m, inFlight: inst.inFlight[s], r) })
                else { continue }
                if best == nil || b.max < best!.max || (b.max == best!.max && b.sum < best!.sum) { best = b }
            }
            guard let best else {
                XCTAssertNil(fast, "instance \(n): brute force finds nothing")
                XCTAssertNil(slow, "instance \(n)")
                continue
            }
            feasible += 1
            let f = try XCTUnwrap(fast, "instance \(n)")
            XCTAssertEqual(f.split.bottleneckSeconds, best.max, "instance \(n)")
            XCTAssertEqual(f.split.totalSeconds, best.sum, accuracy: 1e-9 * best.sum, "instance \(n)")
            XCTAssertEqual(f.order, slow?.order, "instance \(n)")
            XCTAssertEqual(f.split.ranges, slow?.split.ranges, "instance \(n)")
        }
        XCTAssertGreaterThan(feasible, 60)
    }

    /// The heuristic evaluates each swap with phase 1 capped at the incumbent; it must make
    /// exactly the moves of the plain version that solves every order in full.
    func testCappedHeuristicEqualsPlainReference() throws {
        var g = PlannerSplitMix64(seed: 62)
        var compared = 0
        for n in 0..<120 {
            let G = g.int(2...7), L = g.int(G...24)
            let table = try PlannerRandomGroups(&g, groups: G, layers: L).table()
            let budget = g.int(0...30)
            // Reference: first-improvement swaps from the memory-first order, full solves.
            let p = StageOrder.placement(table, allowEmpty: false)
            var order = try StageOrder.memoryFirstOrder(p)
            var evaluated = 0
            func solve(_ o: [Int]) -> LayerSplitResult? { evaluated += 1; return try? StageOrder.split(table, order: o) }
            var best = solve(order)
            var improved = true
            search: while improved {
                improved = false
                for a in 0..<G {
                    for b in (a + 1)..<max(a + 1, G) where p.classes[order[a]] != p.classes[order[b]] {
                        if evaluated > budget { break search }
                        order.swapAt(a, b)
                        if let s = solve(order), StageOrder.better(s, than: best) { best = s; improved = true } else { order.swapAt(a, b) }
                    }
                }
            }
            let h = try? StageOrder.optimize(table, exhaustiveLimit: 0, maxSwapEvaluations: budget)
            guard let best else { XCTAssertNil(h, "instance \(n)"); continue }
            let fast = try XCTUnwrap(h, "instance \(n)")
            XCTAssertEqual(fast.order, order, "instance \(n)")
            XCTAssertEqual(fast.split, best, "instance \(n)")
            XCTAssertEqual(fast.ordersEvaluated, evaluated, "instance \(n)")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 60)
    }

    /// The capped phase 1 returns the optimum when it is within the cap, +∞ otherwise.
    func testCappedBottleneck() throws {
        var g = PlannerSplitMix64(seed: 63)
        for _ in 0..<100 {
            let G = g.int(1...5), L = g.int(G...20)
            let table = try PlannerRandomGroups(&g, groups: G, layers: L).table()
            let problem = StageOrder.placement(table, allowEmpty: false).problem(order: Array(0..<G))
            let full = try LayerSplit.bottleneck(problem)
            guard full < .infinity else { continue }
            XCTAssertEqual(try LayerSplit.bottleneck(problem, cap: full), full)
            XCTAssertEqual(try LayerSplit.bottleneck(problem, cap: full * 2), full)
            XCTAssertEqual(try LayerSplit.bottleneck(problem, cap: full.nextDown), .infinity)
        }
    }

    /// Results come back in index order; the lowest failing index's error is the one thrown.
    func testParallelMapOrderAndErrors() throws {
        let squares = try Parallel.map(1000) { $0 * $0 }
        XCTAssertEqual(squares, (0..<1000).map { $0 * $0 })
        XCTAssertEqual(try Parallel.map(0) { $0 }, [])
        XCTAssertThrowsError(try Parallel.map(50) { i -> Int in
            if i % 7 == 3 { throw AmalgamError("item \(i)") }
            return i
        }) { e in XCTAssertEqual((e as? AmalgamError)?.message, "item 3") }
    }

    /// The search runs its TP combinations on all cores: two runs agree to the bit.
    func testAutoPlanIsDeterministic() throws {
        let c = try PlannerFixtures.mixed(a100: 1, ascend: 1, h20: 1, sites: 2)
        let req = try PlannerFixtures.request(c, batch: 24, pp: nil)
        let a = try AutoPlanner.plan(req), b = try AutoPlanner.plan(req)
        XCTAssertEqual(a.best.plan.stages, b.best.plan.stages)
        XCTAssertEqual(a.simulation.iterationSeconds, b.simulation.iterationSeconds)
        XCTAssertEqual(a.candidatesEvaluated, b.candidatesEvaluated)
        XCTAssertEqual(a.alternatives.map(\.plan.stages), b.alternatives.map(\.plan.stages))
        XCTAssertEqual(a.alternatives.map(\.estimateSeconds), b.alternatives.map(\.estimateSeconds))
    }

    /// Straggler factors below 1 speed the simulated chips up; the bound scales down with
    /// the smallest factor, so it stays under the simulated time.
    func testComputeBoundWithFastStragglers() throws {
        let c = try PlannerFixtures.mixed(a100: 1, ascend: 1, h20: 1)
        var req = try PlannerFixtures.request(c, batch: 24, pp: nil)
        for r in 0..<c.chipCount where r % 3 == 0 { req.simulation.slowdown[r] = 0.5 }
        let result = try AutoPlanner.plan(req)
        for cand in result.alternatives {
            var costs = PlannerCostModel(model: req.model, cluster: c, config: cand.plan.config, simulation: req.simulation)
            let bound = try XCTUnwrap(try costs.computeBoundSeconds(cand.plan, estimate: costs.estimate(cand.plan)))
            let sim = try IterationSimulator(plan: cand.plan, cluster: c, options: req.simulation).run()
            XCTAssertLessThanOrEqual(bound, sim.computeOnlySeconds * (1 + 1e-9))
        }
    }

    /// The timeline estimate on plans with replicas of different speeds: its compute-only
    /// bound equals the simulator's compute-only run (to rounding) and never exceeds the
    /// simulated iteration; the full estimate sits between the bound and the simulation
    /// within the contention it leaves out.
    func testTimelineEstimateTracksTheSimulator() throws {
        let c = try PlannerFixtures.mixed(a100: 1, ascend: 1, h20: 1, sites: 2)
        let req = try PlannerFixtures.request(c, batch: 48, pp: nil)
        let result = try AutoPlanner.plan(req)
        var checked = 0
        for cand in result.alternatives {
            var costs = PlannerCostModel(model: req.model, cluster: c, config: cand.plan.config)
            let e = try costs.estimate(cand.plan)
            let sim = try IterationSimulator(plan: cand.plan, cluster: c).run()
            let bound = try XCTUnwrap(try costs.computeBoundSeconds(cand.plan, estimate: e))
            XCTAssertEqual(bound, sim.computeOnlySeconds, accuracy: 1e-9 * sim.computeOnlySeconds)
            XCTAssertLessThanOrEqual(bound, sim.iterationSeconds * (1 + 1e-9))
            let timeline = try costs.timelineSeconds(cand.plan, estimate: e)
            XCTAssertGreaterThanOrEqual(timeline, bound * (1 - 1e-9))
            XCTAssertEqual(timeline, sim.iterationSeconds, accuracy: 0.15 * sim.iterationSeconds, "pp \(cand.plan.pp)")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 3)
    }
}
