import AmalgamCore
import Collections
import Foundation

/// A cluster of `nodes` × 8 chips: each chip has a scale-up up/down port into a
/// non-blocking NVSwitch-like switch (450 GB/s per direction, 1 µs) and one NIC
/// up/down (50 GB/s, 5 µs) into a non-blocking fabric. With `fabricOversubscription`
/// set, each node's traffic also crosses a node uplink/downlink of
/// 8 × 50 / oversubscription GB/s (a contended fabric core). With `sharedCore`,
/// every inter-node flow also crosses one site-wide core link sized to carry all
/// NICs at once (slack, but shared by every flow).
private struct BenchCluster: NetworkTopology {
    let nodes: Int
    let chipsPerNode = 8
    var links: [Link] = []
    let hasCore: Bool
    var sharedCore = false
    var rankCount: Int { nodes * chipsPerNode }
    let chipSpec = Chip(id: "bench_h100", vendor: "NVIDIA", name: "bench H100-like", bf16Tflops: 989, memGB: 80,
                        memBwGBs: 3350, intraLinkGBs: 900, intraTopology: .switch, nicGbps: 400,
                        source: "benchmark fixture")

    init(nodes: Int, fabricOversubscription: Double? = nil) {
        self.nodes = nodes
        hasCore = fabricOversubscription != nil
        let n = nodes * chipsPerNode
        for r in 0..<n { links.append(Link(name: "c\(r)/su_up", kind: .scaleUp, gbs: 450, latencySeconds: 1e-6)) }
        for r in 0..<n { links.append(Link(name: "c\(r)/su_down", kind: .scaleUp, gbs: 450, latencySeconds: 0)) }
        for r in 0..<n { links.append(Link(name: "c\(r)/nic_up", kind: .nic, gbs: 50, latencySeconds: 5e-6)) }
        for r in 0..<n { links.append(Link(name: "c\(r)/nic_down", kind: .nic, gbs: 50, latencySeconds: 0)) }
        if let o = fabricOversubscription {
            for k in 0..<nodes { links.append(Link(name: "n\(k)/uplink", kind: .fabric, gbs: 400 / o, latencySeconds: 0)) }
            for k in 0..<nodes { links.append(Link(name: "n\(k)/downlink", kind: .fabric, gbs: 400 / o, latencySeconds: 0)) }
        }
    }

    func route(from a: Int, to b: Int) -> Route {
        let n = rankCount
        let l: [Int]
        if a / chipsPerNode == b / chipsPerNode {
            l = [a, n + b]
        } else if hasCore {
            l = [2 * n + a, 4 * n + a / chipsPerNode, 4 * n + nodes + b / chipsPerNode, 3 * n + b]
        } else if sharedCore {
            l = [2 * n + a, links.count - 1, 3 * n + b]
        } else {
            l = [2 * n + a, 3 * n + b]
        }
        return Route(links: l, latencySeconds: l.reduce(0) { $0 + links[$1].latencySeconds },
                     bottleneckGBs: l.map { links[$0].gbs }.min() ?? 0)
    }
    func node(ofRank rank: Int) -> Int { rank / chipsPerNode }
    func site(ofRank rank: Int) -> Int { 0 }
    func chip(ofRank rank: Int) -> Chip { chipSpec }
}

/// Ring all-reduce over ranks 0..<p in order: 2(p-1) steps of S/p; a send waits
/// for the chunk received in the previous step (reduced, in the first half) and
/// for the rank's own previous send.
private func benchRingAllReduce(ranks p: Int, bytes: Double) -> TransferGraph {
    var g = TransferGraph()
    let steps = 2 * (p - 1)
    g.reserve(transfers: steps * p, dependencies: 2 * (steps - 1) * p)
    let chunk = bytes / Double(p)
    var prev = [Int](repeating: -1, count: p), cur = prev
    for s in 0..<steps {
        for i in 0..<p {
            let deps = s == 0 ? [] : [prev[(i + p - 1) % p], prev[i]]
            cur[i] = g.add(src: i, dst: (i + 1) % p, bytes: chunk, reduceBytes: s < p - 1 ? chunk : 0, after: deps)
        }
        swap(&prev, &cur)
    }
    return g
}

/// Baseline: the bare discrete-event cost of `flows` flows — one finish and one
/// delivery event each through a swift-collections `Heap` holding `live` entries.
private func heapBaselineSeconds(flows: Int, live: Int) -> Double {
    bestSeconds(repeats: 3) {
        var h = Heap<Double>()
        var t = 0.0
        for i in 0..<live { h.insert(Double(i)) }
        for _ in 0..<(2 * flows) {
            t = h.removeMin()
            h.insert(t + 1000)
        }
        blackHole(t)
    }
}

