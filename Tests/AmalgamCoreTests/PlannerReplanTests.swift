import AmalgamCore
import XCTest

/// Re-planning without failed chips or nodes.
final class PlannerReplanTests: XCTestCase {
    func testReplanAvoidsExcludedAndReportsLoss() throws {
        let c = try PlannerFixtures.mixed(a100: 2, ascend: 0, h20: 1)
        let req = try PlannerFixtures.request(c)
        let first = try AutoPlanner.plan(req)
        let gone = try Replan.excluded(cluster: c, ranks: [20], nodes: [1])
        XCTAssertEqual(gone, Set(8..<16).union([20]))
        let (again, lost) = try Replan.replan(req, previousSeconds: first.best.estimateSeconds, without: gone)
        XCTAssertTrue(Set(again.best.plan.ranks).isDisjoint(with: gone))
        for alt in again.alternatives { XCTAssertTrue(Set(alt.plan.ranks).isDisjoint(with: gone)) }
        // lost = 1 − old time ÷ new time (same global batch, so tokens/s scale as 1/time).
        XCTAssertEqual(lost, 1 - first.best.estimateSeconds / again.best.estimateSeconds, accuracy: 1e-12)
        XCTAssertGreaterThan(lost, 0, "fewer chips cannot be faster here")
        XCTAssertLessThan(lost, 1)
    }

    func testReplanErrors() throws {
        let c = try PlannerFixtures.mixed(a100: 1, ascend: 0, h20: 0)
        XCTAssertThrowsError(try Replan.excluded(cluster: c, ranks: [8], nodes: [])) { e in
            XCTAssertTrue((e as? AmalgamError)?.message.contains("rank 8 does not exist") ?? false)
        }
        XCTAssertThrowsError(try Replan.excluded(cluster: c, ranks: [], nodes: [3])) { e in
            XCTAssertTrue((e as? AmalgamError)?.message.contains("node 3 does not exist (the cluster has nodes 0..0)") ?? false)
        }
        let req = try PlannerFixtures.request(c)
        XCTAssertThrowsError(try Replan.replan(req, previousSeconds: 1, without: Set(0..<8))) { e in
            XCTAssertTrue((e as? AmalgamError)?.message.contains("no chips left") ?? false)
        }
    }
}
