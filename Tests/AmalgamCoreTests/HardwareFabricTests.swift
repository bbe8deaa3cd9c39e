import XCTest
@testable import AmalgamCore

/// Intra-node fabrics, oversubscription, cross-vendor paths and measured overrides.
final class HardwareFabricTests: XCTestCase {
    private func oneSite(_ groups: [NodeGroupSpec], scaleOut: ScaleOutSpec = ScaleOutSpec(),
                         crossVendor: CrossVendorSpec = .deviceRDMA) throws -> Cluster {
        try ClusterSpec(name: "t", sites: [SiteSpec(name: "s", groups: groups, scaleOut: scaleOut, crossVendor: crossVendor)]).compile()
    }

    func testFullMeshPerPeerBandwidth() throws {
        let c = try oneSite([NodeGroupSpec("huawei_ascend_910b2", chips: 8)])
        // HCCS 392 GB/s bidirectional -> 196 per direction over 7 peers = 28 GB/s per ordered pair;
        // one direct link, 1 µs (assumed mesh-link latency).
        for a in 0..<8 {
            for b in 0..<8 where a != b {
                let r = c.route(from: a, to: b)
                XCTAssertEqual(r.links.count, 1)
                XCTAssertEqual(r.bottleneckGBs, 28)
                XCTAssertEqual(c.links[r.links[0]].name, "s/huawei_ascend_910b2/n0/c\(a)->c\(b)")
            }
        }
        XCTAssertEqual(c.route(from: 0, to: 1).latencySeconds, 1e-6)
        // Every ordered pair has its own link: 8 x 7 = 56 distinct links.
        let all = Set((0..<8).flatMap { a in (0..<8).filter { $0 != a }.map { c.route(from: a, to: $0).links[0] } })
        XCTAssertEqual(all.count, 56)
        // A partial mesh node keeps the design's per-peer rate (ports are wired for 7 peers).
        let p = try oneSite([NodeGroupSpec("amd_mi300x", chips: 3)])
        XCTAssertEqual(p.route(from: 2, to: 0).bottleneckGBs, 896.0 / 2 / 7)   // 64
        XCTAssertEqual(p.links[p.route(from: 2, to: 0).links[0]].name, "s/amd_mi300x/n0/c2->c0")
    }

    func testPCIeNodeSharesOneHostBridge() throws {
        let c = try oneSite([NodeGroupSpec("nvidia_l40s", chips: 8)])
        // PCIe Gen4 x16: 64 GB/s bidirectional -> 32 GB/s; every intra-node transfer crosses the same bridge.
        let r01 = c.route(from: 0, to: 1), r23 = c.route(from: 2, to: 3), r76 = c.route(from: 7, to: 6)
        XCTAssertEqual(r01.links.count, 1)
        XCTAssertEqual(r01.links, r23.links)
        XCTAssertEqual(r01.links, r76.links)
        XCTAssertEqual(r01.bottleneckGBs, 32)
        XCTAssertEqual(r01.latencySeconds, 2e-6)
        XCTAssertEqual(c.links[r01.links[0]].kind, .pcie)
        XCTAssertEqual(c.links.filter { $0.kind == .pcie }.count, 1)
    }

