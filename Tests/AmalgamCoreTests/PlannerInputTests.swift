import AmalgamCore
import XCTest

/// Bad requests and hand-written plans: every error names the field and the fix.
final class PlannerInputTests: XCTestCase {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch let e as AmalgamError { return e.message } catch { return "\(error)" }
    }

    func expect(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        let m = message(body)
        XCTAssertTrue(m.contains(fragment), "message was: '\(m)'", file: file, line: line)
    }

    func req(_ c: Cluster, batch: Int = 24, micro: [Int] = [1], tp: [Int] = [2, 4, 8]) throws -> PlanRequest {
        PlanRequest(model: try TransformerModel.preset("gpt3-1.3b"), cluster: c, config: TrainingConfig(globalBatch: batch, microBatch: micro[0]),
                    tpOptions: tp, ppOptions: [1, 2], microBatchOptions: micro)
    }

    func testBadRequests() throws {
        let c = try PlannerFixtures.mixed(a100: 1, ascend: 0, h20: 1)
        let m0 = message { _ = try AutoPlanner.plan(try self.req(c, micro: [0])) }; XCTAssertTrue(m0.contains("micro_batch must be >= 1"), m0)
        expect("global_batch 24 is not divisible by micro_batch 5") { _ = try AutoPlanner.plan(try self.req(c, batch: 24, micro: [1, 5])) }
        // gpt3-1.3b has 16 heads: 3 does not divide them.
        expect("tp option 3: tp (3) must divide heads (16)") { _ = try AutoPlanner.plan(try self.req(c, tp: [3])) }
        expect("tp option 16 exceeds the largest node (8 chips)") { _ = try AutoPlanner.plan(try self.req(c, tp: [16])) }
        expect("strategy") { _ = try PlanStrategy.parse("greedy") }
        var all = try req(c)
        all.excludedRanks = Set(0..<c.chipCount)
        expect("no chips left") { _ = try AutoPlanner.plan(all) }
        var bad = try req(c)
        bad.excludedRanks = [99]
        expect("excluded rank 99 does not exist") { _ = try AutoPlanner.plan(bad) }
        // Uniform needs dp | micro-batches: 16 chips, tp 8, pp 1 → dp 2; 3 micro-batches is odd.
        var uni = try req(c, batch: 3, tp: [8])
        uni.strategy = .uniform
        uni.ppOptions = [1]
        let mu = message { _ = try AutoPlanner.plan(uni) }; XCTAssertTrue(mu.contains("no uniform plan fits"), mu)
    }

    func config() -> TrainingConfig { TrainingConfig(globalBatch: 8, microBatch: 1) }

    func testHandWrittenPlanErrors() throws {
        let c = try PlannerFixtures.mixed(a100: 2, ascend: 0, h20: 0)
        let m = try TransformerModel.preset("gpt3-1.3b")  // 26 layers: 0 = embedding, 25 = LM head
        func manual(_ stages: [ManualStage]) -> String { message { _ = try Plan.manual(model: m, cluster: c, config: self.config(), stages: stages) } }
        let ok = [ManualStage(firstLayer: 0, lastLayer: 12, replicas: [(Array(0..<8), 8)]),
                  ManualStage(firstLayer: 13, lastLayer: 25, replicas: [(Array(8..<16), 8)])]
        XCTAssertEqual(manual(ok), "")
        XCTAssertTrue(manual([ok[0], ManualStage(firstLayer: 12, lastLayer: 25, replicas: [(Array(8..<16), 8)])]).contains("stage 2 starts at layer 12, expected 13"))
        XCTAssertTrue(manual([ok[0], ManualStage(firstLayer: 13, lastLayer: 24, replicas: [(Array(8..<16), 8)])]).contains("the stages cover layers 0..<25 but the model has 26"))
        XCTAssertTrue(manual([ok[0], ManualStage(firstLayer: 13, lastLayer: 25, replicas: [(Array(4..<12), 8)])]).contains("is used twice"))
        XCTAssertTrue(manual([ManualStage(firstLayer: 0, lastLayer: 25, replicas: [(Array(4..<12), 8)])]).contains("TP group spans nodes 0 and 1"))
        XCTAssertTrue(manual([ManualStage(firstLayer: 0, lastLayer: 25, replicas: [([0, 99], 8)])]).contains("rank 99 does not exist"))
        XCTAssertTrue(manual([ManualStage(firstLayer: 0, lastLayer: 25, replicas: [(Array(0..<8), 5)])]).contains("processes 5 micro-batches but the batch has 8"))
        XCTAssertTrue(manual([ManualStage(firstLayer: 3, lastLayer: 1, replicas: [(Array(0..<8), 8)])]).contains("0 <= first <= last"))
        // Memory: llama2-70b on one 8-chip stage cannot fit (70e9 × 16 B / 8 = 140 GB per chip).
        let big = try TransformerModel.preset("llama2-70b")
        let mm = message { _ = try Plan.manual(model: big, cluster: c, config: self.config(),
                                                stages: [ManualStage(firstLayer: 0, lastLayer: big.layerCount - 1, replicas: [(Array(0..<8), 8)])]) }
        XCTAssertTrue(mm.contains("needs") && mm.contains("over by") && mm.contains("dominates"), mm)
    }

    func testHandWrittenPlanEvaluatesLikeFoundOne() throws {
        let c = try PlannerFixtures.mixed(a100: 2, ascend: 0, h20: 0)
        let m = try TransformerModel.preset("gpt3-1.3b")
        let plan = try Plan.manual(model: m, cluster: c, config: config(), stages: [
            ManualStage(firstLayer: 0, lastLayer: 12, replicas: [(Array(0..<4), 4), (Array(4..<8), 4)]),
            ManualStage(firstLayer: 13, lastLayer: 25, replicas: [(Array(8..<16), 8)])])
        let (cand, sim) = try PlanEvaluation.evaluate(plan, cluster: c)
        XCTAssertEqual(cand.simulatedSeconds, sim.iterationSeconds)
        XCTAssertEqual(cand.origin, "manual")
        let rows = try PlanEvaluation.explain(plan, cluster: c)
        XCTAssertEqual(rows.map(\.stage), [0, 0, 1])
        XCTAssertEqual(rows.map(\.firstLayer), [0, 0, 13])
        XCTAssertEqual(rows.map(\.lastLayer), [12, 12, 25])
        XCTAssertEqual(rows[2].binding, "compute", "stage 2: one 8-chip replica for all 8 micro-batches is the slower stage")
        // Export: one row per rank, TP rank = position in the group.
        let ranks = plan.rankAssignments()
        XCTAssertEqual(ranks.map(\.rank), Array(0..<16))
        XCTAssertEqual(ranks[5].replica, 1)
        XCTAssertEqual(ranks[5].tpRank, 1)
        XCTAssertEqual(ranks[5].tpGroup, [4, 5, 6, 7])
        XCTAssertEqual(ranks[9].stage, 1)
        XCTAssertEqual(ranks[9].microbatches, 8)
    }
}
