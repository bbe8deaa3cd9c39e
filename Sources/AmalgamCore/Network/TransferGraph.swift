/// Point-to-point transfers with dependencies: what the network model times.
///
/// Collective schedules and the iteration simulator both lower their traffic to
/// this form. Stored in flat arrays (dependencies in CSR form) because a 1,024-rank
/// ring all-reduce is two million transfers.
public struct TransferGraph: Sendable {
    /// Source rank of each transfer.
    public private(set) var src: [Int32] = []
    /// Destination rank of each transfer.
    public private(set) var dst: [Int32] = []
    /// Bytes moved by each transfer.
    public private(set) var bytes: [Double] = []
    /// Bytes the receiver reduces into its buffer once the transfer lands (0 = copy).
    public private(set) var reduceBytes: [Double] = []
    /// `deps[depStart[i]..<depStart[i+1]]` are the transfers `i` waits for.
    public private(set) var depStart: [Int32] = [0]
    public private(set) var deps: [Int32] = []

    public init() {}

    /// Number of transfers.
    public var count: Int { src.count }

    /// Appends a transfer that starts once every transfer in `after` has landed
    /// (and its reduction finished); returns its index.
    @discardableResult
    public mutating func add(src s: Int, dst d: Int, bytes b: Double, reduceBytes r: Double = 0, after: [Int] = []) -> Int {
        src.append(Int32(s)); dst.append(Int32(d)); bytes.append(b); reduceBytes.append(r)
        for a in after { deps.append(Int32(a)) }
        depStart.append(Int32(deps.count))
        return src.count - 1
    }

    /// The transfers `i` waits for.
    public func dependencies(of i: Int) -> ArraySlice<Int32> {
        deps[Int(depStart[i])..<Int(depStart[i + 1])]
    }

    /// Multiplies every transfer's bytes by `factor` and, with `clearReductions`,
    /// drops the receivers' reduction work (for models whose fabric reduces in the
    /// network, see `NvlsAlgorithm`).
    mutating func scaleBytes(by factor: Double, clearReductions: Bool) {
        for i in bytes.indices { bytes[i] *= factor }
        if clearReductions { for i in reduceBytes.indices { reduceBytes[i] = 0 } }
    }

    /// Reserves room for `n` transfers and `d` dependency edges.
    public mutating func reserve(transfers n: Int, dependencies d: Int) {
        src.reserveCapacity(n); dst.reserveCapacity(n); bytes.reserveCapacity(n); reduceBytes.reserveCapacity(n)
        depStart.reserveCapacity(n + 1); deps.reserveCapacity(d)
    }
}