    func testRingRoutesTheShorterWayRoundMatchingBreadthFirstSearch() throws {
        let c = try oneSite([NodeGroupSpec("kunlunxin_r300", chips: 8)])
        // 200 GB/s aggregate over two neighbours: 100 per direction / 2 = 50 GB/s per neighbour link.
        XCTAssertEqual(c.route(from: 0, to: 1).bottleneckGBs, 50)
        // Brute force: BFS over the ring's directed links gives the hop count.
        let m = 8
        for a in 0..<m {
            var dist = [Int](repeating: -1, count: m); dist[a] = 0
            var queue = [a]
            while !queue.isEmpty {
                let u = queue.removeFirst()
                for v in [(u + 1) % m, (u + m - 1) % m] where dist[v] < 0 { dist[v] = dist[u] + 1; queue.append(v) }
            }
            for b in 0..<m where b != a {
                let r = c.route(from: a, to: b)
                XCTAssertEqual(r.links.count, dist[b], "\(a)->\(b)")
                XCTAssertEqual(r.latencySeconds, Double(dist[b]) * 1e-6, accuracy: 1e-15)
                // The route is a connected walk from a to b.
                var cur = a
                for l in r.links {
                    let parts = c.links[l].name.split(separator: "/").last!.split(separator: ">")
                    XCTAssertEqual(String(parts[0].dropLast()), "c\(cur)")
                    cur = Int(parts[1].dropFirst())!
                }
                XCTAssertEqual(cur, b)
            }
        }
        // Tie (opposite side): clockwise. Two-chip ring: one link each way at the full 100 GB/s.
        XCTAssertEqual(c.links[c.route(from: 0, to: 4).links[0]].name, "s/kunlunxin_r300/n0/c0->c1")
        let two = try oneSite([NodeGroupSpec(chip: .catalog("kunlunxin_r300"), chips: 2, chipsPerNode: 2)])
        XCTAssertEqual(two.route(from: 1, to: 0).bottleneckGBs, 100)
        XCTAssertEqual(two.route(from: 1, to: 0).links.count, 1)
    }

    func testOversubscriptionAtNodeUplink() throws {
        let c = try oneSite([NodeGroupSpec("nvidia_h100_sxm5", chips: 16)],
                            scaleOut: ScaleOutSpec(kind: .roce, hopLatencySeconds: 3e-6, oversubscription: 4))
        // 8 NICs x 400 Gb/s = 3200 Gb/s = 400 GB/s per node; 4:1 -> 100 GB/s uplink.
        let r = c.route(from: 0, to: 8)
        XCTAssertEqual(c.links[r.links[1]].gbs, 100)
        XCTAssertEqual(r.bottleneckGBs, 50)                      // one NIC is still 400/8 = 50
        XCTAssertEqual(r.latencySeconds, 4 * 3e-6, accuracy: 1e-15)
        // All 8 chips of node 0 share the uplink.
        XCTAssertEqual(Set((0..<8).map { c.route(from: $0, to: 8 + $0).links[1] }).count, 1)
        // Default hop latency for RoCE is its documented assumption.
        let d = try oneSite([NodeGroupSpec("nvidia_h100_sxm5", chips: 16)], scaleOut: ScaleOutSpec(kind: .roce))
        XCTAssertEqual(d.route(from: 0, to: 8).latencySeconds, 4 * FabricKind.roce.assumedHopLatencySeconds, accuracy: 1e-15)
    }

    func testCrossVendorHostBounceReplacesNicPath() throws {
        let groups = [NodeGroupSpec("nvidia_a100_sxm4_80g", chips: 8), NodeGroupSpec("huawei_ascend_910b2", chips: 8),
                      NodeGroupSpec("nvidia_h100_sxm5", chips: 8)]
        let rdma = try oneSite(groups)
        XCTAssertEqual(rdma.route(from: 0, to: 8).bottleneckGBs, 25)     // NIC 200 Gb/s
        let bounce = try oneSite(groups, crossVendor: CrossVendorSpec(mode: .hostBounce, gbs: 6, latencySeconds: 30e-6))
        // A100 -> 910B2: bounce out (6 GB/s, 15 µs), uplink up/down (0.5 µs each), bounce in (6, 15 µs).
        let p = try bounce.path(from: 0, to: 8)
        XCTAssertEqual(p.hops, ["s/nvidia_a100_sxm4_80g/n0/host_bounce_out", "s/nvidia_a100_sxm4_80g/n0/uplink_up",
                                "s/huawei_ascend_910b2/n0/uplink_down", "s/huawei_ascend_910b2/n0/host_bounce_in"])
        XCTAssertEqual(p.gbs, 6)
        XCTAssertEqual(p.latencySeconds, 30e-6 + 2 * 0.5e-6, accuracy: 1e-15)
        // A100 -> H100 are both NVIDIA: normal NIC path.
        XCTAssertEqual(try bounce.path(from: 0, to: 16).hops.first, "s/nvidia_a100_sxm4_80g/n0/c0/nic_up")
        // Inside a node nothing changes.
        XCTAssertEqual(bounce.route(from: 0, to: 1).bottleneckGBs, 300)
        XCTAssertTrue(bounce.summary().contains("cross-vendor host bounce 6 GB/s, 30 µs"))
    }

