/// Site-to-site routing over the WAN graph. Sites are few (tens, maybe
/// hundreds), so all site pairs are routed once at compile time with O(S^2)
/// Dijkstra per source; chip-level routes then splice these in.
enum WanRoutes {
    /// One directed WAN link out of a site.
    struct Edge {
        let to: Int
        let link: Int
        let gbs: Double
        let latencySeconds: Double
    }

    /// `result[s][t]`: the WAN link indices from s to t; nil when t is
    /// unreachable from s; empty when s == t.
    static func compute(siteCount: Int, adjacency: [[Edge]], policy: WanRouting) -> [[[Int]?]] {
        (0..<siteCount).map { s in
            switch policy {
            case .shortestLatency:
                return shortest(from: s, siteCount: siteCount, adjacency: adjacency, minGBs: -.infinity)
            case .widestPath:
                return widest(from: s, siteCount: siteCount, adjacency: adjacency)
            }
        }
    }

    /// Least-latency paths from `s` using only edges of at least `minGBs`.
    /// Ties: fewer hops; then the first path found, scanning sites by index and
    /// edges in specification order (strict improvement only), so the result
    /// is deterministic.
    static func shortest(from s: Int, siteCount: Int, adjacency: [[Edge]], minGBs: Double) -> [[Int]?] {
        var latency = [Double](repeating: .infinity, count: siteCount)
        var hops = [Int](repeating: Int.max, count: siteCount)
        var via = [Edge?](repeating: nil, count: siteCount)
        var from = [Int](repeating: -1, count: siteCount)
        var done = [Bool](repeating: false, count: siteCount)
        latency[s] = 0; hops[s] = 0
        for _ in 0..<siteCount {
            var u = -1
            for v in 0..<siteCount where !done[v] && latency[v] < .infinity {
                if u < 0 || latency[v] < latency[u] || (latency[v] == latency[u] && hops[v] < hops[u]) { u = v }
            }
            if u < 0 { break }
            done[u] = true
            for e in adjacency[u] where e.gbs >= minGBs && !done[e.to] {
                let l = latency[u] + e.latencySeconds, h = hops[u] + 1
                if l < latency[e.to] || (l == latency[e.to] && h < hops[e.to]) {
                    latency[e.to] = l; hops[e.to] = h; via[e.to] = e; from[e.to] = u
                }
            }
        }
        return (0..<siteCount).map { t in
            if t == s { return [] }
            guard latency[t] < .infinity else { return nil }
            var path: [Int] = [], cur = t
            while cur != s, let e = via[cur] { path.append(e.link); cur = from[cur] }
            return path.reversed()
        }
    }

    /// Widest paths from `s`: first the largest achievable bottleneck B*(t) to
    /// every site (maximin Dijkstra), then for each target the least-latency
    /// path among edges of at least B*(t). Two passes because "widest, then
    /// least latency" is not a cost Dijkstra can minimise in one pass.
    static func widest(from s: Int, siteCount: Int, adjacency: [[Edge]]) -> [[Int]?] {
        var width = [Double](repeating: -.infinity, count: siteCount)
        var done = [Bool](repeating: false, count: siteCount)
        width[s] = .infinity
        for _ in 0..<siteCount {
            var u = -1
            for v in 0..<siteCount where !done[v] && width[v] > -.infinity {
                if u < 0 || width[v] > width[u] { u = v }
            }
            if u < 0 { break }
            done[u] = true
            for e in adjacency[u] where !done[e.to] {
                width[e.to] = max(width[e.to], min(width[u], e.gbs))
            }
        }
        var result = [[Int]?](repeating: nil, count: siteCount)
        result[s] = []
        var byWidth: [Double: [[Int]?]] = [:]
        for t in 0..<siteCount where t != s && width[t] > -.infinity {
            let w = width[t]
            if byWidth[w] == nil {
                byWidth[w] = shortest(from: s, siteCount: siteCount, adjacency: adjacency, minGBs: w)
            }
            result[t] = byWidth[w]?[t] ?? nil
        }
        return result
    }
}
