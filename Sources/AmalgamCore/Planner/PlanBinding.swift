/// Which constraint is *binding* (holds with equality, in the optimisation sense) for
/// one element of a plan — a replica's batch share or a stage's layer range. The
/// planner's `explain()` surfaces it so a user can tell "this stage is short because
/// its chips are full" from "this stage is short because its chips are slow".
public enum PlanBinding: String, Sendable, Codable, CaseIterable {
    /// Speed decided the share: the element is below its memory limit.
    case compute
    /// The memory limit decided the share: the element could not take one more
    /// micro-batch (or one more neighbouring layer) without running out of memory.
    case memory
    /// The element's fixed point-to-point boundary time is at least its compute time,
    /// so the link, not the chips, dominates it. Only cost models that separate the
    /// boundary term (``StageCostTable``, ``GroupCostTable``) report this.
    case link
}

/// Number formatting for planner error messages (Foundation-free, 4 significant-ish
/// decimals), kept private to the planner so it cannot collide with other areas.
enum PlannerFormat {
    static func seconds(_ x: Double) -> String { "\(rounded(x)) s" }
    static func gb(_ bytes: Double) -> String { "\(rounded(bytes / 1e9)) GB" }
    static func rounded(_ x: Double) -> Double {
        guard x.isFinite, abs(x) >= 0.001 else { return x }
        return (x * 10_000).rounded() / 10_000
    }
}
