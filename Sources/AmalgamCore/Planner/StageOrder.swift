/// The outcome of choosing the pipeline order of device groups together with the layer split.
public struct StageOrderResult: Sendable, Equatable {
    /// `order[p]` is the group placed at pipeline position `p`.
    public var order: [Int]
    /// The optimal layer split for that order; stage `p` of it is group `order[p]`.
    public var split: LayerSplitResult
    /// True when the search was exhaustive (up to interchangeable groups), so no order
    /// has a lower (bottleneck, sum of stage costs); false for the heuristic.
    public var provenOptimal: Bool
    /// Complete orders whose layer split was evaluated.
    public var ordersEvaluated: Int
}

/// Joint choice of stage order and layer split over `G` device groups, each becoming one
/// pipeline stage. The objective is the layer split's: least bottleneck, then least sum
/// of stage costs; remaining ties go to the lexicographically smallest order.
///
/// - `G ≤ exhaustiveLimit` (default 8): depth-first search over orders, one candidate
///   per class of interchangeable groups at each position (symmetry pruning: swapping
///   identical groups cannot change a cost), sharing the bottleneck DP row of each order
///   prefix between all its completions, and cutting a prefix when every way to end it
///   (prefix row entry `j`), combined with a lower bound for the remaining groups on
///   layers `j..<L` (speed-weighted balance, tables only), exceeds the incumbent
///   bottleneck. Ties are never cut, so the least-sum tie-break stays exact; the least
///   sums are carried along the path so a tying order costs one extra row, not a
///   fresh layer split. Exact. Worst case (8 distinct groups, nearly uniform layers,
///   many exact ties) evaluates thousands of orders: about a second for 128 layers.
/// - Larger `G`: heuristic. Start from groups sorted by how many leading layers each can
///   hold at position 0 (the memory-heaviest position under 1F1B), descending — large
///   memory goes early — ties faster first; then first-improvement pairwise swaps of
///   non-identical groups until no swap helps or `maxSwapEvaluations` orders were tried.
///   Not proven optimal.
public enum StageOrder {
    /// Largest accepted `exhaustiveLimit`: 10! orders is already ~3.6M layer-split rows.
    public static let maxExhaustiveGroups = 10

    /// Orders the groups of an additive ``GroupCostTable`` (identical groups found automatically).
    public static func optimize(_ table: GroupCostTable, allowEmptyStages: Bool = false, exhaustiveLimit: Int = 8,
                                maxSwapEvaluations: Int = 400) throws -> StageOrderResult {
        try search(placement(table, allowEmpty: allowEmptyStages), exhaustiveLimit: exhaustiveLimit,
                   maxSwapEvaluations: maxSwapEvaluations)
    }

    /// Orders groups for any cost model.
    /// - Parameters:
    ///   - groupClasses: groups with equal values are declared interchangeable (their
    ///     costs and fits are identical); nil = all distinct.
    ///   - seconds: cost of `group` at pipeline `position` running a non-empty range
    ///     (finite, ≥ 0).
    ///   - fits: whether `group` at `position` holds the range; monotone in the range.
    public static func optimize(
        groups: Int, layers: Int, groupClasses: [Int]? = nil, allowEmptyStages: Bool = false,
        exhaustiveLimit: Int = 8, maxSwapEvaluations: Int = 400,
        seconds: (_ group: Int, _ position: Int, _ layers: Range<Int>) throws -> Double,
        fits: (_ group: Int, _ position: Int, _ layers: Range<Int>) throws -> Bool = { _, _, _ in true }
    ) throws -> StageOrderResult {
        let classes = groupClasses ?? Array(0..<max(groups, 0))
        guard classes.count == max(groups, 0) else {
            throw AmalgamError("stage order: groupClasses has \(classes.count) entries, expected one per group (\(groups))")
        }
        return try withoutActuallyEscaping(seconds) { seconds in
            try withoutActuallyEscaping(fits) { fits in
                try search(Placement(groups: groups, layers: layers, allowEmpty: allowEmptyStages, monotoneSeconds: false,
                                     classes: classes, seconds: seconds, fits: fits),
                           exhaustiveLimit: exhaustiveLimit, maxSwapEvaluations: maxSwapEvaluations)
            }
        }
    }

