/// The analytical (uncalibrated) cost of one layer.
///
/// FLOPs count matmuls only (2·M·N·K each); bias adds, norms, activations and softmax are
/// memory-bound and counted as bytes. Backward matmuls are 2× forward (input and weight
/// gradients) and use the same GEMM shapes, hence the same efficiency.
///
/// Memory-bound bytes per forward pass, with `T = b·s` tokens, `e` bytes per element,
/// `r = 1/t` with sequence parallelism and 1 without (Megatron replicates norms and
/// residuals over the tensor-parallel group unless the sequence is split):
/// - each of the 2 norms reads and writes `T·h`: `4·T·h·e·r`;
/// - each of the 2 residual adds (dropout fused) reads 2 and writes 1 tensor: `6·T·h·e·r`;
/// - rotary embedding reads and writes Q and K: `2·T·(h + h_kv)·e/t`;
/// - softmax (scale and mask fused) reads and writes the `b·a·s²` scores: `2·b·a·s²·e/t`,
///   plus attention dropout (read, write, 1-byte mask): `b·a·s²·(2e + 1)/t` when the model uses dropout;
/// - activation function: GELU reads and writes `T·f` (`2·T·f·e/t`), SwiGLU reads 2 and writes 1 (`3·T·f·e/t`);
///   MoE blocks do this for `topK` experts and add the router softmax (`8·T·E`, fp32).
/// With `CostOptions.flashAttention` the softmax and dropout terms are replaced by the fused
/// kernel's reads of Q, K, V and write of its output, `(2·T·h + 2·T·h_kv)·e/t`.
/// Backward memory-bound bytes are assumed 2× forward (each op reads its saved input and
/// the incoming gradient and writes the outgoing gradient) plus the recomputed ops.
/// The embedding gathers rows (`2·T·e_dim·e`, plus `3·T·h·e` to add learned positions);
/// the LM head runs its norm and a softmax/cross-entropy over fp32 logits (`8·T·V/t`).
extension TransformerModel {
    func analyticCost(_ kind: LayerKind, _ q: LayerQuery, chip: Chip, options: CostOptions) -> LayerCost {
        let b = Double(q.microBatch), s = Double(seqLen), h = Double(hidden), t = Double(q.tp)
        let tokens = b * s, e = options.activationBytes
        let r = q.sequenceParallel ? 1 / t : 1
        let kv = kvWidth, a = Double(heads), d = Double(headDim)
        let peakEff = chip.peakFlopsPerSecond
        let curve = options.curve(for: chip), effMax = chip.matmulEfficiency

        var flops = 0.0, gemmSeconds = 0.0
        func gemm(_ f: Double, _ m: Double, _ n: Double, _ k: Double) {
            flops += f
            let eff = curve.efficiency(maxEfficiency: effMax, smallestDimension: min(m, min(n, k)))
            gemmSeconds += f / (peakEff * eff)
        }

        var bytes = 0.0, softmaxBytes = 0.0, activation = 0.0
        var fwdCollectives = 0, bwdCollectives = 0
        var coreFlops = 0.0, coreSeconds = 0.0, qkFlops = 0.0, qkSeconds = 0.0
        let flash = options.flashAttention
        let mats = Double(ffnKind.matrices)
        let actIO = ffnKind == .gelu ? 2.0 : 3.0

        switch kind {
        case .embedding:
            if embeddingDim != hidden {
                gemm(2 * tokens * Double(embeddingDim) * h, tokens, h, Double(embeddingDim))
                activation += tokens * Double(embeddingDim) * e
            }
            bytes += 2 * tokens * Double(embeddingDim) * e + (position == .learned ? 3 * tokens * h * e : 0)
            activation += dropout ? tokens * h * r : 0          // embedding dropout mask, 1 byte
            if q.tp > 1 { fwdCollectives = 1; bwdCollectives = q.sequenceParallel ? 1 : 0 }

        case .lmHead:
            let ed = Double(embeddingDim), v = Double(vocab)
            if embeddingDim != hidden {
                gemm(2 * tokens * h * ed, tokens, ed, h)
                activation += tokens * ed * e
            }
            gemm(2 * tokens * ed * v / t, tokens, v / t, ed)
            bytes += 2 * tokens * h * e * r + 8 * tokens * v / t
            // Korthikanti et al. 2022 §4.3: norm input + projection input + fp32 logits = 4sbh(1 + v/h) / t with SP.
            activation += 2 * tokens * h * e * r + 4 * tokens * v / t
            if q.tp > 1 { fwdCollectives = q.sequenceParallel ? 1 : 0; bwdCollectives = 1 }

        case .block, .moeBlock:
            // Attention.
            gemm(2 * tokens * h * (h + 2 * kv) / t, tokens, (h + 2 * kv) / t, h)
            let causal = options.attention == .causal ? 0.5 : 1
            let before = (flops, gemmSeconds)
            gemm(2 * b * s * s * h * causal / t, s, s, d)                      // Q·K^T per head
            qkFlops = flops - before.0; qkSeconds = gemmSeconds - before.1
            gemm(2 * b * s * s * h * causal / t, s, d, s)                      // P·V per head
            coreFlops = flops - before.0; coreSeconds = gemmSeconds - before.1
            gemm(2 * tokens * h * h / t, tokens, h, h / t)

            let scores = b * (a / t) * s * s
            // A fused (flash) kernel never writes the scores: it reads Q, K, V and writes the output.
            softmaxBytes = flash ? 0 : 2 * scores * e + (dropout ? scores * (2 * e + 1) : 0)
            let fusedIO = flash ? (2 * tokens * h + 2 * tokens * kv) * e / t : 0
            bytes += 4 * tokens * h * e * r + 6 * tokens * h * e * r + softmaxBytes + fusedIO
            if position == .rotary { bytes += 2 * tokens * (h + kv) * e / t }

            // Activation memory, Korthikanti et al. 2022 §4.1 generalised to GQA, SwiGLU and no dropout:
            // replicated (÷t only with SP): 2 norm inputs, QKV input, MLP input, 2 dropout masks;
            // split over t: Q, K, V, projection input, feed-forward inner tensors; scores: softmax
            // output (+ dropout mask and output when the model uses dropout).
            var replicated = 2 * tokens * h * e + tokens * h * e + tokens * h * e + (dropout ? 2 * tokens * h : 0)
            var split = (tokens * h + 2 * tokens * kv + tokens * h) * e
            // Flash keeps only the fp32 log-sum-exp per query row (Dao et al. 2022) instead of the scores.
            let scoreBytes = flash ? 4 * b * (a / t) * s : scores * (e + (dropout ? 1 + e : 0))

            // Feed-forward.
            if kind == .moeBlock, let m = moe {
                let ex = Double(m.experts), k = Double(m.topK), fe = Double(m.expertFFN)
                let perExpertTokens = tokens * k / ex
                gemm(2 * tokens * h * ex, tokens, ex, h)                                     // router, replicated
                gemm(k * 2 * tokens * h * fe * (mats - 1) / t, perExpertTokens, fe / t, h)
                gemm(k * 2 * tokens * fe * h / t, perExpertTokens, h, fe / t)
                bytes += k * actIO * tokens * fe * e / t + 8 * tokens * ex
                split += k * actIO * tokens * fe * e
                // Dispatched token copies (topK per token) and fp32 router logits; assumption:
                // replicated over tp like the MLP input.
                replicated += k * tokens * h * e + 4 * tokens * ex
            } else {
                let f = Double(ffnHidden)
                gemm(2 * tokens * h * f * (mats - 1) / t, tokens, f / t, h)
                gemm(2 * tokens * f * h / t, tokens, h, f / t)
                bytes += actIO * tokens * f * e / t
                split += actIO * tokens * f * e
            }

            switch q.recompute {
            case .none: activation = replicated * r + split / t + scoreBytes   // scores are already per chip (a/t heads)
            case .selective: activation = replicated * r + split / t + (flash ? scoreBytes : 0)
            case .full: activation = tokens * h * e * r                                       // block input only
            }
            if q.tp > 1 {
                fwdCollectives = q.sequenceParallel ? 4 : 2
                bwdCollectives = fwdCollectives
            }
        }

        var recomputeFlops = 0.0, recomputeSeconds = 0.0, recomputeBytes = 0.0
        if kind == .block || kind == .moeBlock {
            switch q.recompute {
            case .none: break
            case .selective:
                // With a flash kernel the scores are never stored, so there is nothing more to recompute.
                if !flash { recomputeFlops = coreFlops; recomputeSeconds = coreSeconds; recomputeBytes = softmaxBytes }
            case .full:
                recomputeFlops = flops; recomputeSeconds = gemmSeconds; recomputeBytes = bytes
                bwdCollectives += fwdCollectives
            }
            // The flash backward kernel recomputes Q·K^T tile by tile (Dao et al. 2022 §3.1).
            if flash { recomputeFlops += qkFlops; recomputeSeconds += qkSeconds }
        }

        let bw = chip.memBytesPerSecond
        let p = paramCount(kind, tp: t)
        return LayerCost(
            layers: 1,
            fwdSeconds: (gemmSeconds + bytes / bw) / options.frameworkEfficiency,
            bwdSeconds: (2 * gemmSeconds + recomputeSeconds + (2 * bytes + recomputeBytes) / bw) / options.frameworkEfficiency,
            fwdFlops: flops, bwdFlops: 2 * flops + recomputeFlops, recomputeFlops: recomputeFlops,
            fwdBytes: bytes, bwdBytes: 2 * bytes + recomputeBytes,
            activationBytes: activation, params: p, weightBytes: 2 * p,
            tpCollective: q.tp == 1 ? .none : (q.sequenceParallel ? .reduceScatterAllGather : .allReduce),
            tpForwardCollectives: fwdCollectives, tpBackwardCollectives: bwdCollectives,
            tpBytesPerCollective: q.tp == 1 ? 0 : tokens * h * e,
            timing: .roofline)
    }
}
