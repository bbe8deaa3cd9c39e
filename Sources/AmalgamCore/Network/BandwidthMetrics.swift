extension CollectiveKind {
    /// busbw / algbw for `ranks` ranks, as defined in nccl-tests
    /// `doc/PERFORMANCE.md`: all-reduce 2(n-1)/n; reduce-scatter, all-gather and
    /// all-to-all (n-1)/n; broadcast and reduce 1.
    public func busFactor(ranks n: Int) -> Double {
        let nd = Double(n)
        switch self {
        case .allReduce: return 2 * (nd - 1) / nd
        case .reduceScatter, .allGather, .allToAll: return (nd - 1) / nd
        case .broadcast, .reduce: return 1
        }
    }
}

/// Algorithm and bus bandwidth of a timed collective (nccl-tests definitions;
/// GB = 10^9 bytes). `bytes` is the collective's buffer size S.
public enum BandwidthMetrics {
    /// algbw = S / time, GB/s.
    public static func algbwGBs(bytes: Double, seconds: Double) throws -> Double {
        guard bytes.isFinite && bytes >= 0 else {
            throw AmalgamError("collective size \(bytes) bytes must be finite and >= 0")
        }
        guard seconds.isFinite && seconds > 0 else {
            throw AmalgamError("collective time \(seconds) s must be finite and > 0 to compute a bandwidth")
        }
        return bytes / seconds / 1e9
    }

    /// busbw = algbw × the collective's bus factor, GB/s.
    public static func busbwGBs(_ op: CollectiveKind, ranks: Int, bytes: Double, seconds: Double) throws -> Double {
        guard ranks >= 1 else { throw AmalgamError("collective rank count \(ranks) must be >= 1") }
        return try algbwGBs(bytes: bytes, seconds: seconds) * op.busFactor(ranks: ranks)
    }
}
