/// A collective algorithm written out once: which rank sends which element range
/// to which rank, whether the receiver sums or copies it, and which earlier
/// transfers each one waits for.
///
/// This is the single description both interpreters read: `ScheduleExecutor`
/// runs it on real buffers, the network model times its `transferGraph`. Nothing
/// else knows the algorithm, so the two cannot disagree.
///
/// Storage is flat (structure of arrays, dependencies in CSR form, element ranges
/// interned as segments) because a 1,024-rank ring all-reduce has ~2.1 million
/// transfers: about 29 bytes each plus 4 per dependency.
///
/// Semantics (what the executor implements and the dependencies promise):
/// a transfer starts once every transfer it depends on has landed; it carries the
/// sender's range as it stood when its step began (step = its depth in the
/// dependency graph), and the receiver merges it (sum or overwrite) when it lands.
/// Transfers of one step into one rank are applied in index order.
public struct Schedule: Sendable {
    /// The collective this schedule implements.
    public let collective: CollectiveKind
    /// Registry name of the algorithm that produced it (e.g. `"ring"`).
    public let algorithm: String
    /// Number of ranks.
    public let rankCount: Int
    /// The collective's element count (see `CollectiveKind` for its meaning).
    public let elementCount: Int
    /// Elements in each rank's buffer.
    public let bufferElements: Int
    /// Root rank of broadcast/reduce (0 otherwise).
    public let root: Int

    /// First element of each segment (element ranges transfers refer to).
    public internal(set) var segmentStart: [Int] = []
    /// Length in elements of each segment.
    public internal(set) var segmentLength: [Int] = []
    /// Sending rank of each transfer.
    public internal(set) var src: [Int32] = []
    /// Receiving rank of each transfer.
    public internal(set) var dst: [Int32] = []
    /// Segment read from the sender's buffer.
    public internal(set) var srcSegment: [Int32] = []
    /// Segment of the receiver's buffer merged into (same length as `srcSegment`'s).
    public internal(set) var dstSegment: [Int32] = []
    /// How the receiver merges each transfer.
    public internal(set) var op: [TransferOp] = []
    /// `deps[depStart[i]..<depStart[i+1]]` are the transfers `i` waits for; always `< i`.
    public internal(set) var depStart: [Int] = [0]
    /// Dependency targets (transfer indices).
    public internal(set) var deps: [Int32] = []

    init(collective: CollectiveKind, algorithm: String, rankCount: Int, elementCount: Int, root: Int) {
        self.collective = collective
        self.algorithm = algorithm
        self.rankCount = rankCount
        self.elementCount = elementCount
        self.bufferElements = collective == .allToAll ? 2 * rankCount * elementCount : elementCount
        self.root = root
    }

    /// Number of transfers.
    public var count: Int { src.count }

    /// Elements moved by transfer `i`.
    @inlinable public func length(of i: Int) -> Int { segmentLength[Int(srcSegment[i])] }

    /// The transfers `i` waits for.
    public func dependencies(of i: Int) -> ArraySlice<Int32> { deps[depStart[i]..<depStart[i + 1]] }

    /// The step of every transfer: 0 if it has no dependencies, else one more than
    /// the latest step it depends on. Steps are what a bulk-synchronous run executes
    /// together, and what the executor runs between barriers.
    public func steps() -> [Int32] {
        var level = [Int32](repeating: 0, count: count)
        level.withUnsafeMutableBufferPointer { lv in
            for i in 0..<lv.count {
                var l: Int32 = 0
                for k in depStart[i]..<depStart[i + 1] { l = max(l, lv[Int(deps[k])] + 1) }
                lv[i] = l
            }
        }
        return level
    }

    /// Number of steps (the length of the longest dependency chain); 0 without transfers.
    public var stepCount: Int { count == 0 ? 0 : Int(steps().max()! + 1) }

    /// Elements each rank sends to other ranks (self-copies excluded).
    public func elementsSent() -> [Int] {
        var sent = [Int](repeating: 0, count: rankCount)
        for i in 0..<count where src[i] != dst[i] { sent[Int(src[i])] += length(of: i) }
        return sent
    }

    /// Elements each rank receives from other ranks (self-copies excluded).
    public func elementsReceived() -> [Int] {
        var got = [Int](repeating: 0, count: rankCount)
        for i in 0..<count where src[i] != dst[i] { got[Int(dst[i])] += length(of: i) }
        return got
    }
}

/// One transfer of a hand-written schedule (see `Schedule.init(collective:...transfers:)`).
public struct TransferSpec: Sendable, Equatable {
    /// Sending rank.
    public var src: Int
    /// Receiving rank.
    public var dst: Int
    /// First element read from the sender's buffer.
    public var srcStart: Int
    /// First element merged into the receiver's buffer.
    public var dstStart: Int
    /// Elements moved.
    public var length: Int
    /// Whether the receiver sums or overwrites.
    public var op: TransferOp
    /// Indices of earlier transfers this one waits for.
    public var after: [Int]

    /// A transfer; `dstStart` defaults to `srcStart` (the same range on both ranks).
    public init(src: Int, dst: Int, srcStart: Int, dstStart: Int? = nil, length: Int, op: TransferOp, after: [Int] = []) {
        self.src = src; self.dst = dst; self.srcStart = srcStart; self.dstStart = dstStart ?? srcStart
        self.length = length; self.op = op; self.after = after
    }
}

