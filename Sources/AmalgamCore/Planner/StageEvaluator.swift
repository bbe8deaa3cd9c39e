/// The layer-split engine's per-stage views (nested so their names cannot collide with
/// other areas of the module).
extension LayerSplit {
    /// How the layer-split rows read one stage's cost and memory fit. Two forms, so the
    /// rows can be specialised: closures for any model, and straight prefix-sum arithmetic
    /// for the additive tables (no closure calls in the O(L²) loops).
    protocol StageEvaluator {
        /// Whether the stage holds non-empty `i..<j`.
        func fits(_ i: Int, _ j: Int) throws -> Bool
        /// The stage's validated cost for non-empty `i..<j`.
        func cost(_ i: Int, _ j: Int) throws -> Double
    }

    /// A stage of a closure-defined ``Problem``.
    struct ClosureStage: StageEvaluator {
        let problem: LayerSplit.Problem
        let stage: Int
        @inline(__always) func fits(_ i: Int, _ j: Int) throws -> Bool { try problem.fits(stage, i..<j) }
        @inline(__always) func cost(_ i: Int, _ j: Int) throws -> Double { try problem.cost(stage, i..<j) }
    }

    /// A stage of an additive table: time `baseSeconds + (P[j] − P[i])`, memory
    /// `(fixedBytes + (W[j] − W[i])) + inFlight · (A[j] − A[i])` against `capacityBytes`.
    /// The operations are those of ``StageCostTable`` and ``GroupCostTable`` in the same
    /// order, so both give bit-identical figures (for ``StageCostTable`` `A` is all zero).
    /// Table validation guarantees every figure is finite and ≥ 0, so no checks here.
    struct AdditiveStage: StageEvaluator {
        let baseSeconds: Double
        let secondsPrefix: [Double]
        let fixedBytes: Double
        let weightPrefix: [Double]
        let activationPrefix: [Double]
        let inFlight: Double
        let capacityBytes: Double

        @inline(__always) func fits(_ i: Int, _ j: Int) throws -> Bool {
            (fixedBytes + (weightPrefix[j] - weightPrefix[i])) + inFlight * (activationPrefix[j] - activationPrefix[i]) <= capacityBytes
        }

        @inline(__always) func cost(_ i: Int, _ j: Int) throws -> Double {
            baseSeconds + (secondsPrefix[j] - secondsPrefix[i])
        }
    }
}