    /// Orders groups of data-parallel replicas (the planner's model): costs grow with
    /// the range, so the rows prune on cost, and no closure runs in the O(L²) loops.
    static func optimize(
        groups: Int, layers: Int, groupClasses: [Int], exhaustiveLimit: Int, maxSwapEvaluations: Int,
        replicaStage: @escaping (_ group: Int, _ position: Int) -> LayerSplit.ReplicaStage
    ) throws -> StageOrderResult {
        guard groupClasses.count == max(groups, 0) else {
            throw AmalgamError("stage order: groupClasses has \(groupClasses.count) entries, expected one per group (\(groups))")
        }
        let placement = Placement(
            groups: groups, layers: layers, allowEmpty: false, monotoneSeconds: true, classes: groupClasses,
            seconds: { g, position, r in try replicaStage(g, position).cost(r.lowerBound, r.upperBound) },
            fits: { g, position, r in try replicaStage(g, position).fits(r.lowerBound, r.upperBound) },
            replicas: replicaStage)
        return try search(placement, exhaustiveLimit: exhaustiveLimit, maxSwapEvaluations: maxSwapEvaluations)
    }

    /// The optimal layer split for one given order of the table's groups.
    public static func split(_ table: GroupCostTable, order: [Int], allowEmptyStages: Bool = false) throws -> LayerSplitResult {
        let p = placement(table, allowEmpty: allowEmptyStages)
        try checkOrder(order, groups: p.groups)
        return try LayerSplit.solve(p.problem(order: order))
    }

    // MARK: - Internals

    struct Placement {
        var groups: Int
        var layers: Int
        var allowEmpty: Bool
        var monotoneSeconds: Bool
        var classes: [Int]
        var seconds: (Int, Int, Range<Int>) throws -> Double
        var fits: (Int, Int, Range<Int>) throws -> Bool
        var linkDominates: ((Int, Range<Int>) -> Bool)? = nil
        var memory: ((Int, Int, Range<Int>) -> (need: Double, capacity: Double))? = nil
        /// For groups `remaining` taking the last stages, a lower bound on their
        /// bottleneck when they must cover layers `j..<layers`, for every `j`
        /// (entry `j`); nil when the model offers none.
        var restLowerBound: ((_ remaining: [Int]) -> [Double])? = nil
        /// Additive form of a group at a position (tables only).
        var additive: ((_ group: Int, _ position: Int) -> LayerSplit.AdditiveStage)? = nil
        /// Replica-stage form of a group at a position (the planner's model).
        var replicas: ((_ group: Int, _ position: Int) -> LayerSplit.ReplicaStage)? = nil

        /// The layer-split problem of a (possibly partial) order: stage `s` is group `order[s]`.
        func problem(order: [Int]) -> LayerSplit.Problem {
            let seconds = self.seconds, fits = self.fits, link = linkDominates, memory = self.memory
            return LayerSplit.Problem(
                layers: layers, stages: groups, allowEmpty: allowEmpty, monotoneSeconds: monotoneSeconds,
                seconds: { s, r in try seconds(order[s], s, r) },
                fits: { s, r in try fits(order[s], s, r) },
                linkDominates: link.map { f in { s, r in f(order[s], r) } },
                memory: memory.map { f in { s, r in f(order[s], s, r) } },
                additive: additive.map { f in { s in f(order[s], s) } },
                replicas: replicas.map { f in { s in f(order[s], s) } })
        }
    }

    static func placement(_ t: GroupCostTable, allowEmpty: Bool) -> Placement {
        Placement(groups: t.groupCount, layers: t.layerCount, allowEmpty: allowEmpty, monotoneSeconds: true,
                  classes: t.groupClasses,
                  seconds: { g, _, r in t.seconds(group: g, layers: r) },
                  fits: { g, p, r in t.fits(group: g, position: p, layers: r) },
                  linkDominates: { g, r in
                      t.boundarySeconds[g] > 0 && t.boundarySeconds[g] >= t.fixedSeconds[g] + t.computeSeconds(group: g, layers: r)
                  },
                  memory: { g, p, r in (t.bytes(group: g, position: p, layers: r), t.capacityBytes[g]) },
                  restLowerBound: { remaining in balanceBound(t, remaining: remaining, allowEmpty: allowEmpty) },
                  additive: { g, p in t.additiveStage(group: g, position: p) })
    }