extension Schedule {
    /// A schedule written by hand (for experiments and tests), validated: ranks in
    /// range, ranges inside the buffer, dependencies pointing to earlier transfers.
    public init(collective: CollectiveKind, algorithm: String = "custom", rankCount: Int, elementCount: Int,
                root: Int = 0, transfers: [TransferSpec]) throws {
        try CollectiveRequest.checkShape(rankCount: rankCount, elementCount: elementCount, root: root, collective: collective)
        var b = ScheduleBuilder(collective: collective, algorithm: algorithm, rankCount: rankCount,
                                elementCount: elementCount, root: root)
        let size = b.schedule.bufferElements
        for (i, t) in transfers.enumerated() {
            for (field, r) in [("src", t.src), ("dst", t.dst)] where r < 0 || r >= rankCount {
                throw AmalgamError("transfer \(i): \(field) rank \(r) is out of range 0..<\(rankCount)")
            }
            for (field, s) in [("srcStart", t.srcStart), ("dstStart", t.dstStart)] where s < 0 || t.length < 0 || s > size - t.length {
                throw AmalgamError("transfer \(i): \(field) \(s) with length \(t.length) does not fit the \(size)-element buffer")
            }
            var after: [Int32] = []
            for a in t.after {
                guard a >= 0 && a < i else {
                    throw AmalgamError("transfer \(i): dependency \(a) must name an earlier transfer (0..<\(i))")
                }
                after.append(Int32(a))
            }
            let s = b.segment(t.srcStart, t.length), d = b.segment(t.dstStart, t.length)
            b.add(Int32(t.src), Int32(t.dst), s, d, t.op, after: after)
        }
        self = try b.finish()
    }
}

/// Appends transfers to a schedule under construction. Generators reuse small
/// dependency arrays so that building millions of transfers allocates only the
/// flat arrays.
struct ScheduleBuilder {
    /// Hard cap on transfers (64M, about 2 GB of schedule), so indices fit `Int32`
    /// and memory stays bounded; a 1,024-rank ring all-reduce is 2.1M.
    static let maxTransfers = 64_000_000
    var schedule: Schedule
    var overflowed = false

    init(collective: CollectiveKind, algorithm: String, rankCount: Int, elementCount: Int, root: Int = 0) {
        schedule = Schedule(collective: collective, algorithm: algorithm, rankCount: rankCount,
                            elementCount: elementCount, root: root)
    }

    var count: Int { schedule.src.count }

    mutating func reserve(transfers n: Int, dependencies d: Int) {
        let n = min(n, Self.maxTransfers), d = min(d, Self.maxTransfers)
        schedule.src.reserveCapacity(n); schedule.dst.reserveCapacity(n)
        schedule.srcSegment.reserveCapacity(n); schedule.dstSegment.reserveCapacity(n)
        schedule.op.reserveCapacity(n); schedule.depStart.reserveCapacity(n + 1); schedule.deps.reserveCapacity(d)
    }

    /// Interns the element range `[start, start+length)` and returns its segment id.
    mutating func segment(_ start: Int, _ length: Int) -> Int32 {
        schedule.segmentStart.append(start); schedule.segmentLength.append(length)
        return Int32(schedule.segmentStart.count - 1)
    }

    /// Appends a transfer waiting for at most one earlier transfer (`after < 0`: none).
    @discardableResult
    mutating func add(_ s: Int32, _ d: Int32, _ srcSeg: Int32, _ dstSeg: Int32, _ op: TransferOp, after: Int32) -> Int32 {
        guard count < Self.maxTransfers else { overflowed = true; return Int32(count - 1) }
        if after >= 0 { schedule.deps.append(after) }
        return append(s, d, srcSeg, dstSeg, op)
    }

    /// Appends a transfer waiting for every transfer in `after` (negative entries ignored).
    @discardableResult
    mutating func add(_ s: Int32, _ d: Int32, _ srcSeg: Int32, _ dstSeg: Int32, _ op: TransferOp, after: [Int32]) -> Int32 {
        guard count < Self.maxTransfers else { overflowed = true; return Int32(count - 1) }
        for a in after where a >= 0 { schedule.deps.append(a) }
        return append(s, d, srcSeg, dstSeg, op)
    }

    private mutating func append(_ s: Int32, _ d: Int32, _ srcSeg: Int32, _ dstSeg: Int32, _ op: TransferOp) -> Int32 {
        schedule.src.append(s); schedule.dst.append(d)
        schedule.srcSegment.append(srcSeg); schedule.dstSegment.append(dstSeg)
        schedule.op.append(op); schedule.depStart.append(schedule.deps.count)
        return Int32(schedule.src.count - 1)
    }

    func finish() throws -> Schedule {
        if overflowed {
            throw AmalgamError("\(schedule.algorithm) \(schedule.collective.rawValue) on \(schedule.rankCount) ranks needs more than \(Self.maxTransfers) transfers; use fewer ranks, fewer pipeline chunks or a hierarchical algorithm")
        }
        return schedule
    }
}
