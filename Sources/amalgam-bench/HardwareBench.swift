import AmalgamCore

/// A mixed cluster of about `chips` chips over four sites (switch, full-mesh,
/// PCIe and ring node fabrics; two vendors per site with host bounce in one),
/// joined by a WAN ring plus one chord so some routes cross a third site.
private func benchSpec(chips: Int) -> ClusterSpec {
    let kinds = ["nvidia_a100_sxm4_80g", "huawei_ascend_910b2", "nvidia_h20", "amd_mi300x", "nvidia_l40s", "kunlunxin_r300"]
    let perSite = chips / 4
    let sites = (0..<4).map { s -> SiteSpec in
        let a = kinds[s % kinds.count], b = kinds[(s + 3) % kinds.count]
        return SiteSpec(name: "site\(s)",
                        groups: [NodeGroupSpec(a, chips: perSite / 2), NodeGroupSpec(b, chips: perSite - perSite / 2)],
                        scaleOut: ScaleOutSpec(oversubscription: s == 1 ? 2 : 1),
                        crossVendor: s == 2 ? CrossVendorSpec(mode: .hostBounce) : .deviceRDMA)
    }
    return ClusterSpec(name: "bench\(chips)", sites: sites, wan: [
        WanLinkSpec("site0", "site1", gbps: 400, latencyMs: 10), WanLinkSpec("site1", "site2", gbps: 400, latencyMs: 12),
        WanLinkSpec("site2", "site3", gbps: 200, latencyMs: 8), WanLinkSpec("site3", "site0", gbps: 100, latencyMs: 30),
        WanLinkSpec("site0", "site2", gbps: 100, latencyMs: 25),
    ])
}

func hardwareBench() {
    var times: [Int: Double] = [:]
    var largest: Cluster? = nil
    for n in [1_000, 10_000, 100_000] {
        let spec = benchSpec(chips: n)
        var cluster: Cluster? = nil
        let t = bestSeconds(repeats: n >= 100_000 ? 3 : 5) {
            do { cluster = try spec.compile() } catch { fatalError("bench spec is invalid: \(error)") }
        }
        times[n] = t
        let c = cluster!
        print("build+compile \(n) chips: \(c.chipCount) ranks, \(c.nodes.count) nodes, \(c.links.count) links: \(fmt(t)) s")
        if n == 100_000 { largest = c }
    }
    print("growth 10k/1k: \(fmt(times[10_000]! / times[1_000]!))x, 100k/10k: \(fmt(times[100_000]! / times[10_000]!))x (10x chips each)")

    let c = largest!
    var seed: UInt64 = 0x5eed
    let queries = 1_000_000
    var pairs: [(Int, Int)] = []
    pairs.reserveCapacity(queries)
    for _ in 0..<queries {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        let a = Int((seed >> 33) % UInt64(c.rankCount))
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        pairs.append((a, Int((seed >> 33) % UInt64(c.rankCount))))
    }
    var sink = 0.0
    let t = bestSeconds(repeats: 3) {
        var acc = 0.0
        for (a, b) in pairs { let r = c.route(from: a, to: b); acc += r.latencySeconds + Double(r.links.count) }
        sink = acc
    }
    blackHole(sink)
    print("1M random route queries on \(c.chipCount) chips: \(fmt(t)) s (\(fmt(t / Double(queries) * 1e9)) ns/route; ratio to 100k compile: \(fmt(t / times[100_000]!))x)")
}

private func fmt(_ x: Double) -> String {
    let scaled = (x * 1000).rounded() / 1000
    return scaled == 0 ? "\(x)" : "\(scaled)"
}