    /// Speed-weighted balance bound for the additive table. Let `a_l` be layer `l`'s
    /// time on its fastest remaining group and `σ_g = max_l a_l / c_gl ≤ 1` group `g`'s
    /// relative speed (so `c_gl ≥ a_l / σ_g` for every layer). If every remaining stage
    /// finishes within `T`, group `g` covers at most `σ_g (T − f_g)` of the `a`-work
    /// (`f_g` its fixed + boundary time, 0 when stages may be empty), and together they
    /// must cover `Σ_{l ≥ j} a_l`; hence `T ≥ (Σ a_l + Σ σ_g f_g) / Σ σ_g` — the exact
    /// fractional balance when speeds are proportional. Shaved by 1e-9 relative so
    /// rounding can never lift it above the true optimum and prune a tie.
    static func balanceBound(_ t: GroupCostTable, remaining: [Int], allowEmpty: Bool) -> [Double] {
        let L = t.layerCount
        var out = [Double](repeating: 0, count: L + 1)
        guard !remaining.isEmpty else { return out }
        var sigma = [Double](repeating: 0, count: remaining.count)
        var work = 0.0
        for j in stride(from: L - 1, through: 0, by: -1) {
            var fastest = Double.infinity
            for g in remaining { fastest = min(fastest, t.layerSeconds[g][j]) }
            work += fastest
            if fastest > 0 {
                for (k, g) in remaining.enumerated() { sigma[k] = max(sigma[k], fastest / t.layerSeconds[g][j]) }
            }
            var speed = 0.0, fixed = 0.0
            for (k, g) in remaining.enumerated() {
                let s = sigma[k] > 0 ? sigma[k] : 1      // all a_l = 0 so far: any σ is valid
                speed += s
                if !allowEmpty { fixed += s * (t.fixedSeconds[g] + t.boundarySeconds[g]) }
            }
            out[j] = (work + fixed) / speed * (1 - 1e-9)
        }
        return out
    }

    static func checkOrder(_ order: [Int], groups: Int) throws {
        guard order.count == groups, order.sorted() == Array(0..<groups) else {
            throw AmalgamError("stage order: order must list each group 0..<\(groups) exactly once (got \(order))")
        }
    }

    /// Lexicographic (bottleneck, sum) comparison.
    static func better(_ a: LayerSplitResult, than b: LayerSplitResult?) -> Bool {
        guard let b else { return true }
        return a.bottleneckSeconds < b.bottleneckSeconds
            || (a.bottleneckSeconds == b.bottleneckSeconds && a.totalSeconds < b.totalSeconds)
    }

    static func search(_ p: Placement, exhaustiveLimit: Int, maxSwapEvaluations: Int) throws -> StageOrderResult {
        guard p.groups >= 1 else { throw AmalgamError("stage order: groups must be ≥ 1 (got \(p.groups))") }
        guard (0...maxExhaustiveGroups).contains(exhaustiveLimit) else {
            throw AmalgamError("stage order: exhaustiveLimit must be in 0...\(maxExhaustiveGroups) (got \(exhaustiveLimit))")
        }
        guard maxSwapEvaluations >= 0 else {
            throw AmalgamError("stage order: maxSwapEvaluations must be ≥ 0 (got \(maxSwapEvaluations))")
        }
        try LayerSplit.validate(p.problem(order: Array(0..<p.groups)))
        return p.groups <= exhaustiveLimit ? try exhaustive(p) : try heuristic(p, budget: maxSwapEvaluations)
    }

    static func exhaustive(_ p: Placement) throws -> StageOrderResult {
        // Classes in order of their first member; members ascending.
        var classOrder: [Int] = [], members: [Int: [Int]] = [:]
        for g in 0..<p.groups {
            if members[p.classes[g]] == nil { classOrder.append(p.classes[g]) }
            members[p.classes[g], default: []].append(g)
        }
        let pools = classOrder.map { members[$0] ?? [] }
        let G = p.groups, L = p.layers
        var used = [Int](repeating: 0, count: pools.count)
        var order = [Int](repeating: 0, count: G)
        var best: (order: [Int], split: LayerSplitResult)? = nil
        var evaluated = 0
        // Phase-2 (least sum) rows along the current path, built with the incumbent
        // bottleneck as their limit, so a leaf that ties the incumbent is priced without
        // re-running the layer split. `sumLimit[q]` records the limit row q+1 was built
        // with; a row built under an older (looser) incumbent is rebuilt before use.
        var sumRows = [[Double]](repeating: [Double](repeating: .infinity, count: L + 1), count: G + 1)
        sumRows[0][0] = 0
        var sumLimit = [Double](repeating: .nan, count: G)
        var choices = [[Int]](repeating: [Int](repeating: -1, count: L + 1), count: G)

        func buildSumRows(from q: Int, through last: Int, limit: Double) throws {
            guard q <= last else { return }
            let problem = p.problem(order: order)
            for position in q...last {
                sumRows[position + 1] = try LayerSplit.sumRow(problem, stage: position, previous: sumRows[position],
                                                              limit: limit, choice: &choices[position])
                sumLimit[position] = limit
            }
        }

        func leaf(_ bottleneck: Double) throws {
            let incumbent = best?.split.bottleneckSeconds ?? .infinity
            guard bottleneck < .infinity, bottleneck <= incumbent else { return }
            let stale = (0..<G).first { sumLimit[$0] != bottleneck } ?? G
            try buildSumRows(from: stale, through: G - 1, limit: bottleneck)
            let sum = sumRows[G][L]
            guard sum < .infinity else { throw AmalgamError("stage order: internal error, no split within the bottleneck") }
            guard bottleneck < incumbent || sum < (best?.split.totalSeconds ?? .infinity) else { return }
            var ranges = [Range<Int>](repeating: 0..<0, count: G)
            var j = L
            for q in stride(from: G - 1, through: 0, by: -1) {
                let i = choices[q][j]
                guard i >= 0, i <= j else { throw AmalgamError("stage order: internal error while reading back position \(q)") }
                ranges[q] = i..<j
                j = i
            }
            best = (order, try LayerSplit.result(p.problem(order: order), ranges: ranges))
        }

        func descend(_ position: Int, _ row: [Double]) throws {
            if position == G {
                evaluated += 1
                try leaf(row[L])
                return
            }
            for c in pools.indices where used[c] < pools[c].count {
                order[position] = pools[c][used[c]]
                let incumbent = best?.split.bottleneckSeconds ?? .infinity
                let next = try LayerSplit.bottleneckRow(p.problem(order: order), stage: position, previous: row,
                                                        cap: incumbent)
                used[c] += 1
                defer { used[c] -= 1 }
                // Lower bound on every completion: the prefix must end somewhere (j), and
                // the remaining groups must then cover j..<L.
                var bound = Double.infinity
                if position + 1 == G {
                    bound = next[L]
                } else {
                    let rest = p.restLowerBound.map { restBound in restBound(pools.indices.flatMap { pools[$0][used[$0]...] }) }
                    for j in next.indices where next[j] < .infinity { bound = min(bound, max(next[j], rest?[j] ?? 0)) }
                }
                if bound == .infinity || bound > incumbent { continue }
                // Keep the path's sum rows current while they share the incumbent's limit.
                if incumbent < .infinity, (0..<position).allSatisfy({ sumLimit[$0] == incumbent }) {
                    try buildSumRows(from: position, through: position, limit: incumbent)
                } else {
                    sumLimit[position] = .nan
                }
                try descend(position + 1, next)
            }
        }
        var start = [Double](repeating: .infinity, count: L + 1)
        start[0] = 0
        try descend(0, start)
        guard let best else { throw try infeasible(p, tried: evaluated) }
        return StageOrderResult(order: best.order, split: best.split, provenOptimal: true, ordersEvaluated: evaluated)
    }

