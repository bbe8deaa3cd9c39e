import AmalgamCore
import XCTest

final class PipelineScheduleTests: XCTestCase {
    /// Identical stages, no communication: forward tf, backward tb (W of ZB-H1 split out).
    func time(_ kind: PipelineKind, p: Int, m: Int, v: Int = 1, tf: Double, tb: Double, tw: Double = 0) throws -> PipelineTimeline {
        let layout = try PipelineLayout(kind: kind, shares: Array(repeating: [m], count: p), virtualStages: v)
        return try PipelineTimeline.evaluate(layout) { _, op in
            switch op.pass {
            case .forward: return tf / Double(v)
            case .backward: return (tb + tw) / Double(v)
            case .backwardInput: return tb
            case .backwardWeight: return tw
            }
        }
    }

    func testGPipeAndOneFOneBClosedForm() throws {
        for (p, m) in [(1, 1), (2, 4), (4, 8), (8, 8), (4, 3), (6, 17)] {
            // (m + p − 1)·(tf + tb): m slots of work plus p − 1 slots of fill and drain.
            let expected = Double(m + p - 1) * (1.0 + 2.0)
            for kind in [PipelineKind.gpipe, .oneFOneB] {
                let t = try time(kind, p: p, m: m, tf: 1, tb: 2)
                XCTAssertEqual(t.makespanSeconds, expected, accuracy: 1e-12, "\(kind) p=\(p) m=\(m)")
                // Bubble (p − 1)/(m + p − 1).
                XCTAssertEqual(t.bubbleFraction, Double(p - 1) / Double(m + p - 1), accuracy: 1e-12)
            }
        }
    }

    func testOneFOneBHoldsFewerActivationsThanGPipe() throws {
        let p = 4, m = 8
        let gpipe = try time(.gpipe, p: p, m: m, tf: 1, tb: 2)
        let ofob = try time(.oneFOneB, p: p, m: m, tf: 1, tb: 2)
        for s in 0..<p {
            XCTAssertEqual(gpipe.peakInFlight[s][0], m, "GPipe stashes every micro-batch")
            XCTAssertEqual(ofob.peakInFlight[s][0], min(p - s, m), "1F1B stashes p − s at stage s")
        }
    }

    func testInterleavingDividesTheBubbleByV() throws {
        // Megatron (Narayanan et al. 2021 §2.2.2): bubble time (p − 1)·(tf + tb)/v,
        // so the iteration is m·(tf + tb) + (p − 1)·(tf + tb)/v.
        for (p, m, v) in [(4, 8, 2), (4, 8, 4), (2, 6, 3), (8, 16, 2)] {
            let t = try time(.interleaved, p: p, m: m, v: v, tf: 1, tb: 2)
            let expected = Double(m) * 3 + Double(p - 1) * 3 / Double(v)
            XCTAssertEqual(t.makespanSeconds, expected, accuracy: 1e-9, "p=\(p) m=\(m) v=\(v)")
            let plain = try time(.oneFOneB, p: p, m: m, tf: 1, tb: 2)
            XCTAssertLessThan(t.bubbleFraction, plain.bubbleFraction)
        }
    }

    func testZeroBubbleH1FillsTheCoolDownWithWeightGradients() throws {
        // Qi et al. 2023: ZB-H1 bubble (p − 1)·(tF + tB − tW) against 1F1B's (p − 1)·(tF + tB + tW).
        for (p, m) in [(4, 8), (4, 12), (8, 24)] {
            let zb = try time(.zbH1, p: p, m: m, tf: 1, tb: 1, tw: 1)
            XCTAssertEqual(zb.makespanSeconds, Double(m) * 3 + Double(p - 1) * (1 + 1 - 1), accuracy: 1e-9, "p=\(p) m=\(m)")
            let ofob = try time(.oneFOneB, p: p, m: m, tf: 1, tb: 1, tw: 1)
            XCTAssertEqual(ofob.makespanSeconds, Double(m + p - 1) * 3, accuracy: 1e-9)
            // Peak stash over the pipeline equals 1F1B's (p micro-batches), as the paper states.
            XCTAssertEqual(zb.peakInFlight.map { $0[0] }.max(), ofob.peakInFlight.map { $0[0] }.max())
            XCTAssertEqual(zb.peakInFlight.map { $0[0] }.max(), p)
        }
    }

    func testEveryStageRunsEveryPassOfEveryMicrobatchOnce() throws {
        for kind in PipelineKind.allCases {
            let v = kind == .interleaved ? 2 : 1
            let s = try PipelineSchedule(kind: kind, stages: 4, microbatches: 8, virtualStages: v)
            for order in s.orders {
                XCTAssertEqual(Set(order).count, order.count)
                let forwards = order.filter { $0.pass == .forward }
                XCTAssertEqual(forwards.count, 8 * v)
            }
        }
    }