/// Network model throughput: flows simulated per second for ring all-reduce on
/// an 8-chip-per-node cluster, and how it scales with the rank count.
func networkBench() {
    let bytes = 1024.0 * 1024 * 1024
    var unsliced = NetworkOptions()
    unsliced.sliceBytes = nil

    func run(ranks: Int, options: NetworkOptions, oversubscription: Double? = nil, repeats: Int) -> (Double, NetworkTiming)? {
        let topo = BenchCluster(nodes: ranks / 8, fabricOversubscription: oversubscription)
        let g = benchRingAllReduce(ranks: ranks, bytes: bytes)
        var timing: NetworkTiming?
        let seconds = bestSeconds(repeats: repeats) {
            timing = try? NetworkModel.time(g, on: topo, options: options)
        }
        guard let t = timing else { print("  simulation failed"); return nil }
        return (seconds, t)
    }
    func report(_ label: String, _ r: (Double, NetworkTiming)?, bytes: Double, ranks: Int) {
        guard let (s, t) = r else { return }
        let busbw = (try? BandwidthMetrics.busbwGBs(.allReduce, ranks: ranks, bytes: bytes, seconds: t.makespanSeconds)) ?? 0
        print(String(format: "  %@: %d flows in %.3f s = %.2fM flows/s (simulated all-reduce %.3f ms, busbw %.1f GB/s)",
                     label, t.flowCount, s, Double(t.flowCount) / s / 1e6, t.makespanSeconds * 1e3, busbw))
    }

    print("ring all-reduce of 1 GiB, 1,024 ranks = 128 nodes × 8 (NVSwitch-like + 1 NIC/chip, non-blocking fabric)")
    let lowering = bestSeconds(repeats: 3) { blackHole(benchRingAllReduce(ranks: 1024, bytes: bytes)) }
    let main = run(ranks: 1024, options: unsliced, repeats: 3)
    report("unsliced", main, bytes: bytes, ranks: 1024)
    if let (s, t) = main {
        let base = heapBaselineSeconds(flows: t.flowCount, live: 2048)
        print(String(format: "  baseline, bare Heap events (2 per flow): %.3f s -> model costs %.1fx the bare event queue", base, s / base))
        print(String(format: "  baseline, building the transfer graph: %.3f s -> simulating costs %.1fx building", lowering, s / lowering))
        print(String(format: "  reference: SimGrid ~38 s for the same 2.1M transfers -> %.0fx faster", 38 / s))
    }
    report("sliced 512 KiB", run(ranks: 1024, options: NetworkOptions(), repeats: 1), bytes: bytes, ranks: 1024)
    // A ring crosses each node boundary with one flow, so a 2:1 core does not
    // slow it; this checks the core links stay out of the contention components.
    report("unsliced, 2:1 oversubscribed fabric core", run(ranks: 1024, options: unsliced, oversubscription: 2, repeats: 1),
           bytes: bytes, ranks: 1024)

    do {
        var topo = BenchCluster(nodes: 128)
        topo.links.append(Link(name: "site/core", kind: .fabric, gbs: 1024 * 50, latencySeconds: 0))
        topo.sharedCore = true
        let g = benchRingAllReduce(ranks: 1024, bytes: bytes)
        var timing: NetworkTiming?
        let s = bestSeconds(repeats: 1) { timing = try? NetworkModel.time(g, on: topo, options: unsliced) }
        report("unsliced, one shared (slack) site core link", timing.map { (s, $0) }, bytes: bytes, ranks: 1024)
    }

    // Heavy contention: an all-to-all where every inter-node flow shares the
    // oversubscribed node uplinks, so each event re-fills one large component.
    for ranks in [64, 128] {
        let topo = BenchCluster(nodes: ranks / 8, fabricOversubscription: 2)
        var g = TransferGraph()
        let per = 256.0 * 1024 * 1024 / Double(ranks)
        for a in 0..<ranks { for b in 0..<ranks where a != b { g.add(src: a, dst: b, bytes: per * (1 + Double((a * 7 + b) % 5) / 10)) } }
        var timing: NetworkTiming?
        let s = bestSeconds(repeats: 1) { timing = try? NetworkModel.time(g, on: topo, options: unsliced) }
        if let t = timing {
            print(String(format: "  contended all-to-all, %d ranks, 2:1 core: %d flows in %.3f s = %.3fM flows/s (simulated %.3f ms)",
                         ranks, t.flowCount, s, Double(t.flowCount) / s / 1e6, t.makespanSeconds * 1e3))
        }
    }

    print("scaling (unsliced, 1 GiB):")
    var first: Double?
    for ranks in [64, 128, 256, 512, 1024, 2048, 4096] {
        guard let (s, t) = run(ranks: ranks, options: unsliced, repeats: ranks <= 1024 ? 3 : 1) else { continue }
        let perFlow = s / Double(t.flowCount)
        if first == nil { first = perFlow }
        print(String(format: "  %5d ranks: %9d flows, %8.3f s, %.2fM flows/s, per-flow cost %.2fx the 64-rank run",
                     ranks, t.flowCount, s, Double(t.flowCount) / s / 1e6, perFlow / (first ?? perFlow)))
    }
}
