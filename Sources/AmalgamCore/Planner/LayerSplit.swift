/// The outcome of splitting a model's layers into contiguous pipeline stages.
public struct LayerSplitResult: Sendable, Equatable {
    /// Layer range of each stage, in pipeline order; together they tile `0..<layers`.
    /// A range is empty only when empty stages were allowed (the stage is then dropped
    /// from the pipeline and costs nothing).
    public var ranges: [Range<Int>]
    /// Each stage's cost for its range (0 for an empty stage).
    public var stageSeconds: [Double]
    /// The pipeline's bottleneck: the largest stage cost — minimal over all splits.
    public var bottleneckSeconds: Double
    /// Sum of stage costs, added in stage order — minimal among the bottleneck-optimal splits.
    public var totalSeconds: Double
    /// Lowest-index stage whose cost equals the bottleneck; nil when every stage is empty.
    public var bottleneckStage: Int?
    /// Per stage: `.memory` when neither neighbouring layer could be added without
    /// breaking the stage's memory fit (and it has a neighbour), else `.link` when the
    /// model separates a boundary term that is at least the stage's compute time, else
    /// `.compute`.
    public var binding: [PlanBinding]
    /// Each stage's memory use in bytes, when the cost model knows it (else nil).
    public var stageBytes: [Double]?
}

/// Exact non-uniform split of `L` layers over `S` pipeline stages in a fixed order,
/// minimising the bottleneck stage cost, then (among bottleneck-optimal splits) the sum
/// of stage costs.
///
/// Two dynamic programmes over (stage, covered prefix), each O(S·L²) cost evaluations
/// at worst:
/// 1. `B[s+1][j] = min_i max(B[s][i], cost(s, i..<j))` over ranges that fit — the
///    max-composition is monotone, so the optimum over prefixes is optimal for the
///    whole (principle of optimality). Gives the optimal bottleneck `B*`.
/// 2. `Σ[s+1][j] = min_i Σ[s][i] + cost(s, i..<j)` over ranges that fit *and* cost
///    ≤ `B*`. Lexicographic (max, sum) has no optimal substructure of its own, which
///    is why the bottleneck is fixed first. Floating-point addition is monotone, so the
///    minimum over rounded prefix sums is the minimum over rounded totals.
///
/// Ties in both objectives go to the split whose last boundary is latest (recursively),
/// i.e. earlier stages take layers first.
///
/// Pruning relies on `fits` being monotone: if a range fits, every sub-range fits (true
/// of any memory model where layers only add bytes). For a fixed end `j` the search
/// walks `i` down and stops at the first range that does not fit; when costs are known
/// to grow with the range (the additive ``StageCostTable``) it also stops once the cost
/// alone cannot improve the candidate.
public enum LayerSplit {
    /// Splits `layers` layers over `stages` stages for any cost model.
    /// - Parameters:
    ///   - seconds: cost of stage `s` (pipeline position) running `range`; called only
    ///     for non-empty ranges; must be finite and ≥ 0.
    ///   - fits: whether stage `s` can hold `range` in memory (position-dependent: under
    ///     1F1B stage `s` of `p` keeps `p − s` micro-batches of activations in flight —
    ///     the caller encodes it). Must be monotone (sub-ranges of a fitting range fit).
    /// - Throws: ``AmalgamError`` for bad sizes, bad costs, or when no split fits memory
    ///   (naming the stage that cannot hold even its smallest possible range).
    public static func split(
        layers: Int, stages: Int, allowEmptyStages: Bool = false,
        seconds: (_ stage: Int, _ layers: Range<Int>) throws -> Double,
        fits: (_ stage: Int, _ layers: Range<Int>) throws -> Bool = { _, _ in true }
    ) throws -> LayerSplitResult {
        try withoutActuallyEscaping(seconds) { seconds in
            try withoutActuallyEscaping(fits) { fits in
                try solve(Problem(layers: layers, stages: stages, allowEmpty: allowEmptyStages,
                                  monotoneSeconds: false, seconds: seconds, fits: fits))
            }
        }
    }

    /// One split problem with everything the engine may use; the optional parts let
    /// richer models (``StageCostTable``) report link binding and memory in bytes.
    struct Problem {
        var layers: Int
        var stages: Int
        var allowEmpty: Bool
        /// Costs grow (weakly) as a range grows: enables cost-based pruning.
        var monotoneSeconds: Bool
        var seconds: (Int, Range<Int>) throws -> Double
        var fits: (Int, Range<Int>) throws -> Bool
        var linkDominates: ((Int, Range<Int>) -> Bool)? = nil
        /// (bytes needed, bytes available) of a stage holding a range.
        var memory: ((Int, Range<Int>) -> (need: Double, capacity: Double))? = nil
        /// The additive form of stage `s`, when the model is one of the tables: the
        /// rows then run on prefix sums directly. Must agree exactly with `seconds`/`fits`.
        var additive: ((Int) -> AdditiveStage)? = nil
        /// The replica-stage form of stage `s` (the planner's model), likewise exact.
        var replicas: ((Int) -> ReplicaStage)? = nil

