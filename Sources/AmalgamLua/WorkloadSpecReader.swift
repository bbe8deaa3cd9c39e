import AmalgamCore

/// A model as Lua sees it: the core model and where its shape comes from.
struct ModelHandle: Equatable {
    var model: TransformerModel
    /// Paper or model card for presets; "custom" or "derived from <id>" otherwise.
    var source: String
}

/// The per-micro-batch setting shared by `m:layer_cost`, `m:memory` and `m:rows`.
struct WorkloadSetting {
    var chip: Chip
    var microBatch: Int
    var tp: Int
    var recompute: Recompute
    var sequenceParallel: Bool
    /// Attention counting and fused attention.
    var options: CostOptions
}

/// Reads the option tables of the workload bindings into core values. Conversion only:
/// every range and consistency check is the core's (`TransformerModel.init`, `LayerQuery`,
/// `validateTP`), so Lua and Swift callers get the same messages.
enum WorkloadSpecReader {
    /// A preset by id; unknown ids name the closest presets.
    static func preset(_ id: String) throws -> ModelHandle {
        let p = try TransformerModel.presetInfo(id)
        return ModelHandle(model: p.model, source: p.source)
    }

    /// A Model object or a preset id in argument `n`.
    static func model(_ call: LuaCall, _ n: Int32) throws -> ModelHandle {
        if call.isString(n) { return try preset(call.string(n)) }
        return try call.object(n, WorkloadBindings.modelClass)
    }

    /// `am.model{ ... }`: a custom model, or a derived one with `base`. Finishes `o`.
    static func model(from o: LuaOptions) throws -> ModelHandle {
        let base: ModelHandle?
        switch try o.stringOrObject("base", WorkloadBindings.modelClass) {
        case nil: base = nil
        case .string(let id)?: base = try preset(id)
        case .object(let m)?: base = m
        }
        let name = try o.string("name")
        let layers = try o.integer("layers"), blocks = try o.integer("blocks")
        if layers != nil && blocks != nil {
            throw LuaError.message("\(o.context): give 'layers' or 'blocks', not both (both mean the number of transformer blocks)")
        }
        let blockCount = layers ?? blocks
        let hidden = try o.integer("hidden"), ffnHidden = try o.integer("ffn_hidden")
        let ffn = try o.choice("ffn", FFNKind.allCases.map(\.rawValue)).flatMap(FFNKind.init(rawValue:))
        let heads = try o.integer("heads"), kvHeads = try o.integer("kv_heads")
        let vocab = try o.integer("vocab"), seqLen = try o.integer("seq_len")
        let tied = try o.bool("tied_embeddings")
        let position = try o.choice("position", PositionEmbedding.allCases.map(\.rawValue)).flatMap(PositionEmbedding.init(rawValue:))
        let norm = try o.choice("norm", NormKind.allCases.map(\.rawValue)).flatMap(NormKind.init(rawValue:))
        let bias = try o.bool("bias"), dropout = try o.bool("dropout")
        let embeddingDim = try o.integer("embedding_dim")
        let moe = try o.table("moe") { t in
            MoEConfig(experts: try t.requiredInteger("experts"), topK: try t.requiredInteger("top_k"),
                      expertFFN: try t.integer("expert_ffn") ?? ffnHidden ?? base?.model.ffnHidden ?? 0,
                      every: try t.integer("every", default: 1), firstLayer: try t.integer("first_layer", default: 0))
        }
        try o.finish()

        if let base {
            let m = try base.model.derived(
                name: name, layers: blockCount, hidden: hidden, ffnHidden: ffnHidden, ffnKind: ffn, heads: heads,
                kvHeads: kvHeads, vocab: vocab, seqLen: seqLen, tiedEmbeddings: tied, position: position, norm: norm,
                linearBias: bias, dropout: dropout, embeddingDim: embeddingDim, moe: moe)
            return ModelHandle(model: m, source: "derived from \(base.model.name) (\(base.source))")
        }
        func required(_ key: String, _ v: Int?) throws -> Int {
            guard let v else { throw LuaError.message("\(o.context): option '\(key)' is required (an integer) unless 'base' is given") }
            return v
        }
        let m = try TransformerModel(
            name: name ?? "custom", layers: try required("layers", blockCount), hidden: try required("hidden", hidden),
            ffnHidden: ffnHidden, ffnKind: ffn ?? .gelu, heads: try required("heads", heads), kvHeads: kvHeads,
            vocab: try required("vocab", vocab), seqLen: try required("seq_len", seqLen), tiedEmbeddings: tied ?? false,
            position: position ?? .rotary, norm: norm ?? .layernorm, linearBias: bias ?? false, dropout: dropout ?? false,
            embeddingDim: embeddingDim, moe: moe)
        return ModelHandle(model: m, source: "custom")
    }

    /// The `chip` option: a catalog id or a Chip object (required).
    static func chip(_ o: LuaOptions) throws -> Chip {
        switch try o.stringOrObject("chip", HardwareBindings.chipClass) {
        case nil: throw LuaError.message("\(o.context): option 'chip' is required (a catalog id such as \"nvidia_a100_sxm4_80g\" or a Chip from am.chip)")
        case .string(let id)?: return try ChipCatalog.chip(id)
        case .object(let chip)?: return chip
        }
    }

    /// The `recompute` option (default none).
    static func recompute(_ o: LuaOptions) throws -> Recompute {
        try o.string("recompute").map(Recompute.parse) ?? .none
    }

    /// chip, micro_batch (default 1), tp (default 1), recompute, sequence_parallel,
    /// attention ("full"|"causal"), flash_attention.
    static func setting(_ o: LuaOptions) throws -> WorkloadSetting {
        var options = CostOptions.standard
        options.attention = try o.string("attention").map(AttentionCounting.parse) ?? .full
        options.flashAttention = try o.bool("flash_attention") ?? false
        return WorkloadSetting(chip: try chip(o), microBatch: try o.integer("micro_batch", default: 1), tp: try o.integer("tp", default: 1),
                               recompute: try recompute(o), sequenceParallel: try o.bool("sequence_parallel") ?? false, options: options)
    }

    /// `state_bytes = { weight = 2, grad = 2, optimizer = 12 }`: training-state bytes per parameter.
    static func stateBytes(_ o: LuaOptions) throws -> TrainingStateBytes {
        try o.table("state_bytes") { t in
            let d = TrainingStateBytes.standard
            return try TrainingStateBytes(weight: try t.number("weight", default: d.weight), gradient: try t.number("grad", default: d.gradient),
                                          optimizer: try t.number("optimizer", default: d.optimizer))
        } ?? .standard
    }

    /// `layers = { first, last }` (0-based, inclusive) as a half-open range.
    static func layerRange(_ o: LuaOptions) throws -> Range<Int>? {
        try o.table("layers") { t -> Range<Int> in
            let v = try t.numbers()
            guard v.count == 2, let first = Int(exactly: v[0]), let last = Int(exactly: v[1]) else {
                throw LuaError.message("\(t.context) must be { first, last }: two integer layer indices (0-based, inclusive)")
            }
            guard first <= last, last < Int.max else {
                throw LuaError.message("\(t.context): first (\(first)) must be <= last (\(last))")
            }
            return first..<(last + 1)
        }
    }
}
