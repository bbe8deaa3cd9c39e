import Dispatch

/// What one executor run found.
public struct ExecutionReport: Sendable {
    /// Every checked element matched the serial reference within its bound.
    public let ok: Bool
    /// Largest |result - reference| over all checked elements (NaN if any element was NaN).
    public let maxAbsError: Double
    /// Largest ratio error/bound among reduced elements (0 when exact; > 1 means failure).
    public let worstErrorToBound: Double
    /// Wall-clock seconds moving and reducing data (buffers and plan prepared beforehand).
    public let seconds: Double
    /// Wall-clock seconds deriving the step plan from the dependencies.
    public let planSeconds: Double
    /// Steps (barrier-separated rounds) executed.
    public let steps: Int
    /// The first element outside its bound, described, if any.
    public let firstMismatch: String?
}

/// Runs a `Schedule` on real buffers and checks it against a serial reference.
///
/// Each rank's buffer lives in one allocation. Steps come from the schedule's
/// dependencies (`ExecutionPlan`), and within a step one task per receiving rank
/// applies that rank's incoming transfers, all ranks in parallel
/// (`DispatchQueue.concurrentPerform`), with a barrier between steps. A missing
/// dependency therefore shows up as a wrong result, not as a silently serial replay.
public enum ScheduleExecutor {
    /// Largest total buffer the executor allocates, bytes (assumption: a laptop-sized 16 GiB).
    public static let maxBytes = 16 << 30

    /// Runs `schedule` on `type` buffers filled from `seed` and `pattern`, checks the
    /// collective's result, and reports. With `repeats > 1` the schedule runs that
    /// many times, each on a fresh copy of the inputs, and `seconds` is the fastest
    /// (for benchmarks on a busy machine); the last run is checked.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func run<T: ExecutorElement>(_ schedule: Schedule, as type: T.Type, seed: UInt64 = 1,
                                               pattern: InputPattern = .uniform, repeats: Int = 1) throws -> ExecutionReport {
        let p = schedule.rankCount, len = schedule.bufferElements
        let (total, overflow) = p.multipliedReportingOverflow(by: len)
        guard !overflow, total <= maxBytes / MemoryLayout<T>.stride else {
            throw AmalgamError("executor buffers of \(p) ranks x \(len) \(T.typeName) elements exceed the \(maxBytes >> 30) GiB limit")
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        let plan = ExecutionPlan(schedule)
        let planSeconds = seconds(clock.now - t0)

        let buffer = UnsafeMutablePointer<T>.allocate(capacity: max(1, total))
        defer { buffer.deallocate() }
        let staging = UnsafeMutablePointer<T>.allocate(capacity: max(1, plan.stagingElements))
        defer { staging.deallocate() }
        fill(buffer, schedule, seed: seed, pattern: pattern)
        var pristine: UnsafeMutablePointer<T>?
        if repeats > 1 {
            pristine = UnsafeMutablePointer<T>.allocate(capacity: max(1, total))
            T.copy(pristine!, buffer, total)
        }
        defer { pristine?.deallocate() }
        var runSeconds = Double.infinity
        for i in 0..<max(1, repeats) {
            if i > 0, let inputs = pristine { T.copy(buffer, inputs, total) }
            let t1 = clock.now
            execute(schedule, plan, buffer, staging)
            runSeconds = min(runSeconds, seconds(clock.now - t1))
        }

        var report = check(buffer, schedule, seed: seed, pattern: pattern, unitRoundoff: T.unitRoundoff)
        report = ExecutionReport(ok: report.ok, maxAbsError: report.maxAbsError, worstErrorToBound: report.worstErrorToBound,
                                 seconds: runSeconds, planSeconds: planSeconds, steps: plan.stepCount,
                                 firstMismatch: report.firstMismatch)
        return report
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Initial buffers: inputs where the collective reads them, NaN where it must write.
    static func fill<T: ExecutorElement>(_ buf: UnsafeMutablePointer<T>, _ s: Schedule, seed: UInt64, pattern: InputPattern) {
        let p = s.rankCount, len = s.bufferElements, n = s.elementCount
        let shards = Chunking.even(0, n, p)
        let out = SharedBuffer(base: buf)
        DispatchQueue.concurrentPerform(iterations: p) { r in
            let base = out.base + r * len
            let nan = T(fromDouble: .nan)
            for e in 0..<len {
                let valid: Bool
                switch s.collective {
                case .allGather: valid = e >= shards[r] && e < shards[r + 1]
                case .broadcast: valid = r == s.root
                case .allToAll: valid = e < p * n
                default: valid = true
                }
                base[e] = valid ? T(fromDouble: inputValue(seed: seed, rank: r, index: e, pattern: pattern)) : nan
            }
        }
    }

    /// Applies every step: stage clashing source ranges, barrier, then each
    /// receiving rank applies its transfers in index order, barrier.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func execute<T: ExecutorElement>(_ s: Schedule, _ plan: ExecutionPlan, _ buf: UnsafeMutablePointer<T>,
                                            _ staging: UnsafeMutablePointer<T>) {
        let ctx = StepRunner(s: s, plan: plan, buf: buf, staging: staging)
        for l in 0..<plan.stepCount {
            let g0 = plan.stepGroups[l], groups = plan.stepGroups[l + 1] - g0
            if plan.stepStages[l] {
                DispatchQueue.concurrentPerform(iterations: groups) { ctx.stage(group: g0 + $0) }
            }
            DispatchQueue.concurrentPerform(iterations: groups) { ctx.apply(group: g0 + $0) }
        }
    }
}