        func cost(_ s: Int, _ r: Range<Int>) throws -> Double {
            if r.isEmpty { return 0 }
            let c = try seconds(s, r)
            guard c.isFinite, c >= 0 else {
                throw AmalgamError("stage \(s): cost of layers \(r.lowerBound)..<\(r.upperBound) must be a finite number ≥ 0 seconds (got \(c))")
            }
            return c
        }

        /// Prefix ends reachable after stage `s` (with every later stage non-empty).
        func ends(afterStage s: Int) -> ClosedRange<Int>? {
            let lo = allowEmpty ? 0 : s + 1
            let hi = allowEmpty ? layers : layers - (stages - s - 1)
            return lo <= hi ? lo...hi : nil
        }
    }

    static func validate(_ p: Problem) throws {
        guard p.stages >= 1 else { throw AmalgamError("layer split: stages must be ≥ 1 (got \(p.stages))") }
        guard p.layers >= 0 else { throw AmalgamError("layer split: layers must be ≥ 0 (got \(p.layers))") }
        guard p.allowEmpty || p.layers >= p.stages else {
            throw AmalgamError("layer split: \(p.layers) layers cannot give each of \(p.stages) stages at least one layer; use at most \(p.layers) stages or allow empty stages")
        }
    }

    /// Phase 1 row for stage `s`: best bottleneck covering each prefix.
    /// Entries above `cap` are useless to a caller that already has a plan that good
    /// (stage ordering's incumbent) and come back as +∞, which lets monotone costs stop early.
    static func bottleneckRow(_ p: Problem, stage s: Int, previous prev: [Double],
                              cap: Double = .infinity) throws -> [Double] {
        if let additive = p.additive { return try bottleneckRow(p, additive(s), stage: s, previous: prev, cap: cap) }
        if let replicas = p.replicas { return try bottleneckRow(p, replicas(s), stage: s, previous: prev, cap: cap) }
        return try bottleneckRow(p, ClosureStage(problem: p, stage: s), stage: s, previous: prev, cap: cap)
    }

    static func bottleneckRow<E: StageEvaluator>(_ p: Problem, _ e: E, stage s: Int, previous prev: [Double],
                                                 cap: Double) throws -> [Double] {
        var next = [Double](repeating: .infinity, count: p.layers + 1)
        guard let ends = p.ends(afterStage: s) else { return next }
        let iLo = p.allowEmpty ? 0 : s
        for j in ends {
            var best = p.allowEmpty ? prev[j] : .infinity
            var i = j - 1
            while i >= iLo {
                if try !e.fits(i, j) { break }
                if prev[i] < best {
                    let c = try e.cost(i, j)
                    if p.monotoneSeconds && c > cap { break }
                    best = min(best, max(prev[i], c))
                    if p.monotoneSeconds && c >= best { break }
                }
                i -= 1
            }
            next[j] = best <= cap ? best : .infinity
        }
        return next
    }

    /// Phase 2 row for stage `s`: least cost sum covering each prefix with every stage
    /// ≤ `limit`; `choice[j]` is where the stage's range starts.
    static func sumRow(_ p: Problem, stage s: Int, previous prev: [Double], limit: Double,
                       choice: inout [Int]) throws -> [Double] {
        if let additive = p.additive {
            return try sumRow(p, additive(s), stage: s, previous: prev, limit: limit, choice: &choice)
        }
        if let replicas = p.replicas {
            return try sumRow(p, replicas(s), stage: s, previous: prev, limit: limit, choice: &choice)
        }
        return try sumRow(p, ClosureStage(problem: p, stage: s), stage: s, previous: prev, limit: limit, choice: &choice)
    }

    static func sumRow<E: StageEvaluator>(_ p: Problem, _ e: E, stage s: Int, previous prev: [Double], limit: Double,
                                          choice: inout [Int]) throws -> [Double] {
        var next = [Double](repeating: .infinity, count: p.layers + 1)
        guard let ends = p.ends(afterStage: s) else { return next }
        let iLo = p.allowEmpty ? 0 : s
        for j in ends {
            var best = Double.infinity, arg = -1
            if p.allowEmpty && prev[j] < best { best = prev[j]; arg = j }
            var i = j - 1
            while i >= iLo {
                if try !e.fits(i, j) { break }
                if prev[i] < .infinity {
                    let c = try e.cost(i, j)
                    if c <= limit {
                        let total = prev[i] + c
                        if total < best { best = total; arg = i }
                    } else if p.monotoneSeconds { break }
                }
                i -= 1
            }
            next[j] = best
            choice[j] = arg
        }
        return next
    }

    /// Optimal bottleneck only (phase 1), +∞ when nothing fits — or when the optimum
    /// exceeds `cap` (a caller with a plan that good needs no more). Used by stage ordering.
    static func bottleneck(_ p: Problem, cap: Double = .infinity) throws -> Double {
        var row = [Double](repeating: .infinity, count: p.layers + 1)
        row[0] = 0
        for s in 0..<p.stages {
            row = try bottleneckRow(p, stage: s, previous: row, cap: cap)
            if !row.contains(where: { $0 < .infinity }) { return .infinity }
        }
        return row[p.layers]
    }