    func testMeasuredOverridesChangeRoutesByPrecedence() throws {
        var spec = HardwareClusterTests.mixedSpec()
        spec.connect(.site("beijing"), .site("guiyang"), gbs: 5, latencySeconds: 0.02)
        spec.connect(.parse("beijing/nvidia_a100_sxm4_80g"), .parse("beijing/nvidia_h20"), gbs: 7, latencySeconds: 1e-5)
        spec.connect(.node(0), .parse("guiyang/huawei_ascend_910b2/n0"), gbs: 3, latencySeconds: 0.03)
        let c = try spec.compile()
        // Node pair beats site pair: A100 n0 -> 910B2 n0.
        var p = try c.path(from: 0, to: 192)
        XCTAssertEqual(p.hops, ["measured:beijing/nvidia_a100_sxm4_80g/n0->guiyang/huawei_ascend_910b2/n0"])
        XCTAssertEqual(p.gbs, 3); XCTAssertEqual(p.latencySeconds, 0.03)
        // Other nodes across the WAN use the site-level figure, both directions.
        p = try c.path(from: 8, to: 200)
        XCTAssertEqual(p.hops, ["measured:beijing->guiyang"]); XCTAssertEqual(p.gbs, 5); XCTAssertEqual(p.latencySeconds, 0.02)
        XCTAssertEqual(try c.path(from: 200, to: 8).hops, ["measured:guiyang->beijing"])
        // Group pair inside beijing.
        p = try c.path(from: 1, to: 70)
        XCTAssertEqual(p.gbs, 7); XCTAssertEqual(p.latencySeconds, 1e-5)
        // Pairs without an override keep derived routes; intra-node routes are never overridden.
        XCTAssertEqual(try c.path(from: 0, to: 8).gbs, 25)
        XCTAssertEqual(try c.path(from: 0, to: 1).gbs, 300)
        // All traffic between the two sites shares one measured link per direction.
        XCTAssertEqual(c.route(from: 8, to: 200).links, c.route(from: 20, to: 300).links)
    }

    func testMatrixOverrideIsDirectional() throws {
        var spec = HardwareClusterTests.mixedSpec()
        let names = ["beijing/nvidia_a100_sxm4_80g/n0", "beijing/nvidia_a100_sxm4_80g/n1", "guiyang/huawei_ascend_910b2/n3"]
        spec.matrices = [NodeMatrixSpec(nodeNames: names,
                                        gbs: [[0, 7, 2], [9, -1, 2.5], [1.5, 1.5, 0]],      // diagonal ignored, even -1
                                        latencySeconds: [[0, 1e-5, 0.011], [2e-5, 0, 0.012], [0.013, 0.014, 0]])]
        let c = try spec.compile()
        XCTAssertEqual(try c.path(from: 0, to: 8).gbs, 7)          // n0 -> n1
        XCTAssertEqual(try c.path(from: 8, to: 0).gbs, 9)          // n1 -> n0
        XCTAssertEqual(try c.path(from: 8, to: 0).latencySeconds, 2e-5)
        // guiyang n3 holds ranks 192 + 3 x 8 = 216..<224.
        XCTAssertEqual(try c.path(from: 216, to: 3).gbs, 1.5)
        XCTAssertEqual(try c.path(from: 9, to: 223).latencySeconds, 0.012)
        XCTAssertEqual(try c.path(from: 0, to: 200).gbs, 25)        // guiyang n1: derived path
        XCTAssertEqual(c.links.filter { $0.kind == .measured }.count, 6)   // 3 x 2 off-diagonal entries
    }

