import AmalgamCore
import Foundation

// Collectives benchmark (executor part).
//  1. Executor wall time for an 8-rank x 64 MiB Float32 all-reduce (ring, direct,
//     rabenseifner), against one memcpy of the same total bytes (8 x 64 MiB) measured
//     in the same run; best of 7 each (the machine is shared). Target: within 3x.
//  2. Schedule generation (and TransferGraph lowering) for a 1,024-rank ring all-reduce,
//     against a floor: appending the same number of transfers' fields to flat arrays.
//  3. Network model on a real compiled cluster (ClusterSpec of A100 nodes): ring
//     all-reduce of 512 KiB per rank (one slice per transfer, 2p(p-1) flows) for
//     64 -> 4,096 ranks; flows/s, and growth against the 64-rank run.
func collectivesBench() {
    executorVersusMemcpy()
    ringGeneration()
    clusterRingNetwork()
}

private func clusterRingNetwork() {
    var base: (flows: Double, seconds: Double)?
    for ranks in [64, 256, 1024, 4096] {
        do {
            let spec = ClusterSpec(name: "a100x\(ranks)", sites: [SiteSpec(name: "dc", groups: [
                NodeGroupSpec("nvidia_a100_sxm4_80g", nodes: ranks / 8)])])
            let cluster = try spec.compile()
            let bytes = ranks * 512 * 1024
            let clock = ContinuousClock()
            var t0 = clock.now
            let s = try CollectiveAlgorithms.schedule(.allReduce, algorithm: "ring", rankCount: ranks, elementCount: bytes / 4)
            let g = s.transferGraph(bytesPerElement: 4)
            let build = seconds(clock.now - t0)
            var timing: NetworkTiming?
            t0 = clock.now
            timing = try NetworkModel.time(g, on: cluster)
            let net = seconds(clock.now - t0)
            guard let t = timing else { continue }
            let flows = Double(t.flowCount)
            var growth = ""
            if let b = base {
                growth = String(format: "; vs 64 ranks: %.0fx flows, %.0fx time", flows / b.flows, net / b.seconds)
            } else { base = (flows, net) }
            print("network model, ring all_reduce on ClusterSpec \(ranks / 8) x 8 A100 (\(ranks) ranks, \(cluster.links.count) links):"
                  + " \(t.flowCount) flows in \(fmt(net)) s = \(fmt(flows / net / 1e6)) M flows/s (schedule + lowering \(fmt(build)) s;"
                  + " predicted busbw \(fmt(Double(bytes) / t.makespanSeconds / 1e9 * 2 * Double(ranks - 1) / Double(ranks))) GB/s)\(growth)")
        } catch {
            print("network model \(ranks) ranks: error \(error)")
        }
    }
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

private func executorVersusMemcpy() {
    let ranks = 8, elements = 64 << 20 / MemoryLayout<Float>.stride
    let total = ranks * elements, bytes = total * MemoryLayout<Float>.stride
    let src = UnsafeMutablePointer<Float>.allocate(capacity: total)
    let dst = UnsafeMutablePointer<Float>.allocate(capacity: total)
    src.initialize(repeating: 1, count: total)
    dst.initialize(repeating: 0, count: total)
    let memcpySeconds = bestSeconds(repeats: 7) { dst.update(from: src, count: total) }
    blackHole(dst[total - 1])
    src.deallocate(); dst.deallocate()
    print("memcpy of \(bytes >> 20) MiB: \(fmt(memcpySeconds)) s (\(fmt(Double(bytes) / memcpySeconds / 1e9)) GB/s)")
    for algorithm in ["ring", "direct", "rabenseifner"] {
        do {
            let s = try CollectiveAlgorithms.schedule(.allReduce, algorithm: algorithm, rankCount: ranks, elementCount: elements)
            let r = try ScheduleExecutor.run(s, as: Float.self, seed: 1, pattern: .uniform, repeats: 7)
            let best = r.seconds, ok = r.ok, err = r.maxAbsError, plan = r.planSeconds
            print("executor all_reduce \(algorithm) \(ranks) ranks x 64 MiB float32: \(fmt(best)) s = \(fmt(best / memcpySeconds))x memcpy"
                  + " (ok: \(ok), max abs error \(err), plan \(fmt(plan)) s, \(s.count) transfers)")
        } catch {
            print("executor all_reduce \(algorithm): error \(error)")
        }
    }
}

private func ringGeneration() {
    let ranks = 1024, elements = 1 << 28
    do {
        var schedule: Schedule?
        let gen = try bestSecondsThrowing(repeats: 3) {
            schedule = try CollectiveAlgorithms.schedule(.allReduce, algorithm: "ring", rankCount: ranks, elementCount: elements)
        }
        guard let s = schedule else { return }
        let lower = bestSeconds(repeats: 3) { blackHole(s.transferGraph(bytesPerElement: 4).count) }
        // Floor: the same number of appends to five flat arrays, nothing else.
        let floor = bestSeconds(repeats: 3) {
            var a = [Int32](), b = [Int32](), c = [Int32](), d = [Int32](), e = [Int]()
            a.reserveCapacity(s.count); b.reserveCapacity(s.count); c.reserveCapacity(s.count)
            d.reserveCapacity(s.count); e.reserveCapacity(s.count)
            for i in 0..<s.count {
                let x = Int32(truncatingIfNeeded: i)
                a.append(x); b.append(x &+ 1); c.append(x &+ 2); d.append(x &+ 3); e.append(i)
            }
            blackHole(a.count + b.count + c.count + d.count + e.count)
        }
        let bytes = s.count * (4 * 4 + 1 + 8) + s.deps.count * 4
        print("ring all_reduce schedule, \(ranks) ranks: \(s.count) transfers, \(s.deps.count) dependencies, ~\(bytes >> 20) MiB;"
              + " generate \(fmt(gen)) s (\(fmt(gen / floor))x the append floor of \(fmt(floor)) s), lower to TransferGraph \(fmt(lower)) s")
    } catch {
        print("ring generation: error \(error)")
    }
}

private func bestSecondsThrowing(repeats: Int, _ body: () throws -> Void) throws -> Double {
    var failure: Error?
    let t = bestSeconds(repeats: repeats) { do { try body() } catch { failure = error } }
    if let failure { throw failure }
    return t
}

private func fmt(_ x: Double) -> String {
    let digits = x >= 10 ? 1 : (x >= 1 ? 2 : 4)
    var s = "\((x * pow10(digits)).rounded() / pow10(digits))"
    if s.hasSuffix(".0") { s.removeLast(2) }
    return s
}

private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }
