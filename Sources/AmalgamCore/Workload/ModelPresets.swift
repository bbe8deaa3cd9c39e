/// A named model shape with where its figures come from.
public struct ModelPreset: Sendable {
    /// Lookup id, e.g. `llama2-70b`.
    public let id: String
    /// Paper or model card giving the shape.
    public let source: String
    /// The model itself.
    public let model: TransformerModel
}

extension TransformerModel {
    /// Ids of every preset, in catalog order.
    public static var presetIds: [String] { ModelPresets.all.map(\.id) }

    /// The preset `id`; unknown ids raise an error naming close matches.
    public static func preset(_ id: String) throws -> TransformerModel {
        try presetInfo(id).model
    }

    /// The preset `id` with its source.
    public static func presetInfo(_ id: String) throws -> ModelPreset {
        guard let p = ModelPresets.all.first(where: { $0.id == id }) else {
            throw AmalgamError.unknown("model", id, among: presetIds)
        }
        return p
    }
}

/// The built-in catalog. Every shape is a literal from the cited source; a shape the
/// source does not give (dropout, biases) follows the model family's public code.
enum ModelPresets {
    // Built once. The shapes are literals; one that failed validation would be missing from
    // the catalog, which the preset tests catch (they list every expected id).
    static let all: [ModelPreset] = build()

    private static func build() -> [ModelPreset] {
        var out: [ModelPreset] = []
        func add(_ id: String, _ source: String, _ make: () throws -> TransformerModel) {
            if let m = try? make() { out.append(ModelPreset(id: id, source: source, model: m)) }
        }

        // GPT-3 family: Brown et al. 2020, "Language Models are Few-Shot Learners", Table 2.1
        // (n_layers, d_model, n_heads; n_ctx 2048; GPT-2 BPE vocabulary 50257; learned positions,
        // tied embeddings, LayerNorm and biases as in GPT-2, Radford et al. 2019).
        let gpt3 = "Brown et al. 2020 (arXiv:2005.14165) Table 2.1"
        for (id, l, h, a) in [("gpt3-125m", 12, 768, 12), ("gpt3-350m", 24, 1024, 16), ("gpt3-760m", 24, 1536, 16),
                              // 1.3B: Table 2.1 prints n_heads 24 with d_head 128, which does not
                              // tile d_model 2048; 16 heads of 128 keep d_head and d_model (the
                              // parameter count does not depend on the head split).
                              ("gpt3-1.3b", 24, 2048, 16), ("gpt3-2.7b", 32, 2560, 32), ("gpt3-6.7b", 32, 4096, 32),
                              // Table 2.1 prints d_model 5140 for 13B, but 40 heads x d_head 128 = 5120 (a typo).
                              ("gpt3-13b", 40, 5120, 40), ("gpt3-175b", 96, 12288, 96)] {
            add(id, gpt3) { try gptStyle(id, layers: l, hidden: h, heads: a, vocab: 50257, seq: 2048) }
        }

        // Megatron-LM weak-scaling configurations: Narayanan et al. SC'21 (arXiv:2104.04473) Table 1,
        // rows of reference/published/megatron_sc21_table1.csv (heads, hidden, layers; seq 2048, vocab 51200).
        let megatron = "Narayanan et al. 2021 (arXiv:2104.04473) Table 1"
        for (id, a, h, l) in [("megatron-1.7b", 24, 2304, 24), ("megatron-3.6b", 32, 3072, 30), ("megatron-7.5b", 32, 4096, 36),
                              ("megatron-18.4b", 48, 6144, 40), ("megatron-39.1b", 64, 8192, 48), ("megatron-76.1b", 80, 10240, 60),
                              ("megatron-145.6b", 96, 12288, 80), ("megatron-310.1b", 128, 16384, 96),
                              ("megatron-529.6b", 128, 20480, 105), ("megatron-1t", 160, 25600, 128)] {
            add(id, megatron) { try gptStyle(id, layers: l, hidden: h, heads: a, vocab: 51200, seq: 2048) }
        }

        // Llama 2: Touvron et al. 2023 (arXiv:2307.09288) Table 1 + the released params.json /
        // HF config.json (dim, n_layers, n_heads, n_kv_heads, ffn 11008/13824/28672, vocab 32000, ctx 4096).
        let llama2 = "Touvron et al. 2023 (arXiv:2307.09288); meta-llama/Llama-2-*-hf config.json"
        add("llama2-7b", llama2) { try llama("llama2-7b", layers: 32, hidden: 4096, ffn: 11008, heads: 32, kv: 32, vocab: 32000, seq: 4096) }
        add("llama2-13b", llama2) { try llama("llama2-13b", layers: 40, hidden: 5120, ffn: 13824, heads: 40, kv: 40, vocab: 32000, seq: 4096) }
        add("llama2-70b", llama2) { try llama("llama2-70b", layers: 80, hidden: 8192, ffn: 28672, heads: 64, kv: 8, vocab: 32000, seq: 4096) }

        // Llama 3: Dubey et al. 2024 "The Llama 3 Herd of Models" (arXiv:2407.21783) Table 3
        // (layers, model dim, FFN dim, heads, KV heads 8, vocab 128256); pre-training context 8192.
        let llama3 = "Dubey et al. 2024 (arXiv:2407.21783) Table 3"
        add("llama3-8b", llama3) { try llama("llama3-8b", layers: 32, hidden: 4096, ffn: 14336, heads: 32, kv: 8, vocab: 128256, seq: 8192) }
        add("llama3-70b", llama3) { try llama("llama3-70b", layers: 80, hidden: 8192, ffn: 28672, heads: 64, kv: 8, vocab: 128256, seq: 8192) }
        add("llama3-405b", llama3) { try llama("llama3-405b", layers: 126, hidden: 16384, ffn: 53248, heads: 128, kv: 8, vocab: 128256, seq: 8192) }

        // OPT: Zhang et al. 2022 (arXiv:2205.01068) Table 1 (layers, heads, d_model) and facebook/opt-*
        // config.json (ffn 4 x d_model, vocab 50272, OPT-350M word_embed_proj_dim 512).
        let opt = "Zhang et al. 2022 (arXiv:2205.01068) Table 1; facebook/opt-* config.json"
        add("opt-350m", opt) { try gptStyle("opt-350m", layers: 24, hidden: 1024, heads: 16, vocab: 50272, seq: 2048, embeddingDim: 512) }
        add("opt-1.3b", opt) { try gptStyle("opt-1.3b", layers: 24, hidden: 2048, heads: 32, vocab: 50272, seq: 2048) }

        // GPT-Neo 2.7B: EleutherAI/gpt-neo-2.7B config.json (num_heads 20, hidden 2560,
        // 32 layers, vocab 50257, max positions 2048). Its q/k/v projections have no bias; that
        // 0.25M-parameter difference is ignored (biases are modelled on all linear layers).
        add("gpt-neo-2.7b", "EleutherAI/gpt-neo-2.7B config.json (Black et al. 2021)") {
            try gptStyle("gpt-neo-2.7b", layers: 32, hidden: 2560, heads: 20, vocab: 50257, seq: 2048)
        }

        // Mixtral 8x7B: Jiang et al. 2024 (arXiv:2401.04088) Table 1 (dim 4096, 32 layers, head_dim 128,
        // 32 heads, 8 KV heads, hidden_dim 14336, 8 experts, top-2, vocab 32000, context 32768).
        add("mixtral-8x7b", "Jiang et al. 2024 (arXiv:2401.04088) Table 1") {
            try TransformerModel(
                name: "mixtral-8x7b", layers: 32, hidden: 4096, ffnHidden: 14336, ffnKind: .swiglu, heads: 32, kvHeads: 8,
                vocab: 32000, seqLen: 32768, tiedEmbeddings: false, position: .rotary, norm: .rmsnorm,
                linearBias: false, dropout: false, moe: MoEConfig(experts: 8, topK: 2, expertFFN: 14336))
        }
        return out
    }

