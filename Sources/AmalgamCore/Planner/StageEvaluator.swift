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

extension LayerSplit {
    /// One class of interchangeable data-parallel replicas inside a stage: `count`
    /// replicas of one chip type and TP degree, with that combination's layer figures
    /// and the per-chip memory terms of the stage they sit in.
    struct ReplicaClass {
        /// Replicas of this class in the stage.
        let count: Double
        /// The (chip, tp) layer figures (prefix sums).
        let figures: PlannerLayerFigures
        /// Training-state bytes per parameter under the stage's ZeRO sharding.
        let stateBytesPerParam: Double
        /// Bytes taken whatever the layers (framework overhead).
        let overheadBytes: Double
        /// One chip's memory.
        let capacityBytes: Double
    }

    /// A pipeline stage of data-parallel replicas of possibly different kinds, at a
    /// fixed position. Its cost for a range is the continuous relaxation of the batch
    /// split, `M / Σ_k n_k / t_k(range)`: the makespan when replicas may take fractional
    /// shares, a lower bound on the integer split. It grows with the range in floating
    /// point too (each `t_k` is a difference of nondecreasing prefix sums, and division
    /// and addition are monotone), so the rows may prune on cost. A range fits when every
    /// class holds it: `params · stateBytesPerParam + inFlight · activations + overhead`
    /// within one chip's capacity — the operations of ``PlannerCostModel/bytes`` in the
    /// same order, so both give bit-identical figures.
    struct ReplicaStage: StageEvaluator {
        let microbatches: Double
        let classes: [ReplicaClass]
        let inFlight: Double

        @inline(__always) func fits(_ i: Int, _ j: Int) throws -> Bool {
            for x in classes {
                let f = x.figures
                let params = f.params(i..<j)
                if params * x.stateBytesPerParam + inFlight * f.activations(i..<j) + x.overheadBytes > x.capacityBytes { return false }
            }
            return true
        }

        @inline(__always) func cost(_ i: Int, _ j: Int) throws -> Double {
            var rate = 0.0
            for x in classes { rate += x.count / x.figures.seconds(i..<j) }
            return microbatches / rate
        }
    }
}