    /// Groups by leading layers they can hold at position 0, descending; then faster first.
    static func memoryFirstOrder(_ p: Placement) throws -> [Int] {
        var keys: [(held: Int, seconds: Double, group: Int)] = []
        for g in 0..<p.groups {
            var held = 0
            while held < p.layers, try p.fits(g, 0, 0..<(held + 1)) { held += 1 }
            keys.append((held, p.layers > 0 ? try p.seconds(g, 0, 0..<p.layers) : 0, g))
        }
        keys.sort { a, b in
            a.held != b.held ? a.held > b.held : a.seconds != b.seconds ? a.seconds < b.seconds : a.group < b.group
        }
        return keys.map(\.group)
    }

    static func heuristic(_ p: Placement, budget: Int) throws -> StageOrderResult {
        var order = try memoryFirstOrder(p)
        var evaluated = 0
        /// The order's optimal split when it can beat `incumbent` (lexicographically), else nil.
        /// Phase 1 runs capped at the incumbent's bottleneck: an order that cannot match it
        /// stops as soon as its rows exceed it, and only a match or better pays for phase 2.
        func evaluate(_ order: [Int], against incumbent: LayerSplitResult?) throws -> LayerSplitResult? {
            evaluated += 1
            let problem = p.problem(order: order)
            let bottleneck = try LayerSplit.bottleneck(problem, cap: incumbent?.bottleneckSeconds ?? .infinity)
            guard bottleneck < .infinity else { return nil }
            let split = try LayerSplit.solve(problem, knownBottleneck: bottleneck)
            return better(split, than: incumbent) ? split : nil
        }
        var best = try evaluate(order, against: nil)
        var improved = true
        search: while improved {
            improved = false
            for a in 0..<p.groups {
                for b in (a + 1)..<max(a + 1, p.groups) where p.classes[order[a]] != p.classes[order[b]] {
                    if evaluated > budget { break search }
                    order.swapAt(a, b)
                    if let split = try evaluate(order, against: best) {
                        best = split
                        improved = true
                    } else {
                        order.swapAt(a, b)
                    }
                }
            }
        }
        guard let best else { throw try infeasible(p, tried: evaluated) }
        return StageOrderResult(order: order, split: best, provenOptimal: false, ordersEvaluated: evaluated)
    }

    static func infeasible(_ p: Placement, tried: Int) throws -> AmalgamError {
        let order = try memoryFirstOrder(p)
        let why = try LayerSplit.diagnose(p.problem(order: order))
        return AmalgamError("stage order: no order of the \(p.groups) groups fits memory (\(tried) orders evaluated); with the memory-first order \(order): \(why.message)")
    }
}
