import AmalgamCore
import Foundation

/// `am.model`, `am.models` and the `Model` object: transformer shapes, their FLOPs, per-layer
/// costs and per-chip memory. Calibration (`am.calibrate`, ...) is in `CalibrationBindings`.
enum WorkloadBindings {
    static let exampleModel = "local m = am.model \"llama2-7b\""

    /// Documented once: what `layers` means on both sides.
    static let layersDoc = "placeable layers: blocks + 2 (index 0 = embedding, 1..blocks = transformer blocks, blocks + 1 = LM head); pipeline stages split these"

    /// The `amalgam.Model` class.
    static let modelClass: LuaClass<ModelHandle> = {
        let cls = LuaClass<ModelHandle>("amalgam.Model")
        return cls
            .field("name", "preset id or the name given to am.model") { .string($0.model.name) }
            .field("params", "total parameters (a tied embedding counted once)") { .integer($0.model.params) }
            .field("active_params", "parameters used per token (MoE blocks count top_k experts; = params for dense models)") { .integer($0.model.activeParams) }
            .field("non_embedding_params", "parameters of the blocks and final norm (Kaplan et al. 2020's N)") { .integer($0.model.nonEmbeddingParams) }
            .field("layers", layersDoc) { .integer($0.model.layerCount) }
            .field("blocks", "transformer blocks (what am.model{ layers = ... } sets)") { .integer($0.model.numLayers) }
            .field("hidden", "model width d_model") { .integer($0.model.hidden) }
            .field("heads", "attention (query) heads") { .integer($0.model.heads) }
            .field("kv_heads", "key/value heads (= heads for multi-head, fewer for GQA, 1 for MQA)") { .integer($0.model.kvHeads) }
            .field("head_dim", "hidden / heads") { .integer($0.model.headDim) }
            .field("ffn_hidden", "inner size of the dense feed-forward block") { .integer($0.model.ffnHidden) }
            .field("ffn", "gelu (2 matrices) or swiglu (3)") { .string($0.model.ffnKind.rawValue) }
            .field("vocab", "vocabulary size (unpadded)") { .integer($0.model.vocab) }
            .field("seq_len", "training sequence length, tokens") { .integer($0.model.seqLen) }
            .field("tied_embeddings", "whether the LM head reuses the embedding matrix") { .bool($0.model.tiedEmbeddings) }
            .field("position", "learned or rotary") { .string($0.model.position.rawValue) }
            .field("norm", "layernorm or rmsnorm") { .string($0.model.norm.rawValue) }
            .field("bias", "whether linear layers have biases") { .bool($0.model.linearBias) }
            .field("dropout", "whether training uses dropout (1-byte masks in activation memory)") { .bool($0.model.dropout) }
            .field("embedding_dim", "word-embedding width (= hidden unless factorised, as OPT-350M's 512)") { .integer($0.model.embeddingDim) }
            .field("moe", "nil for dense models, else { experts, top_k, expert_ffn, every, first_layer, blocks }") { h in
                guard let m = h.model.moe else { return .nil }
                return .record([("experts", .integer(m.experts)), ("top_k", .integer(m.topK)), ("expert_ffn", .integer(m.expertFFN)),
                                ("every", .integer(m.every)), ("first_layer", .integer(m.firstLayer)),
                                ("blocks", .integer(h.model.moeBlockCount))])
            }
            .field("source", "paper or model card of a preset; \"custom\" or \"derived from ...\" otherwise") { .string($0.source) }
            .method("flops_per_token", FunctionDoc(
                "Model:flops_per_token", "m:flops_per_token([{ attention = \"full\"|\"causal\", recompute = \"none\"|\"selective\"|\"full\" }]) -> number",
                "Training matmul FLOPs per token (forward + backward + recomputation) over every layer including the LM head, at tp = 1. With attention = \"full\" (default) the s×s matmuls count whole, as Megatron and PaLM's MFU do; \"causal\" halves them (Kaplan et al.). With recompute = \"full\" this is Narayanan et al. 2021's 96·B·s·l·h²(1 + s/6h + V/16lh) divided by B·s.",
                arguments: [("attention", "\"full\" (default) or \"causal\""), ("recompute", "\"none\" (default), \"selective\" or \"full\"")],
                returns: "FLOPs per token (a number); multiply by tokens per second for FLOP/s",
                example: exampleModel + "\nprint(m:flops_per_token() / 1e9, m:flops_per_token{ recompute = \"full\" } / 1e9)  -- GFLOP per token"
            )) { call in
                let m = try call.object(1, cls).model
                var attention = AttentionCounting.full, recompute = Recompute.none
                if !call.isNil(2) {
                    let o = try call.options(2, context: "flops_per_token")
                    attention = try o.string("attention").map(AttentionCounting.parse) ?? .full
                    recompute = try WorkloadSpecReader.recompute(o)
                    try o.finish()
                }
                return call.push(number: m.flopsPerToken(attention: attention, recompute: recompute))
            }
            .method("layer_cost", FunctionDoc(
                "Model:layer_cost", "m:layer_cost{ chip = ..., micro_batch = 1, tp = 1, recompute = \"none\", sequence_parallel = false, attention = \"full\", flash_attention = false, layer = i | kind = \"block\" } -> table",
                "Cost of one layer for one micro-batch on one chip of a tp-way tensor-parallel group (roofline model; FLOPs and bytes per chip). Times use this runtime's calibration (am.calibrate): a matching measured point is returned as measured, otherwise the chip's measured/analytical ratio rescales the roofline time. Without layer or kind: the first transformer block.",
                arguments: [
                    ("chip", "catalog id or Chip (required)"),
                    ("micro_batch", "sequences per micro-batch (default 1)"),
                    ("tp", "tensor-parallel degree; must divide heads, kv_heads and ffn_hidden (default 1)"),
                    ("recompute", "\"none\" (default), \"selective\" or \"full\""),
                    ("sequence_parallel", "Megatron sequence parallelism (default false)"),
                    ("attention", "\"full\" (default) or \"causal\" counting of the s×s attention matmuls (as m:flops_per_token)"),
                    ("flash_attention", "fused attention: no s×s scores in memory or activations, Q·K^T recomputed in backward (default false)"),
                    ("layer", "0-based layer index (0 = embedding, m.layers - 1 = LM head)"),
                    ("kind", "\"embedding\", \"block\", \"moe_block\" or \"lm_head\" (instead of layer)"),
                ],
                returns: "{ layer, kind, fwd_s, bwd_s (incl. recomputation), flops (fwd + bwd incl. recompute), fwd_flops, bwd_flops, recompute_flops, bytes, fwd_bytes, bwd_bytes (memory traffic of memory-bound ops), act_bytes (activations kept for backward), weight_bytes (16-bit weights), params, tp_comm_bytes, tp_collective, tp_fwd_collectives, tp_bwd_collectives, tp_bytes_per_collective, timing (roofline|measured|interpolated|rescaled) }",
                example: exampleModel + "\nlocal c = m:layer_cost{ chip = \"nvidia_a100_sxm4_80g\", micro_batch = 2, tp = 2 }\nprint(c.fwd_s, c.bwd_s, c.flops / 1e12, c.act_bytes / 1e9, c.timing)"
            )) { call in
                let m = try call.object(1, cls).model
                let o = try call.options(2, context: "layer_cost")
                let s = try WorkloadSpecReader.setting(o)
                let index = try o.integer("layer")
                let kindName = try o.choice("kind", LayerKind.allCases.map(\.rawValue))
                try o.finish()
                if index != nil && kindName != nil { throw LuaError.message("layer_cost: give 'layer' or 'kind', not both") }
                let layer: ModelLayer? = try index.map { try m.layer($0) }
                let firstBlock = try m.layer(1).kind
                let kind = layer?.kind ?? kindName.flatMap(LayerKind.init(rawValue:)) ?? firstBlock
                let c = try m.layerCost(kind: kind, chip: s.chip, microBatch: s.microBatch, tp: s.tp, recompute: s.recompute,
                                        sequenceParallel: s.sequenceParallel, calibration: call.runtime.calibration, options: s.options)
                return call.push(.record([("layer", layer.map { .integer($0.index) } ?? .nil), ("kind", .string(kind.rawValue))] + costRecord(c)))
            }
            .method("memory", FunctionDoc(
                "Model:memory", "m:memory{ chip = ..., tp = 1, pp = 1, pp_stage = 0, dp = 1, zero = 0, micro_batch = 1, recompute = \"none\", sequence_parallel = false, layers = { first, last }, in_flight = n, overhead_gb = 2, state_bytes = {...} } -> table",
                "Memory of one chip holding a tp-way slice of pipeline stage pp_stage of pp (blocks split evenly, the first stages taking the remainder; embedding on the first stage, LM head on the last), with mixed-precision Adam state (2 + 2 + 12 bytes per parameter, Rajbhandari et al. 2020) sharded by ZeRO stage `zero` over dp replicas. Calibration changes times only, never memory.",
                arguments: [
                    ("chip", "catalog id or Chip (required); its mem_gb is the capacity"),
                    ("tp, pp, pp_stage, dp", "parallel degrees and this chip's stage (0-based); defaults 1, 1, 0, 1"),
                    ("zero", "ZeRO stage 0-3: 1 shards optimizer state over dp, 2 also gradients, 3 also weights (default 0)"),
                    ("micro_batch", "sequences per micro-batch (default 1)"),
                    ("recompute, sequence_parallel, attention, flash_attention", "as in m:layer_cost"),
                    ("layers", "{ first, last }: 0-based inclusive layer indices this chip holds, instead of the even split"),
                    ("in_flight", "micro-batches of activations held at once (default 1F1B's pp - pp_stage)"),
                    ("overhead_gb", "framework overhead per chip, GB (default 2, an assumption)"),
                    ("state_bytes", "{ weight = 2, grad = 2, optimizer = 12 }: training-state bytes per parameter (grad = 4 for fp32 gradient accumulation, as Megatron's distributed optimizer)"),
                ],
                returns: "{ weights_bytes, grads_bytes, optimizer_bytes, activations_bytes, overhead_bytes, total_bytes, capacity_bytes, the same as _gb (10^9 bytes), fits (total <= capacity), params (held, before ZeRO), in_flight, first_layer, last_layer }",
                example: "local m = am.model \"llama2-70b\"\nlocal mem = m:memory{ chip = \"nvidia_h100_sxm5\", tp = 8, pp = 4, dp = 8, zero = 1 }\nprint(mem.total_gb, mem.capacity_gb, mem.fits)"
            )) { call in
                let m = try call.object(1, cls).model
                let o = try call.options(2, context: "memory")
                let s = try WorkloadSpecReader.setting(o)
                let pp = try o.integer("pp", default: 1), stage = try o.integer("pp_stage", default: 0)
                let dp = try o.integer("dp", default: 1), zero = try o.integer("zero", default: 0)
                let range = try WorkloadSpecReader.layerRange(o)
                let inFlight = try o.integer("in_flight")
                let overheadGB = try o.number("overhead_gb", default: TransformerModel.defaultOverheadBytes / 1e9)
                let state = try WorkloadSpecReader.stateBytes(o)
                try o.finish()
                guard overheadGB.isFinite, overheadGB >= 0 else { throw LuaError.message("memory: overhead_gb must be a number >= 0, got \(overheadGB)") }
                let r = try m.memory(chip: s.chip, tp: s.tp, pp: pp, ppStage: stage, dp: dp, zero: zero, microBatch: s.microBatch,
                                     recompute: s.recompute, sequenceParallel: s.sequenceParallel, layers: range,
                                     inFlight: inFlight, state: state, overheadBytes: overheadGB * 1e9, options: s.options)
                return call.push(.record(memoryRecord(r)))
            }
            .method("rows", FunctionDoc(
                "Model:rows", "m:rows{ chip = ..., micro_batch = 1, tp = 1, recompute = \"none\", sequence_parallel = false, attention = \"full\", flash_attention = false } -> rows",
                "One row per layer (embedding, blocks, LM head) for one micro-batch on one chip of a tp group, with this runtime's calibration applied to the times. `rows.columns` keeps the core's column order for am.csv.write: layer, kind, params, fwd_flop, bwd_flop, recompute_flop, fwd_mem_bytes, bwd_mem_bytes, fwd_s, bwd_s, activation_bytes, weight_bytes, tp_collective, tp_fwd_collectives, tp_bwd_collectives, tp_comm_bytes, timing.",
                arguments: [("chip", "catalog id or Chip (required)"), ("micro_batch, tp, recompute, sequence_parallel, attention, flash_attention", "as in m:layer_cost")],
                returns: "an array of m.layers rows keyed by column name",
                example: exampleModel + "\nam.csv.write(\"llama2_7b_layers.csv\", m:rows{ chip = \"nvidia_a100_sxm4_80g\", tp = 2 })"
            )) { call in
                let m = try call.object(1, cls).model
                let o = try call.options(2, context: "rows")
                let s = try WorkloadSpecReader.setting(o)
                try o.finish()
                let t = try m.rows(chip: s.chip, microBatch: s.microBatch, tp: s.tp, recompute: s.recompute,
                                   sequenceParallel: s.sequenceParallel, calibration: call.runtime.calibration, options: s.options)
                return call.push(.table(FieldTable(columns: t.columns, rows: t.rows.map { $0.map(fieldValue) })))
            }
            .describe { h in
                let m = h.model
                let kv = m.kvHeads == m.heads ? "" : " (\(m.kvHeads) kv)"
                let moe = m.moe.map { ", \($0.experts) experts top-\($0.topK)" } ?? ""
                return "Model(\(m.name): \(m.numLayers) blocks, hidden \(m.hidden), \(m.heads) heads\(kv)\(moe), seq \(m.seqLen), \(billions(m.params)) params)"
            }
            .equatable { $0.model == $1.model }
    }()

