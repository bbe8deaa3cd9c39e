/// The collective operations a `Schedule` can implement, with the buffer layout
/// each one uses. Every rank owns one buffer of `Schedule.bufferElements` elements.
///
/// Shards: with `n` elements and `p` ranks, shard `i` is `[i*n/p, (i+1)*n/p)`
/// (integer division), so shards differ in size by at most one element and never
/// lose any.
public enum CollectiveKind: String, CaseIterable, Sendable, Codable {
    /// Every rank ends with the element-wise sum of all ranks' buffers (`n` elements).
    case allReduce = "all_reduce"
    /// Rank `i` ends with the sum of all ranks' shard `i`, in place at shard `i`
    /// (the rest of its buffer is scratch).
    case reduceScatter = "reduce_scatter"
    /// Rank `i` starts with shard `i` (in place); every rank ends with every shard.
    case allGather = "all_gather"
    /// Every rank ends with the root's buffer.
    case broadcast
    /// The root ends with the element-wise sum of all ranks' buffers.
    case reduce
    /// `elementCount` is the block each rank sends to *each* rank: the buffer is
    /// `2*p*elementCount` elements, input blocks first then output blocks; rank `j`'s
    /// output block `r` ends equal to rank `r`'s input block `j`.
    case allToAll = "all_to_all"

    /// Whether the collective sums data (so floating-point results carry rounding error).
    public var reduces: Bool {
        switch self {
        case .allReduce, .reduceScatter, .reduce: return true
        case .allGather, .broadcast, .allToAll: return false
        }
    }

    /// Whether the collective has a root rank.
    public var hasRoot: Bool { self == .broadcast || self == .reduce }

    /// Parses a user-supplied name (`"all_reduce"`, also `"allreduce"`).
    public static func named(_ name: String) throws -> CollectiveKind {
        let key = name.lowercased()
        if let k = CollectiveKind(rawValue: key) { return k }
        if let k = allCases.first(where: { String($0.rawValue.filter { $0 != "_" }) == key }) { return k }
        throw AmalgamError.unknown("collective", name, among: allCases.map(\.rawValue))
    }
}

/// How a receiver merges a transfer into its buffer.
public enum TransferOp: UInt8, Sendable, Equatable {
    /// Overwrite the destination range.
    case copy = 0
    /// Add the incoming elements to the destination range.
    case reduce = 1
}