/// The shared state of one run: the plan's per-transfer arrays copied to raw
/// memory so the inner loop is pointer arithmetic only. Tasks of one step write
/// disjoint receiver ranges and read only ranges no task of the step writes (the
/// plan stages the others), which is why sharing the raw pointers is sound.
final class StepRunner<T: ExecutorElement>: @unchecked Sendable {
    let buf: UnsafeMutablePointer<T>
    let staging: UnsafeMutablePointer<T>
    let groupStart: UnsafeMutablePointer<Int>
    let readAt: UnsafeMutablePointer<Int>, writeAt: UnsafeMutablePointer<Int>
    let length: UnsafeMutablePointer<Int>, stage: UnsafeMutablePointer<Int>
    let sums: UnsafeMutablePointer<Bool>

    init(s: Schedule, plan: ExecutionPlan, buf: UnsafeMutablePointer<T>, staging: UnsafeMutablePointer<T>) {
        func copy<E>(_ a: [E]) -> UnsafeMutablePointer<E> {
            let p = UnsafeMutablePointer<E>.allocate(capacity: max(1, a.count))
            a.withUnsafeBufferPointer { if let b = $0.baseAddress { p.initialize(from: b, count: a.count) } }
            return p
        }
        self.buf = buf; self.staging = staging
        groupStart = copy(plan.groupStart); readAt = copy(plan.readAt); writeAt = copy(plan.writeAt)
        length = copy(plan.length); stage = copy(plan.stage); sums = copy(plan.sums)
    }

    deinit {
        groupStart.deallocate(); readAt.deallocate(); writeAt.deallocate()
        length.deallocate(); stage.deallocate(); sums.deallocate()
    }

    func stage(group g: Int) {
        for k in groupStart[g]..<groupStart[g + 1] where stage[k] >= 0 {
            T.copy(staging + stage[k], buf + readAt[k], length[k])
        }
    }

    func apply(group g: Int) {
        for k in groupStart[g]..<groupStart[g + 1] {
            let from = UnsafePointer(stage[k] >= 0 ? staging + stage[k] : buf + readAt[k])
            if sums[k] { T.accumulate(buf + writeAt[k], from, length[k]) } else { T.copy(buf + writeAt[k], from, length[k]) }
        }
    }
}

/// A raw buffer shared by tasks that write disjoint parts of it.
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}