    /// A parameter count (exact in Double) as a Lua integer.
    static func count(_ d: Double) -> LuaValue { Int(exactly: d).map { .integer($0) } ?? .number(d) }

    static func billions(_ n: Int) -> String { String(format: "%.2fB", Double(n) / 1e9) }

    static func fieldValue(_ cell: TableCell) -> FieldValue {
        switch cell {
        case .integer(let i): return .integer(i)
        case .number(let d): return .number(d)
        case .text(let s): return .text(s)
        }
    }

    static func costRecord(_ c: LayerCost) -> [(String, LuaValue)] {
        [("fwd_s", .number(c.fwdSeconds)), ("bwd_s", .number(c.bwdSeconds)), ("flops", .number(c.fwdFlops + c.bwdFlops)),
         ("fwd_flops", .number(c.fwdFlops)), ("bwd_flops", .number(c.bwdFlops)), ("recompute_flops", .number(c.recomputeFlops)),
         ("bytes", .number(c.fwdBytes + c.bwdBytes)), ("fwd_bytes", .number(c.fwdBytes)), ("bwd_bytes", .number(c.bwdBytes)),
         ("act_bytes", .number(c.activationBytes)), ("weight_bytes", .number(c.weightBytes)), ("params", count(c.params)),
         ("tp_comm_bytes", .number(c.tpCommBytes)), ("tp_collective", .string(c.tpCollective.rawValue)),
         ("tp_fwd_collectives", .integer(c.tpForwardCollectives)), ("tp_bwd_collectives", .integer(c.tpBackwardCollectives)),
         ("tp_bytes_per_collective", .number(c.tpBytesPerCollective)), ("timing", .string(c.timing.rawValue))]
    }