    /// The optimal split; `knownBottleneck` is phase 1's result when the caller already ran it.
    static func solve(_ p: Problem, knownBottleneck: Double? = nil) throws -> LayerSplitResult {
        try validate(p)
        let limit = try knownBottleneck ?? bottleneck(p)
        guard limit < .infinity else { throw try diagnose(p) }
        var row = [Double](repeating: .infinity, count: p.layers + 1)
        row[0] = 0
        var choices = [[Int]](repeating: [Int](repeating: -1, count: p.layers + 1), count: p.stages)
        for s in 0..<p.stages { row = try sumRow(p, stage: s, previous: row, limit: limit, choice: &choices[s]) }
        guard row[p.layers] < .infinity else { throw AmalgamError("layer split: internal error, no split within the optimal bottleneck") }
        var ranges = [Range<Int>](repeating: 0..<0, count: p.stages)
        var j = p.layers
        for s in stride(from: p.stages - 1, through: 0, by: -1) {
            let i = choices[s][j]
            guard i >= 0, i <= j else { throw AmalgamError("layer split: internal error while reading back stage \(s)") }
            ranges[s] = i..<j
            j = i
        }
        return try result(p, ranges: ranges)
    }

    /// Costs, bottleneck, sum and binding of a given split.
    static func result(_ p: Problem, ranges: [Range<Int>]) throws -> LayerSplitResult {
        var costs = [Double](repeating: 0, count: ranges.count)
        var total = 0.0, worst = 0.0, worstStage: Int? = nil
        var binding = [PlanBinding](repeating: .compute, count: ranges.count)
        for (s, r) in ranges.enumerated() {
            costs[s] = try p.cost(s, r)
            total += costs[s]
            if !r.isEmpty && (worstStage == nil || costs[s] > worst) { worst = costs[s]; worstStage = s }
            var extensions: [Range<Int>] = []
            if r.lowerBound > 0 { extensions.append((r.lowerBound - 1)..<r.upperBound) }
            if r.upperBound < p.layers { extensions.append(r.lowerBound..<(r.upperBound + 1)) }
            var memoryBound = !extensions.isEmpty
            for e in extensions where try p.fits(s, e) { memoryBound = false }
            if memoryBound {
                binding[s] = .memory
            } else if !r.isEmpty, let link = p.linkDominates, link(s, r) {
                binding[s] = .link
            }
        }
        let bytes = p.memory.map { memory in ranges.enumerated().map { memory($0.offset, $0.element).need } }
        return LayerSplitResult(ranges: ranges, stageSeconds: costs, bottleneckSeconds: worst,
                                totalSeconds: total, bottleneckStage: worstStage,
                                binding: binding, stageBytes: bytes)
    }

    /// Explains why no split fits memory, in the user's terms.
    static func diagnose(_ p: Problem) throws -> AmalgamError {
        func note(_ s: Int, _ r: Range<Int>) -> String {
            guard let m = p.memory?(s, r) else { return "" }
            return " (layers \(r.lowerBound)..<\(r.upperBound) need \(PlannerFormat.gb(m.need)) on stage \(s), which has \(PlannerFormat.gb(m.capacity)): over by \(PlannerFormat.gb(m.need - m.capacity)))"
        }
        let L = p.layers, S = p.stages
        if !p.allowEmpty {
            for s in 0..<S {
                let window = s...(L - S + s)
                var anyFits = false
                for l in window where try p.fits(s, l..<(l + 1)) { anyFits = true; break }
                if !anyFits {
                    var smallest = window.lowerBound
                    if let memory = p.memory {
                        for l in window where memory(s, l..<(l + 1)).need < memory(s, smallest..<(smallest + 1)).need { smallest = l }
                    }
                    return AmalgamError("layer split: stage \(s) cannot hold even one layer — none of layers \(window.lowerBound)...\(window.upperBound), the ones it could take in a \(S)-stage pipeline, fits its memory\(note(s, smallest..<(smallest + 1)))")
                }
            }
        }
        var start = 0, lastStart = 0
        for s in 0..<S {
            let maxEnd = p.allowEmpty ? L : L - (S - s - 1)
            var end = start
            while end < maxEnd, try p.fits(s, start..<(end + 1)) { end += 1 }
            if !p.allowEmpty && end == start {
                return AmalgamError("layer split: stage \(s) cannot hold layer \(start), which it must take when stages 0..<\(s) each take as many layers as their memory allows\(note(s, start..<(start + 1)))")
            }
            lastStart = start
            start = end
        }
        if start < L {
            return AmalgamError("layer split: the \(S) stages' memory holds only layers 0..<\(start) of \(L) even when each stage takes as many layers as fit, in pipeline order; layers \(start)..<\(L) do not fit\(note(S - 1, lastStart..<L)). Add stages or memory, or reduce per-layer memory (recomputation, smaller micro-batches)")
        }
        return AmalgamError("layer split: no split of \(L) layers into \(S) stages fits memory (the fits check is not monotone in the range)")
    }
}
