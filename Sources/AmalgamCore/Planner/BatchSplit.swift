import Collections

/// The common time model of one data-parallel replica: `m` micro-batches take
/// `m · perMicrobatchSeconds + fixedSeconds`, and the replica's memory holds at most
/// `maxMicrobatches` of them (its share of the global batch in flight at once).
///
/// A replica given no micro-batches takes no time: it sits the step out, so its fixed
/// cost (e.g. its gradient all-reduce share) is not counted.
public struct ReplicaTime: Sendable, Equatable, Hashable, Codable {
    /// Compute time of one micro-batch on this replica (> 0).
    public var perMicrobatchSeconds: Double
    /// Time paid once per step when the replica takes any work (≥ 0).
    public var fixedSeconds: Double
    /// Most micro-batches the replica's memory can take (≥ 0; 0 = none).
    public var maxMicrobatches: Int

    /// Figures are checked when a split uses them, so a bad one is reported with the
    /// replica's index.
    public init(perMicrobatchSeconds: Double, fixedSeconds: Double = 0, maxMicrobatches: Int) {
        self.perMicrobatchSeconds = perMicrobatchSeconds
        self.fixedSeconds = fixedSeconds
        self.maxMicrobatches = maxMicrobatches
    }

    /// Time for `microbatches` micro-batches; 0 for none. Evaluated the same way by
    /// both split algorithms so they agree to the last bit.
    @inlinable public func seconds(microbatches m: Int) -> Double {
        m == 0 ? 0 : Double(m) * perMicrobatchSeconds + fixedSeconds
    }
}

/// The outcome of splitting a global batch across replicas.
public struct BatchSplitResult: Sendable, Equatable {
    /// Micro-batches given to each replica, in replica order; they sum to the total.
    public var microbatches: [Int]
    /// Each replica's time for its share (0 for a replica given none).
    public var replicaSeconds: [Double]
    /// The step's critical path: the largest of `replicaSeconds` (0 when the total is 0).
    public var bottleneckSeconds: Double
    /// Lowest-index replica whose time equals the bottleneck; nil when the total is 0.
    public var bottleneckReplica: Int?
    /// Per replica: `.memory` when it sits exactly at its `maxMicrobatches` (including
    /// a replica whose limit is 0), `.compute` otherwise.
    public var binding: [PlanBinding]
}

/// Exact uneven split of `M` micro-batches over data-parallel replicas of different
/// speeds, minimising the slowest replica's time (the step's critical path).
///
/// **Why the greedy is optimal.** The heap path hands out micro-batches one at a time,
/// each to the replica whose time *after* taking it is smallest (ties: lower index).
/// Let `T*` be the optimal makespan and suppose greedy's k-th micro-batch made some
/// replica's time `v > T*`. Greedy picks the minimum, so every replica `r` still
/// below its cap had `t_r(m_r + 1) ≥ v > T*`. Because every `t_r` is nondecreasing,
/// any split with makespan ≤ `T*` gives each replica at most `m_r` (more would cost
/// ≥ `t_r(m_r+1)`; capped replicas cannot take more anyway), i.e. at most `k − 1 < M`
/// in total — so no split with makespan `T*` exists, a contradiction. Hence greedy
/// never exceeds `T*`.
///
/// **Which optimal split.** Each replica's successive times form a sorted sequence and
/// the heap holds exactly one entry per replica, so greedy takes the `M` smallest
/// `(time, replica index)` pairs of the merged sequences. The linear fast path
/// computes the same set directly: it finds `T*` as the smallest `Double` whose
/// capacity count `Σ_r #{m ≤ cap_r : t_r(m) ≤ T}` reaches `M` (binary search on the
/// bit pattern, ≤ 64 probes, exact), gives every replica all its slots with time
/// `< T*`, then hands out slots with time `== T*` in replica-index order. Both paths
/// therefore return the identical assignment.
public enum BatchSplit {
    /// Largest total accepted: every count stays exact in a `Double` and no sum can
    /// overflow `Int`.
    public static let maxTotalMicrobatches = 1 << 52