    func testWanRoutesViaThirdSite() throws {
        func spec(_ acGbps: Double, _ acMs: Double, _ routing: WanRouting) -> ClusterSpec {
            ClusterSpec(name: "w", sites: ["a", "b", "c"].map { SiteSpec(name: $0, groups: [NodeGroupSpec("nvidia_h100_sxm5", chips: 8)]) },
                        wan: [WanLinkSpec("a", "b", gbps: 100, latencyMs: 5), WanLinkSpec("b", "c", gbps: 100, latencyMs: 5),
                              WanLinkSpec("a", "c", gbps: 10, latencyMs: acMs)], wanRouting: routing)
        }
        func wanHops(_ c: Cluster) throws -> [String] { try c.path(from: 0, to: 16).hops.filter { $0.hasPrefix("wan:") } }
        // Direct a-c 20 ms vs via b 5 + 5 = 10 ms: via b.
        XCTAssertEqual(try wanHops(spec(10, 20, .shortestLatency).compile()), ["wan:a->b", "wan:b->c"])
        // Direct 8 ms < 10 ms: direct, bottleneck 10 Gb/s = 1.25 GB/s.
        let direct = try spec(10, 8, .shortestLatency).compile()
        XCTAssertEqual(try wanHops(direct), ["wan:a->c"])
        XCTAssertEqual(try direct.path(from: 0, to: 16).gbs, 1.25)
        // Widest path prefers 100 Gb/s via b (12.5 GB/s) over the 1.25 GB/s direct link.
        let wide = try spec(10, 8, .widestPath).compile()
        XCTAssertEqual(try wanHops(wide), ["wan:a->b", "wan:b->c"])
        XCTAssertEqual(try wide.path(from: 0, to: 16).latencySeconds, 0.010 + 4 * 0.5e-6, accuracy: 1e-12)
    }

    /// Random small WAN graphs: compiled site routes against exhaustive search
    /// over all simple paths.
    func testWanRoutingAgainstBruteForce() throws {
        var seed: UInt64 = 42
        func next(_ n: Int) -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int((seed >> 33) % UInt64(n)) }
        for trial in 0..<40 {
            let s = 2 + next(4)
            var wan: [WanLinkSpec] = []
            for i in 0..<s { for j in (i + 1)..<s where next(3) > 0 {
                wan.append(WanLinkSpec("s\(i)", "s\(j)", gbps: Double([10, 40, 100, 400][next(4)]), latencyMs: Double(1 + next(20))))
            } }
            // Keep it connected with a chain of slow links if needed.
            for i in 0..<(s - 1) where !wan.contains(where: { Set([$0.a, $0.b]) == Set(["s\(i)", "s\(i + 1)"]) }) {
                wan.append(WanLinkSpec("s\(i)", "s\(i + 1)", gbps: 1, latencyMs: 50))
            }
            for routing in WanRouting.allCases {
                let spec = ClusterSpec(name: "r", sites: (0..<s).map { SiteSpec(name: "s\($0)", groups: [NodeGroupSpec("nvidia_h20", chips: 1)]) },
                                       wan: wan, wanRouting: routing)
                let c = try spec.compile()
                for a in 0..<s { for b in 0..<s where a != b {
                    // Enumerate simple paths.
                    var best: (Double, Double)? = nil   // (bottleneck Gb/s, latency ms)
                    func dfs(_ u: Int, _ seen: Set<Int>, _ bw: Double, _ lat: Double) {
                        if u == b {
                            let better: Bool
                            if let (bb, bl) = best {
                                better = routing == .shortestLatency ? lat < bl : (bw > bb || (bw == bb && lat < bl))
                            } else { better = true }
                            if better { best = (bw, lat) }
                            return
                        }
                        for w in wan {
                            let (x, y) = (Int(w.a.dropFirst())!, Int(w.b.dropFirst())!)
                            for (p, q) in [(x, y), (y, x)] where p == u && !seen.contains(q) {
                                dfs(q, seen.union([q]), min(bw, w.gbps), lat + w.latencyMs)
                            }
                        }
                    }
                    dfs(a, [a], .infinity, 0)
                    let r = c.route(from: a, to: b)   // one chip per site: rank == site
                    let wanLinks = r.links.map { c.links[$0] }.filter { $0.kind == .wan }
                    let lat = wanLinks.reduce(0) { $0 + $1.latencySeconds } * 1000
                    let bw = wanLinks.map(\.gbs).min()! * 8
                    XCTAssertEqual(lat, best!.1, accuracy: 1e-9, "trial \(trial) \(routing) \(a)->\(b)")
                    if routing == .widestPath { XCTAssertEqual(bw, best!.0, "trial \(trial) \(a)->\(b)") }
                } }
            }
        }
    }
}