    /// GPT-2/3-style: GELU 4h feed-forward, learned positions, tied embeddings, LayerNorm, biases, dropout.
    private static func gptStyle(_ name: String, layers: Int, hidden: Int, heads: Int, vocab: Int, seq: Int,
                                 embeddingDim: Int? = nil) throws -> TransformerModel {
        try TransformerModel(
            name: name, layers: layers, hidden: hidden, ffnHidden: 4 * hidden, ffnKind: .gelu, heads: heads,
            vocab: vocab, seqLen: seq, tiedEmbeddings: true, position: .learned, norm: .layernorm,
            linearBias: true, dropout: true, embeddingDim: embeddingDim)
    }

    /// Llama-style: SwiGLU, RoPE, RMSNorm, no biases, no dropout, untied output matrix.
    private static func llama(_ name: String, layers: Int, hidden: Int, ffn: Int, heads: Int, kv: Int,
                              vocab: Int, seq: Int) throws -> TransformerModel {
        try TransformerModel(
            name: name, layers: layers, hidden: hidden, ffnHidden: ffn, ffnKind: .swiglu, heads: heads, kvHeads: kv,
            vocab: vocab, seqLen: seq, tiedEmbeddings: false, position: .rotary, norm: .rmsnorm,
            linearBias: false, dropout: false)
    }
}
