import AmalgamCore
import Foundation

/// Iteration simulator speed: events per second and one iteration of 4,096 chips
/// (TP 8, PP 16, DP 32, 128 micro-batches per pipeline), with growth in chips and
/// micro-batches. Baseline: the closed-form timeline of the same layout (no network).
func simulatorBench() {
    do {
        let model = try TransformerModel.preset("llama2-70b")
        func run(nodes: Int, pp: Int, perPipeline: Int) throws -> (seconds: Double, baseline: Double, events: Int, flows: Int, iteration: Double) {
            let cluster = try ClusterSpec(name: "bench", sites: [SiteSpec(name: "s", groups: [NodeGroupSpec("nvidia_h100_sxm5", nodes: nodes)])]).compile()
            let dp = nodes * 8 / (8 * pp)
            let config = TrainingConfig(globalBatch: perPipeline * dp, microBatch: 1, zero: 1, recompute: .selective)
            let plan = try UniformPlan.make(model: model, cluster: cluster, config: config, tp: 8, pp: pp)
            var result: SimulationResult?
            let seconds = bestSeconds(repeats: 3) { result = try? IterationSimulator(plan: plan, cluster: cluster).run() }
            guard let r = result else { throw AmalgamError("simulation failed") }
            let layout = try PipelineLayout(kind: .oneFOneB, shares: plan.stages.map { $0.replicas.map(\.microbatches) })
            let baseline = bestSeconds(repeats: 3) { blackHole(try? PipelineTimeline.evaluate(layout) { _, _ in 1 }) }
            return (seconds, baseline, r.operationCount + r.flowCount, r.flowCount, r.iterationSeconds)
        }
        print("chips  pp  mb/pipe  ops+flows   flows     sim s    events/s   vs timeline  simulated iteration")
        for (nodes, pp, mb) in [(64, 16, 128), (128, 16, 128), (256, 16, 128), (512, 16, 128), (512, 16, 32), (512, 16, 64)] {
            let r = try run(nodes: nodes, pp: pp, perPipeline: mb)
            print(String(format: "%5d  %2d  %7d  %9d  %8d  %7.3f  %9.0f  %10.1fx  %.2f s", nodes * 8, pp, mb, r.events, r.flows, r.seconds,
                         Double(r.events) / r.seconds, r.seconds / r.baseline, r.iteration))
        }
    } catch {
        print("simulator bench failed: \(error)")
    }
}