    static func memoryRecord(_ r: MemoryBreakdown) -> [(String, LuaValue)] {
        let parts: [(String, Double)] = [("weights", r.weightsBytes), ("grads", r.gradientsBytes), ("optimizer", r.optimizerBytes),
                                         ("activations", r.activationsBytes), ("overhead", r.overheadBytes),
                                         ("total", r.totalBytes), ("capacity", r.capacityBytes)]
        return parts.map { ("\($0.0)_bytes", LuaValue.number($0.1)) } + parts.map { ("\($0.0)_gb", LuaValue.number($0.1 / 1e9)) }
            + [("fits", .bool(r.fits)), ("params", count(r.params)), ("in_flight", .integer(r.inFlight)),
               ("first_layer", .integer(r.layers.lowerBound)), ("last_layer", .integer(r.layers.upperBound - 1))]
    }

    static func register(_ rt: LuaRuntime) {
        rt.function(FunctionDoc(
            "am.model", "am.model(id) -> Model / am.model{ name = ..., layers = ..., hidden = ..., ... } -> Model / am.model{ base = id, field = value, ... } -> Model",
            "Looks up a preset (an unknown id is an error naming the closest ids; am.models() lists them), builds a custom decoder-only transformer, or derives one from a preset or Model (`base`) with some fields replaced. Shapes are checked: sizes >= 1, heads dividing hidden, kv_heads dividing heads, MoE top_k within experts; unknown keys are rejected. In a derived model kv_heads follows heads when the base was multi-head and embedding_dim follows hidden when it was not factorised; every other field (ffn_hidden too) keeps the base's value.",
            arguments: [
                ("id", "preset id, e.g. \"llama2-70b\""),
                ("base", "preset id or Model to derive from; without it layers, hidden, heads, vocab and seq_len are required"),
                ("name", "label used in tables and messages (default \"custom\", or the base's name)"),
                ("layers", "number of transformer blocks (alias `blocks`); note m.layers counts blocks + 2"),
                ("hidden, heads, kv_heads", "width, attention heads, key/value heads (default heads)"),
                ("ffn_hidden, ffn", "feed-forward inner size (default 4·hidden) and \"gelu\" (default) or \"swiglu\""),
                ("vocab, seq_len", "vocabulary size and training sequence length (tokens)"),
                ("tied_embeddings, bias, dropout", "booleans (default false)"),
                ("position, norm", "\"rotary\" (default) or \"learned\"; \"layernorm\" (default) or \"rmsnorm\""),
                ("embedding_dim", "word-embedding width when factorised (default hidden)"),
                ("moe", "{ experts, top_k, expert_ffn (default ffn_hidden), every = 1, first_layer = 0 }: MoE feed-forward on every `every`-th block from block first_layer"),
            ],
            returns: "a Model",
            example: """
            local big = am.model "llama2-70b"
            local mine = am.model{ name = "my-7b", layers = 32, hidden = 4096, ffn_hidden = 11008, ffn = "swiglu",
                                   heads = 32, kv_heads = 8, vocab = 32000, seq_len = 4096, norm = "rmsnorm",
                                   moe = { experts = 8, top_k = 2, expert_ffn = 14336 } }
            local long = am.model{ base = "llama2-7b", name = "llama2-7b-8k", seq_len = 8192 }
            print(big.params, mine.active_params, long)
            """
        )) { call in
            if call.isString(1) { return call.push(try WorkloadSpecReader.preset(call.string(1)), as: modelClass) }
            guard call.isTable(1) else { throw call.typeError(1, "string or table") }
            return call.push(try WorkloadSpecReader.model(from: call.options(1, context: "model")), as: modelClass)
        }

        rt.function(FunctionDoc(
            "am.models", "am.models() -> rows",
            "The built-in model presets in catalog order, one row each (id, params, active_params, blocks, hidden, heads, kv_heads, ffn_hidden, vocab, seq_len, source). `rows.columns` keeps that order for am.csv.write.",
            returns: "an array of rows; pass row.id to am.model",
            example: "for _, r in ipairs(am.models()) do print(r.id, r.params / 1e9) end"
        )) { call in
            let columns = ["id", "params", "active_params", "blocks", "hidden", "heads", "kv_heads", "ffn_hidden", "vocab", "seq_len", "source"]
            let rows: [[FieldValue?]] = TransformerModel.presetIds.compactMap { id in
                guard let p = try? TransformerModel.presetInfo(id) else { return nil }
                let m = p.model
                return [.text(id), .integer(m.params), .integer(m.activeParams), .integer(m.numLayers), .integer(m.hidden),
                        .integer(m.heads), .integer(m.kvHeads), .integer(m.ffnHidden), .integer(m.vocab), .integer(m.seqLen),
                        .text(p.source)]
            }
            return call.push(.table(FieldTable(columns: columns, rows: rows)))
        }
        // After the functions, so the reference lists them before the methods.
        rt.define(modelClass)
    }
}
