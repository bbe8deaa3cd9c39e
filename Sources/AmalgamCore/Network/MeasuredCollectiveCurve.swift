/// One timing group of an nccl-tests row: the out-of-place or the in-place figures.
public struct MeasuredTiming: Sendable, Equatable, Hashable, Codable {
    /// Average time of one operation, seconds (nccl-tests prints microseconds).
    public var seconds: Double
    /// Algorithm bandwidth as printed, GB/s (size / time).
    public var algbwGBs: Double
    /// Bus bandwidth as printed, GB/s (algbw × the collective's bus factor).
    public var busbwGBs: Double

    /// A timing group.
    public init(seconds: Double, algbwGBs: Double, busbwGBs: Double) {
        self.seconds = seconds; self.algbwGBs = algbwGBs; self.busbwGBs = busbwGBs
    }
}

/// One measured message size: a row of an nccl-tests table.
public struct MeasuredCollectivePoint: Sendable, Equatable, Hashable, Codable {
    /// Buffer size S, bytes, as nccl-tests counts it (the `size` column; the same
    /// convention as `CollectiveTimingRequest.bytes`).
    public var bytes: Double
    /// Element count as printed (the `count` column).
    public var elementCount: Int
    /// Data type as printed (`float`, `half`, ...).
    public var dataType: String
    /// Out-of-place figures (separate send and receive buffers).
    public var outOfPlace: MeasuredTiming
    /// In-place figures (the receive buffer is the send buffer).
    public var inPlace: MeasuredTiming

    /// A measured size.
    public init(bytes: Double, elementCount: Int, dataType: String, outOfPlace: MeasuredTiming, inPlace: MeasuredTiming) {
        self.bytes = bytes; self.elementCount = elementCount; self.dataType = dataType
        self.outOfPlace = outOfPlace; self.inPlace = inPlace
    }

    /// The figures of one placement.
    public func timing(_ placement: MeasuredPlacement) -> MeasuredTiming {
        placement == .inPlace ? inPlace : outOfPlace
    }
}

/// Which of the two nccl-tests timing groups a curve answers with.
public enum MeasuredPlacement: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// Separate send and receive buffers.
    case outOfPlace = "out_of_place"
    /// Receive buffer = send buffer. The default: it is what training frameworks
    /// run (DDP and Megatron all-reduce gradient buckets in place; FSDP/ZeRO gather
    /// into and reduce-scatter out of the flat buffer that holds the local shard).
    case inPlace = "in_place"

    /// The placement named `text` (`in_place`, `out_of_place`); anything else
    /// throws with the valid names.
    public static func named(_ text: String) throws -> MeasuredPlacement {
        guard let p = MeasuredPlacement(rawValue: text) else {
            throw AmalgamError.unknown("placement", text, among: allCases.map(\.rawValue))
        }
        return p
    }
}

/// A measured, message-size-dependent collective time: the table one nccl-tests
/// binary printed for one group of ranks.
///
/// ``seconds(bytes:placement:)`` answers for any size S with this rule (t = the
/// chosen placement's time, points sorted by size):
/// - S at or below the smallest measured size: the smallest size's time (a
///   latency floor: below it nccl-tests time is flat);
/// - between two measured sizes: linear interpolation of the *time* between the
///   two neighbours, so the answer is exact whenever time is affine in size
///   (t = α + S/β, as under the α-β model) on that interval;
/// - above the largest measured size: the largest point's algbw (its size / its
///   time) carries on, so time grows linearly from that point.
public struct MeasuredCollectiveCurve: Sendable, Equatable, Hashable, Codable {
    /// The collective measured.
    public var collective: CollectiveKind
    /// Number of ranks the output lists (its `#  Rank N ...` device lines), nil
    /// when it printed none.
    public var rankCount: Int?
    /// Measured sizes, strictly increasing in `bytes`; at least one.
    public var points: [MeasuredCollectivePoint]
    /// The `# Avg bus bandwidth` figure, GB/s, when printed.
    public var averageBusbwGBs: Double?

    /// A curve; `points` must be non-empty with strictly increasing sizes, finite
    /// non-negative times and a positive time for every size above 0.
    public init(collective: CollectiveKind, rankCount: Int? = nil, points: [MeasuredCollectivePoint],
                averageBusbwGBs: Double? = nil) throws {
        self.collective = collective; self.rankCount = rankCount; self.points = points
        self.averageBusbwGBs = averageBusbwGBs
        try validate()
    }

    /// Checks the invariants `seconds(bytes:placement:)` relies on (a decoded
    /// curve is checked again when its cluster compiles).
    public func validate() throws {
        guard !points.isEmpty else { throw AmalgamError("a measured \(collective.rawValue) curve needs at least one size") }
        guard points[points.count - 1].bytes > 0 else {
            throw AmalgamError("a measured \(collective.rawValue) curve needs a size above 0 bytes")
        }
        if let n = rankCount, n < 1 { throw AmalgamError("measured curve rank count \(n) must be 1 or more") }
        for (i, p) in points.enumerated() {
            // 2^53: every size up to it is an exact integer in Double (and far above any real buffer).
            guard p.bytes.isFinite, p.bytes >= 0, p.bytes <= 0x1p53 else {
                throw AmalgamError("measured size \(p.bytes) bytes must be between 0 and 2^53")
            }
            if i > 0 && p.bytes <= points[i - 1].bytes {
                throw AmalgamError("measured sizes must increase: \(Int(p.bytes)) bytes follows \(Int(points[i - 1].bytes)) bytes")  // both checked ≤ 2^53
            }
            for placement in MeasuredPlacement.allCases {
                let t = p.timing(placement).seconds
                guard t.isFinite, t >= 0, p.bytes == 0 || t > 0 else {
                    throw AmalgamError("size \(Int(p.bytes)) bytes: \(placement.rawValue) time \(t) s must be positive")
                }
            }
        }
    }

    /// Smallest measured size, bytes.
    public var minBytes: Double { points[0].bytes }
    /// Largest measured size, bytes.
    public var maxBytes: Double { points[points.count - 1].bytes }

    /// Largest bus bandwidth printed for `placement`, GB/s.
    public func maxBusbwGBs(_ placement: MeasuredPlacement = .inPlace) -> Double {
        points.reduce(0) { max($0, $1.timing(placement).busbwGBs) }
    }

    /// Time of one collective of `bytes` (S, as nccl-tests counts it), seconds, by
    /// the rule in the type's documentation. Negative or NaN sizes count as 0.
    public func seconds(bytes: Double, placement: MeasuredPlacement = .inPlace) -> Double {
        let s = bytes.isNaN ? 0 : max(0, bytes)
        let first = points[0]
        if s <= first.bytes { return first.timing(placement).seconds }
        let last = points[points.count - 1]
        if s >= last.bytes {
            // Continuous at the last point: S / (its size / its time).
            return last.timing(placement).seconds * (s / last.bytes)
        }
        // Binary search for the first point with size > s (exists: s < last.bytes).
        var lo = 0, hi = points.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if points[mid].bytes > s { hi = mid } else { lo = mid + 1 }
        }
        let a = points[lo - 1], b = points[lo]
        let ta = a.timing(placement).seconds, tb = b.timing(placement).seconds
        return ta + (tb - ta) * (s - a.bytes) / (b.bytes - a.bytes)
    }
}
