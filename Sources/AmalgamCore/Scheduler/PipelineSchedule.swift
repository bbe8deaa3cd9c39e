/// The pipeline schedules Amalgam knows: how each pipeline stage orders the
/// forward and backward passes of its micro-batches.
public enum PipelineKind: String, Sendable, CaseIterable, Codable {
    /// All forwards, then all backwards (Huang et al. 2019).
    case gpipe
    /// One-forward-one-backward with warm-up and cool-down (PipeDream-Flush; Narayanan et al. 2021).
    case oneFOneB = "1f1b"
    /// 1F1B over `v` model chunks per stage (Megatron-LM interleaved schedule, Narayanan et al. 2021 §2.2.2).
    case interleaved = "interleaved_1f1b"
    /// 1F1B with the backward split into input-gradient (B) and weight-gradient (W)
    /// passes, W deferred into the cool-down bubble (ZB-H1, Qi et al. 2023).
    case zbH1 = "zb_h1"
}

/// What one pipeline operation computes.
public enum PipelinePass: UInt8, Sendable, Codable {
    /// Forward pass.
    case forward
    /// Full backward (input and weight gradients together).
    case backward
    /// Backward, input gradient only (ZB-H1's B).
    case backwardInput
    /// Backward, weight gradient only (ZB-H1's W).
    case backwardWeight
}

/// One operation in a stage's order: a pass of one micro-batch through one model chunk.
public struct PipelineOp: Hashable, Sendable, Codable {
    public var pass: PipelinePass
    /// Global micro-batch index.
    public var microbatch: Int
    /// Model chunk on this stage (0 unless interleaved).
    public var chunk: Int

    public init(_ pass: PipelinePass, microbatch: Int, chunk: Int = 0) {
        self.pass = pass; self.microbatch = microbatch; self.chunk = chunk
    }
}

/// The per-stage order of work for one training iteration.
///
/// Model chunk `c` on stage `s` holds virtual stage `c·p + s` (Megatron's layout), so
/// activations flow stage 0 → p−1 for chunk 0, then wrap to stage 0 for chunk 1.
public struct PipelineSchedule: Sendable, Equatable {
    public let kind: PipelineKind
    /// Pipeline depth p.
    public let stages: Int
    /// Micro-batches per iteration m (per pipeline).
    public let microbatches: Int
    /// Model chunks per stage v (1 unless interleaved).
    public let virtualStages: Int
    /// `orders[s]` is stage s's sequence of operations.
    public let orders: [[PipelineOp]]

    /// Builds the schedule; every stage processes every micro-batch.
    public init(kind: PipelineKind, stages p: Int, microbatches m: Int, virtualStages v: Int = 1) throws {
        guard p >= 1 else { throw AmalgamError("pipeline stages must be >= 1 (got \(p))") }
        guard m >= 1 else { throw AmalgamError("micro-batches must be >= 1 (got \(m))") }
        guard v >= 1 else { throw AmalgamError("virtual stages must be >= 1 (got \(v))") }
        if kind != .interleaved && v != 1 {
            throw AmalgamError("virtual_stages = \(v) needs the 'interleaved_1f1b' schedule (got '\(kind.rawValue)')")
        }
        if kind == .interleaved && v > 1 && m % p != 0 {
            throw AmalgamError("interleaved 1F1B needs micro-batches divisible by the pipeline depth (\(m) micro-batches, \(p) stages), as Megatron-LM requires")
        }
        self.kind = kind; stages = p; microbatches = m; virtualStages = v
        orders = (0..<p).map { s in
            PipelineSchedule.order(kind: kind, stage: s, stages: p, microbatches: Array(0..<m), virtualStages: v)
        }
    }

    /// The order for one stage (or one data-parallel replica of it) that processes
    /// `mbs` (global micro-batch indices, ascending). Replicas of a heterogeneous
    /// stage each run this over their own share.
    ///
    /// `scale` multiplies the warm-up (and ZB-H1's weight-gradient lag): a stage whose
    /// `scale` replicas share one order keeps each replica's warm-up at 1F1B's depth.
    public static func order(kind: PipelineKind, stage s: Int, stages p: Int, microbatches mbs: [Int], virtualStages v: Int,
                             scale: Int = 1) -> [PipelineOp] {
        let m = mbs.count
        guard m > 0 else { return [] }
        switch kind {
        case .gpipe:
            return mbs.map { PipelineOp(.forward, microbatch: $0) } + mbs.map { PipelineOp(.backward, microbatch: $0) }
        case .oneFOneB:
            return oneFOneB(warmup: (p - s - 1) * scale, mbs: mbs, backward: [.backward])
        case .zbH1:
            return zeroBubbleH1(warmup: (p - s - 1) * scale, lag: s * scale, mbs: mbs)
        case .interleaved:
            if v == 1 { return oneFOneB(warmup: (p - s - 1) * scale, mbs: mbs, backward: [.backward]) }
            return interleaved(warmup: ((p - s - 1) * 2 + (v - 1) * p) * scale, group: p * scale, mbs: mbs, chunks: v)
        }
    }