    /// Fast exact split for the linear time model: O(R · 64 · log) independent of `M`.
    /// Throws ``AmalgamError`` on a negative total, bad replica figures, or when the
    /// replicas' memory cannot hold `total` micro-batches.
    public static func split(microbatches total: Int, replicas: [ReplicaTime]) throws -> BatchSplitResult {
        let caps = try validate(total: total, replicas: replicas)
        let limits = replicas.map(\.maxMicrobatches)
        let n = replicas.count
        guard total > 0 else { return finish(Array(repeating: 0, count: n), caps: limits) { r, m in replicas[r].seconds(microbatches: m) } }

        // Highest time any replica needs for its largest useful share bounds T*.
        var hiTime = 0.0
        for r in 0..<n where caps[r] > 0 {
            let t = replicas[r].seconds(microbatches: caps[r])
            guard t.isFinite else {
                throw AmalgamError("replica \(r): time for \(caps[r]) micro-batches overflows (perMicrobatchSeconds \(replicas[r].perMicrobatchSeconds), fixedSeconds \(replicas[r].fixedSeconds))")
            }
            hiTime = max(hiTime, t)
        }
        func covered(_ t: Double) -> Int {
            var sum = 0
            for r in 0..<n {
                sum += slots(replicas[r], cap: caps[r], within: t)
                if sum >= total { return sum }
            }
            return sum
        }
        // Non-negative Doubles are ordered like their bit patterns; count(0) = 0 < total
        // because every per-micro-batch time is > 0.
        var lo = UInt64(0), hi = hiTime.bitPattern       // count(lo) < total ≤ count(hi)
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if covered(Double(bitPattern: mid)) >= total { hi = mid } else { lo = mid }
        }
        let best = Double(bitPattern: hi), below = Double(bitPattern: hi - 1)
        var m = [Int](repeating: 0, count: n)
        var remaining = total
        for r in 0..<n {
            m[r] = slots(replicas[r], cap: caps[r], within: below)
            remaining -= m[r]
        }
        for r in 0..<n where remaining > 0 {
            let extra = min(remaining, slots(replicas[r], cap: caps[r], within: best) - m[r])
            m[r] += extra
            remaining -= extra
        }
        return finish(m, caps: limits) { r, k in replicas[r].seconds(microbatches: k) }
    }

    /// The heap (water-filling) algorithm on the linear model; O(M log R). Returns the
    /// same assignment as ``split(microbatches:replicas:)``, which should be preferred.
    public static func splitGreedy(microbatches total: Int, replicas: [ReplicaTime]) throws -> BatchSplitResult {
        let caps = replicas.map(\.maxMicrobatches)
        _ = try validate(total: total, replicas: replicas)
        return try split(microbatches: total, maxMicrobatches: caps) { r, m in replicas[r].seconds(microbatches: m) }
    }

    /// Exact split for any time model: `seconds(r, m)` is replica `r`'s time for `m ≥ 1`
    /// micro-batches (called only for `1...maxMicrobatches[r]`); it must be finite,
    /// ≥ 0 and nondecreasing in `m`, which is checked as values are drawn. A replica
    /// given none costs 0. O(M log R) time.
    public static func split(
        microbatches total: Int, maxMicrobatches caps: [Int],
        seconds: (_ replica: Int, _ microbatches: Int) throws -> Double
    ) throws -> BatchSplitResult {
        try validateCaps(total: total, caps: caps)
        let n = caps.count
        var m = [Int](repeating: 0, count: n)
        var current = [Double](repeating: 0, count: n)
        func time(_ r: Int, _ k: Int) throws -> Double {
            let t = try seconds(r, k)
            guard t.isFinite, t >= 0 else {
                throw AmalgamError("replica \(r): time for \(k) micro-batches must be a finite number ≥ 0 (got \(t))")
            }
            return t
        }
        var heap = Heap<Slot>()
        for r in 0..<n where caps[r] > 0 && total > 0 { heap.insert(Slot(seconds: try time(r, 1), replica: r)) }
        for _ in 0..<total {
            guard let s = heap.popMin() else { throw AmalgamError("batch split: internal error, ran out of replica capacity") }
            let r = s.replica
            m[r] += 1
            current[r] = s.seconds
            if m[r] < caps[r] {
                let next = try time(r, m[r] + 1)
                guard next >= s.seconds else {
                    throw AmalgamError("replica \(r): time must not decrease with more micro-batches (\(m[r]) take \(s.seconds) s, \(m[r] + 1) take \(next) s)")
                }
                heap.insert(Slot(seconds: next, replica: r))
            }
        }
        return finish(m, caps: caps) { r, _ in current[r] }
    }

    // MARK: - Internals

    /// One replica's next micro-batch: ordered by resulting time, then replica index.
    struct Slot: Comparable {
        var seconds: Double
        var replica: Int
        static func < (a: Slot, b: Slot) -> Bool {
            a.seconds < b.seconds || (a.seconds == b.seconds && a.replica < b.replica)
        }
    }

    /// Validates the linear model; returns each replica's useful cap, min(cap, total).
    static func validate(total: Int, replicas: [ReplicaTime]) throws -> [Int] {
        for (r, x) in replicas.enumerated() {
            guard x.perMicrobatchSeconds.isFinite, x.perMicrobatchSeconds > 0 else {
                throw AmalgamError("replica \(r): perMicrobatchSeconds must be a finite number > 0 (got \(x.perMicrobatchSeconds))")
            }
            guard x.fixedSeconds.isFinite, x.fixedSeconds >= 0 else {
                throw AmalgamError("replica \(r): fixedSeconds must be a finite number ≥ 0 (got \(x.fixedSeconds))")
            }
        }
        let caps = replicas.map(\.maxMicrobatches)
        try validateCaps(total: total, caps: caps)
        return caps.map { min($0, total) }
    }

    static func validateCaps(total: Int, caps: [Int]) throws {
        guard total >= 0, total <= maxTotalMicrobatches else {
            throw AmalgamError("batch split: microbatches must be in 0...\(maxTotalMicrobatches) (got \(total))")
        }
        for (r, c) in caps.enumerated() where c < 0 {
            throw AmalgamError("replica \(r): maxMicrobatches must be ≥ 0 (got \(c))")
        }
        var capacity = 0
        for c in caps {
            capacity += min(c, total)          // stops at < 2·2^52: cannot overflow
            if capacity >= total { break }
        }
        guard capacity >= total else {
            let full = caps.reduce(0) { $0 &+ min($1, total) }
            throw AmalgamError("batch split: replicas' memory holds \(full) micro-batches in total (sum of maxMicrobatches over \(caps.count) replicas) but the batch needs \(total); add replicas or memory, or shrink the batch")
        }
    }

    /// Largest `m ≤ cap` with `replica.seconds(m) ≤ t`: starts from the closed-form
    /// estimate, then gallops and bisects on the exact floating-point times (so the
    /// count agrees with `seconds(microbatches:)` even where the estimate rounds off).
    static func slots(_ x: ReplicaTime, cap: Int, within t: Double) -> Int {
        guard cap > 0, x.seconds(microbatches: 1) <= t else { return 0 }
        let q = (t - x.fixedSeconds) / x.perMicrobatchSeconds
        let estimate = q < Double(cap) ? max(1, Int(q)) : cap
        var lo: Int, hi: Int                           // seconds(lo) ≤ t < seconds(hi); hi = cap+1 is "none"
        if x.seconds(microbatches: estimate) <= t {
            lo = estimate; hi = cap + 1
            var step = 1
            while lo + step <= cap {
                if x.seconds(microbatches: lo + step) <= t { lo += step; step *= 2 } else { hi = lo + step; break }
            }
        } else {
            hi = estimate; lo = 1
            var step = 1
            while hi - step > 1 {
                if x.seconds(microbatches: hi - step) > t { hi -= step; step *= 2 } else { lo = hi - step; break }
            }
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if x.seconds(microbatches: mid) <= t { lo = mid } else { hi = mid }
        }
        return lo
    }

    static func finish(_ m: [Int], caps: [Int], seconds: (Int, Int) -> Double) -> BatchSplitResult {
        var times = [Double](repeating: 0, count: m.count)
        var worst = 0.0, worstReplica: Int? = nil
        for r in m.indices where m[r] > 0 {
            times[r] = seconds(r, m[r])
            if worstReplica == nil || times[r] > worst { worst = times[r]; worstReplica = r }
        }
        let binding = m.indices.map { m[$0] == caps[$0] ? PlanBinding.memory : .compute }
        return BatchSplitResult(microbatches: m, replicaSeconds: times, bottleneckSeconds: worst,
                                bottleneckReplica: worstReplica, binding: binding)
    }
}
