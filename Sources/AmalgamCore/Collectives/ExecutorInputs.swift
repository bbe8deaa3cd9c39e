/// Deterministic test inputs and the error bound the executor checks against.
public enum InputPattern: String, Sendable, CaseIterable {
    /// Integers in -8...8: every partial sum is exact while it stays below the
    /// type's integer range (2^24 for Float32), so results must match exactly.
    case integers
    /// Uniform in [-1, 1): results must match within `ReductionErrorBound`.
    case uniform
}

/// Input element `index` of `rank`: a SplitMix64 hash of (seed, rank, index), so
/// every run and every check regenerates the same value without storing copies.
@inline(__always)
func inputValue(seed: UInt64, rank: Int, index: Int, pattern: InputPattern) -> Double {
    var x = seed &+ UInt64(truncatingIfNeeded: rank) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03
    x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
    x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
    x ^= x >> 31
    switch pattern {
    case .integers: return Double(Int(x % 17) - 8)
    case .uniform: return Double(x >> 11) * 0x1p-52 - 1
    }
}

/// The bound on a reduction's floating-point error.
///
/// However a schedule orders the `p-1` additions of `p` terms, each addition
/// rounds once (relative error at most `u`), so (Higham, *Accuracy and Stability
/// of Numerical Algorithms*, 2nd ed., §4.2):
///
///     |computed - exact| <= gamma(p-1) * sum_i |x_i|,   gamma(k) = k*u / (1 - k*u)
///
/// with `u` the element type's `unitRoundoff` (2^-24 for Float32). The executor's
/// reference sums in Float64 and carries its own `gamma(p-1)` at `u = 2^-53`; both
/// are added.
public enum ReductionErrorBound {
    /// `gamma(k)` for unit roundoff `u` (infinite once `k*u >= 1`).
    public static func gamma(_ k: Int, unitRoundoff u: Double) -> Double {
        let ku = Double(k) * u
        return ku < 1 ? ku / (1 - ku) : .infinity
    }

    /// Allowed |error| of a `terms`-term sum whose absolute values total `absSum`.
    public static func bound(terms: Int, absSum: Double, unitRoundoff u: Double) -> Double {
        let k = max(0, terms - 1)
        return (gamma(k, unitRoundoff: u) + gamma(k, unitRoundoff: 0x1p-53)) * absSum
    }
}