    func testTransfersDelayDependentStages() throws {
        // Two stages, one micro-batch: F0, transfer, F1, B1, transfer back, B0.
        let layout = try PipelineLayout(kind: .oneFOneB, shares: [[1], [1]])
        let t = try PipelineTimeline.evaluate(layout, duration: { _, op in op.pass == .forward ? 1 : 2 },
                                              transferSeconds: { _, _, forward, _ in forward ? 0.5 : 0.25 })
        XCTAssertEqual(t.makespanSeconds, 1 + 0.5 + 1 + 2 + 0.25 + 2, accuracy: 1e-12)
    }

    func testHeterogeneousReplicasTakeUnevenShares() throws {
        // Stage 0: one fast replica (0.5 s per forward) ; stage 1: replica 0 slow (takes
        // 1 micro-batch), replica 1 fast (takes 3). GPipe, backward = 0 to isolate forwards.
        let layout = try PipelineLayout(kind: .gpipe, shares: [[4], [1, 3]])
        // Smooth weighted round-robin over shares 1 and 3: credits (1,3) -> replica 1 takes
        // mb0 (1,-1); (2,2) tie -> replica 0 takes mb1 (-2,2); (-1,5) -> 1; (0,4) -> 1.
        XCTAssertEqual(layout.owner[1], [1, 0, 1, 1])
        let t = try PipelineTimeline.evaluate(layout) { e, op in
            guard op.pass == .forward else { return 0 }
            return e.stage == 0 ? 0.5 : (e.replica == 0 ? 3 : 1)
        }
        // Stage 0 finishes mb0..3 at 0.5, 1.0, 1.5, 2.0. Slow replica: mb1 runs 1.0→4.0.
        // Fast replica: mb0 0.5→1.5, mb2 1.5→2.5, mb3 2.5→3.5.
        XCTAssertEqual(t.makespanSeconds, 4, accuracy: 1e-12)
    }

    func testInterleavingMeetsSharesAndSpreadsThem() {
        for shares in [[1, 3], [5, 11], [0, 4, 4], [7], [3, 3, 3, 1]] {
            let owner = PipelineLayout.interleave(shares)
            XCTAssertEqual(owner.count, shares.reduce(0, +))
            for (r, n) in shares.enumerated() { XCTAssertEqual(owner.filter { $0 == r }.count, n, "\(shares)") }
        }
        XCTAssertEqual(PipelineLayout.interleave([2, 2]), [0, 1, 0, 1])
    }

    /// Heterogeneous replicas with uneven (even zero) shares never deadlock, for every
    /// schedule: each replica's order is a subsequence of a valid single-stage order.
    func testRandomHeterogeneousLayoutsNeverDeadlock() throws {
        var state: UInt64 = 12345
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<300 {
            let p = 1 + next(5), m = 1 + next(24)
            let shares: [[Int]] = (0..<p).map { _ in
                let r = 1 + next(4)
                var left = m
                var out: [Int] = []
                for i in 0..<r { let take = i == r - 1 ? left : next(left + 1); out.append(take); left -= take }
                return out
            }
            for kind in PipelineKind.allCases {
                var v = 1, shares = shares
                if kind == .interleaved {
                    v = 2 + next(2)
                    // Interleaving needs equal stages and replicas with shares in whole groups of p; anything else is refused.
                    XCTAssertThrowsError(try PipelineLayout(kind: kind, shares: shares + [[m + 1]], virtualStages: v))
                    let r = 1 + next(3)
                    shares = Array(repeating: Array(repeating: p * (1 + next(3)), count: r), count: p)
                }
                let layout = try PipelineLayout(kind: kind, shares: shares, virtualStages: v)
                let t: PipelineTimeline
                do { t = try PipelineTimeline.evaluate(layout) { e, _ in 1 + Double(e.replica) * 0.5 } } catch { XCTFail("\(kind) v=\(v) shares \(shares): \(error)"); continue }
                XCTAssertGreaterThan(t.makespanSeconds, 0)
            }
        }
    }

    func testBadSchedulesAreClearErrors() {
        XCTAssertThrowsError(try PipelineSchedule(kind: .oneFOneB, stages: 4, microbatches: 0)) {
            XCTAssertTrue("\($0)".contains("micro-batches must be >= 1"), "\($0)")
        }
        XCTAssertThrowsError(try PipelineSchedule(kind: .oneFOneB, stages: 4, microbatches: 8, virtualStages: 2)) {
            XCTAssertTrue("\($0)".contains("interleaved_1f1b"), "\($0)")
        }
        XCTAssertThrowsError(try PipelineSchedule(kind: .interleaved, stages: 4, microbatches: 6, virtualStages: 2)) {
            XCTAssertTrue("\($0)".contains("divisible"), "\($0)")
        }
        XCTAssertThrowsError(try PipelineLayout(kind: .gpipe, shares: [[4], [1, 2]])) {
            XCTAssertTrue("\($0)".contains("whole batch"), "\($0)")
        }
    }
}