    /// Warm-up of min(p − s − 1, m) forwards (the `warmup` given), steady 1F1B pairs,
    /// cool-down backwards.
    static func oneFOneB(warmup w: Int, mbs: [Int], backward: [PipelinePass]) -> [PipelineOp] {
        let m = mbs.count
        let warmup = min(w, m)
        var ops: [PipelineOp] = []
        ops.reserveCapacity(m * (1 + backward.count))
        var f = 0, b = 0
        for _ in 0..<warmup { ops.append(PipelineOp(.forward, microbatch: mbs[f])); f += 1 }
        while f < m {
            ops.append(PipelineOp(.forward, microbatch: mbs[f])); f += 1
            for pass in backward { ops.append(PipelineOp(pass, microbatch: mbs[b])) }
            b += 1
        }
        while b < m {
            for pass in backward { ops.append(PipelineOp(pass, microbatch: mbs[b])) }
            b += 1
        }
        return ops
    }

    /// ZB-H1: the 1F1B order with each backward split into B then W, where stage s
    /// defers its W passes by s backwards. Later stages thus send input gradients
    /// upstream as early as possible and fill their own cool-down with W; the
    /// bubble becomes (p − 1)·(tF + tB − tW) instead of 1F1B's (p − 1)·(tF + tB + tW).
    /// A deferred W keeps its activations, so the last stage stashes p micro-batches —
    /// the same peak as 1F1B's first stage.
    static func zeroBubbleH1(warmup: Int, lag: Int, mbs: [Int]) -> [PipelineOp] {
        let base = oneFOneB(warmup: warmup, mbs: mbs, backward: [.backwardInput])
        var ops: [PipelineOp] = []
        ops.reserveCapacity(base.count + mbs.count)
        var pendingW: [Int] = []
        var wIndex = 0
        for op in base {
            ops.append(op)
            if op.pass == .backwardInput {
                pendingW.append(op.microbatch)
                if pendingW.count - wIndex > lag {
                    ops.append(PipelineOp(.backwardWeight, microbatch: pendingW[wIndex])); wIndex += 1
                }
            }
        }
        while wIndex < pendingW.count {
            ops.append(PipelineOp(.backwardWeight, microbatch: pendingW[wIndex])); wIndex += 1
        }
        return ops
    }

    /// Megatron-LM's interleaved order (`forward_backward_pipelining_with_interleaving`):
    /// micro-batches go in groups of p (p × replicas when one order serves several
    /// replicas, so each replica still sees groups of p); each group runs through chunk 0, then chunk 1,
    /// ... (backwards through the chunks in reverse); warm-up is (p − s − 1)·2 + (v − 1)·p
    /// forwards. A short last group (a replica's share not a multiple of p) keeps the
    /// same pattern.
    static func interleaved(warmup w: Int, group p: Int, mbs: [Int], chunks v: Int) -> [PipelineOp] {
        var forwards: [PipelineOp] = [], backwards: [PipelineOp] = []
        var start = 0
        while start < mbs.count {
            let group = mbs[start..<min(start + p, mbs.count)]
            for c in 0..<v { for mb in group { forwards.append(PipelineOp(.forward, microbatch: mb, chunk: c)) } }
            for c in (0..<v).reversed() { for mb in group { backwards.append(PipelineOp(.backward, microbatch: mb, chunk: c)) } }
            start += p
        }
        let total = forwards.count
        let warmup = min(w, total)
        var ops: [PipelineOp] = []
        ops.reserveCapacity(2 * total)
        var f = 0, b = 0
        for _ in 0..<warmup { ops.append(forwards[f]); f += 1 }
        while f < total {
            ops.append(forwards[f]); f += 1
            ops.append(backwards[b]); b += 1
        }
        while b < total { ops.append(backwards[b]); b += 1 }
        return ops
    }
}
