/// The feed-forward block's shape, which sets how many h×f matrices it holds.
public enum FFNKind: String, Sendable, CaseIterable, Codable {
    /// `W2 · gelu(W1 · x)`: two matrices (GPT-2/3, OPT, Megatron).
    case gelu
    /// `W2 · (silu(Wg · x) ⊙ (Wu · x))`: three matrices (Llama, Mixtral).
    case swiglu

    /// Number of h×f weight matrices in one feed-forward block.
    public var matrices: Int { self == .gelu ? 2 : 3 }
}

/// Normalisation layer type; LayerNorm has a bias vector, RMSNorm does not.
public enum NormKind: String, Sendable, CaseIterable, Codable {
    /// Weight and bias vectors (GPT, OPT).
    case layernorm
    /// Weight vector only (Llama, Mixtral).
    case rmsnorm
}

/// How positions enter the model; learned tables hold `seq × hidden` parameters.
public enum PositionEmbedding: String, Sendable, CaseIterable, Codable {
    /// A learned `seq × hidden` table added to the token embedding (GPT, OPT).
    case learned
    /// Rotary embedding applied to Q and K (Llama); no parameters.
    case rotary
}

/// Mixture-of-experts feed-forward blocks replacing some dense ones.
public struct MoEConfig: Sendable, Equatable, Hashable, Codable {
    /// Experts per MoE block.
    public var experts: Int
    /// Experts each token is routed to.
    public var topK: Int
    /// Inner size of one expert's feed-forward block.
    public var expertFFN: Int
    /// Every `every`-th block from `firstLayer` on is MoE (1 = all blocks, 2 = every other one).
    public var every: Int
    /// Index (0-based, among transformer blocks) of the first MoE block.
    public var firstLayer: Int

    /// Builds the configuration; `TransformerModel.init` validates it against the model.
    public init(experts: Int, topK: Int, expertFFN: Int, every: Int = 1, firstLayer: Int = 0) {
        self.experts = experts; self.topK = topK; self.expertFFN = expertFFN
        self.every = every; self.firstLayer = firstLayer
    }
}

/// The kind of one pipeline-placeable layer of a model.
public enum LayerKind: String, Sendable, CaseIterable, Codable {
    /// Token (and learned position) embedding, plus the input projection of factorised embeddings.
    case embedding
    /// A dense transformer block: norm, attention, residual, norm, feed-forward, residual.
    case block
    /// A transformer block whose feed-forward part is a mixture of experts.
    case moeBlock = "moe_block"
    /// Final norm, output projection to the vocabulary and the loss.
    case lmHead = "lm_head"
}

/// One placeable layer: its position in the model's layer list and its kind.
public struct ModelLayer: Sendable, Equatable, Hashable {
    /// Index in `TransformerModel.layers` (0 = embedding, last = LM head).
    public var index: Int
    /// What the layer is.
    public var kind: LayerKind
}

/// A decoder-only transformer, as a list of layers: embedding, `numLayers` blocks, LM head.
///
/// All shapes are validated once here so cost and memory queries only check the
/// parallel configuration. Sizes are Int for exactness; arithmetic on them is done in
/// Double so no user-supplied size can overflow (totals are capped at 10^15 parameters).
public struct TransformerModel: Sendable, Equatable, Hashable {
    /// Preset id or user label; used in tables and calibration messages.
    public private(set) var name: String
    /// Number of transformer blocks (the embedding and LM head are extra layers).
    public private(set) var numLayers: Int
    /// Model width (d_model).
    public private(set) var hidden: Int
    /// Inner size of the dense feed-forward block.
    public private(set) var ffnHidden: Int
    /// GELU (2 matrices) or SwiGLU (3 matrices).
    public private(set) var ffnKind: FFNKind
    /// Attention (query) heads.
    public private(set) var heads: Int
    /// Key/value heads: equal to `heads` for multi-head, fewer for GQA, 1 for MQA.
    public private(set) var kvHeads: Int
    /// Vocabulary size (unpadded; Megatron's padding to a multiple of 128·tp is not modelled).
    public private(set) var vocab: Int
    /// Training sequence length, tokens.
    public private(set) var seqLen: Int
    /// Whether the LM head reuses the embedding matrix (counted once in `params`).
    public private(set) var tiedEmbeddings: Bool
    /// Learned or rotary positions.
    public private(set) var position: PositionEmbedding
    /// LayerNorm or RMSNorm.
    public private(set) var norm: NormKind
    /// Whether linear layers carry bias vectors (GPT/OPT yes, Llama no).
    public private(set) var linearBias: Bool
    /// Whether the model trains with dropout, which stores 1-byte masks (Korthikanti et al. 2022).
    public private(set) var dropout: Bool
    /// Width of the word embedding when it differs from `hidden` (OPT-350M: 512, with
    /// project-in/out matrices); equal to `hidden` otherwise.
    public private(set) var embeddingDim: Int
    /// Mixture-of-experts configuration, nil for a dense model.
    public private(set) var moe: MoEConfig?

    /// Validates every size; errors name the field, the value and the constraint.
    /// Defaults describe a plain GPT-style block (GELU with `ffnHidden = 4·hidden`, multi-head
    /// attention, LayerNorm) with rotary positions, untied output, no biases and no dropout;
    /// presets set every field explicitly.
    public init(
        name: String = "custom", layers: Int, hidden: Int, ffnHidden: Int? = nil, ffnKind: FFNKind = .gelu,
        heads: Int, kvHeads: Int? = nil, vocab: Int, seqLen: Int, tiedEmbeddings: Bool = false,
        position: PositionEmbedding = .rotary, norm: NormKind = .layernorm, linearBias: Bool = false,
        dropout: Bool = false, embeddingDim: Int? = nil, moe: MoEConfig? = nil
    ) throws {
        self.name = name; self.numLayers = layers; self.hidden = hidden
        self.ffnHidden = ffnHidden ?? (hidden.multipliedReportingOverflow(by: 4).partialValue); self.ffnKind = ffnKind
        self.heads = heads; self.kvHeads = kvHeads ?? heads; self.vocab = vocab; self.seqLen = seqLen
        self.tiedEmbeddings = tiedEmbeddings; self.position = position; self.norm = norm
        self.linearBias = linearBias; self.dropout = dropout; self.embeddingDim = embeddingDim ?? hidden
        self.moe = moe
        try validate()
    }

    private func validate() throws {
        func positive(_ field: String, _ v: Int) throws {
            guard v >= 1 else { throw AmalgamError("model '\(name)': \(field) must be >= 1, got \(v)") }
            // Keeps products of sizes exactly representable in Double.
            guard v <= 100_000_000 else { throw AmalgamError("model '\(name)': \(field) = \(v) is too large (max 100000000)") }
        }
        try positive("layers", numLayers); try positive("hidden", hidden); try positive("ffn_hidden", ffnHidden)
        try positive("heads", heads); try positive("kv_heads", kvHeads); try positive("vocab", vocab)
        try positive("seq_len", seqLen); try positive("embedding_dim", embeddingDim)
        guard hidden % heads == 0 else {
            throw AmalgamError("model '\(name)': heads (\(heads)) must divide hidden (\(hidden)) so every head has the same size")
        }
        guard heads % kvHeads == 0 else {
            throw AmalgamError("model '\(name)': kv_heads (\(kvHeads)) must divide heads (\(heads)) for grouped-query attention")
        }
        if let m = moe {
            try positive("moe.experts", m.experts); try positive("moe.expert_ffn", m.expertFFN); try positive("moe.every", m.every)
            guard (1...m.experts).contains(m.topK) else {
                throw AmalgamError("model '\(name)': moe.top_k must be in 1...\(m.experts) (the number of experts), got \(m.topK)")
            }
            guard (0..<numLayers).contains(m.firstLayer) else {
                throw AmalgamError("model '\(name)': moe.first_layer must be in 0..<\(numLayers) (block indices), got \(m.firstLayer)")
            }
        }
        guard paramsDouble <= 1e15 else {
            throw AmalgamError("model '\(name)': \(paramsDouble) parameters is beyond the supported 1e15")
        }
    }

    // MARK: Layers

    /// Number of placeable layers: embedding + blocks + LM head.
    public var layerCount: Int { numLayers + 2 }

    /// The placeable layers in order (what pipeline planners split into stages).
    public var layers: [ModelLayer] { (0..<layerCount).map { ModelLayer(index: $0, kind: kind(ofLayer: $0)) } }

    /// Kind of layer `index` (assumed in range; `layer(_:)` checks).
    func kind(ofLayer index: Int) -> LayerKind {
        if index == 0 { return .embedding }
        if index == numLayers + 1 { return .lmHead }
        return isMoEBlock(index - 1) ? .moeBlock : .block
    }

    /// Whether transformer block `block` (0-based among blocks) has an MoE feed-forward part.
    public func isMoEBlock(_ block: Int) -> Bool {
        guard let m = moe, block >= m.firstLayer else { return false }
        return (block - m.firstLayer) % m.every == 0
    }

    /// The layer at `index`, or an error naming the valid range.
    public func layer(_ index: Int) throws -> ModelLayer {
        guard (0..<layerCount).contains(index) else {
            throw AmalgamError("layer index \(index) out of range 0..<\(layerCount) (0 = embedding, \(layerCount - 1) = lm_head)")
        }
        return ModelLayer(index: index, kind: kind(ofLayer: index))
    }

    /// Number of MoE blocks in the model.
    public var moeBlockCount: Int {
        // Blocks first, first + every, ... below numLayers (first < numLayers is validated).
        guard let m = moe, m.firstLayer < numLayers else { return 0 }
        return (numLayers - 1 - m.firstLayer) / m.every + 1
    }

    /// MoE blocks among the layers `range` (layer indices), in O(1).
    func moeBlocks(inLayers range: Range<Int>) -> Int {
        guard let m = moe else { return 0 }
        // MoE blocks below block index x: first, first + every, ... < x.
        func below(_ x: Int) -> Int { x <= m.firstLayer ? 0 : (x - 1 - m.firstLayer) / m.every + 1 }
        let lo = min(max(range.lowerBound - 1, 0), numLayers), hi = min(max(range.upperBound - 1, 0), numLayers)
        return max(0, below(hi) - below(lo))
    }

    /// Key of the transformer-block shape (everything a block's cost depends on except
    /// `numLayers`, vocabulary and sequence), used to match calibration points.
    public var blockShapeKey: String {
        var key = "h\(hidden)_a\(heads)_kv\(kvHeads)_f\(ffnHidden)_\(ffnKind.rawValue)_\(norm.rawValue)"
        key += linearBias ? "_bias" : ""
        key += dropout ? "_dropout" : ""
        key += position == .rotary ? "_rope" : ""
        if let m = moe { key += "_moe\(m.experts)x\(m.expertFFN)top\(m.topK)" }
        return key
    }

    // MARK: Parameters

    /// Width of one attention head.
    public var headDim: Int { hidden / heads }

    /// Total parameters (shared embedding counted once when tied).
    public var params: Int { Int(paramsDouble) }

    /// Parameters of layer `index` on one chip of a `tp`-way tensor-parallel group.
    /// With tied embeddings the LM head's matrix belongs to the embedding layer here;
    /// memory accounting adds the copy a separate last pipeline stage holds.
    public func params(ofLayer index: Int, tp: Int = 1) throws -> Int {
        let l = try layer(index)
        try validateTP(tp)
        return Int(paramCount(l.kind, tp: Double(tp)))
    }

    /// Non-embedding parameters (all blocks plus the final norm), as in Kaplan et al. 2020's N.
    public var nonEmbeddingParams: Int {
        let dense = Double(numLayers - moeBlockCount) * paramCount(.block, tp: 1)
        let sparse = Double(moeBlockCount) * paramCount(.moeBlock, tp: 1)
        return Int(dense + sparse + normParams)
    }

    /// Parameters touched per token: MoE blocks count `topK` experts instead of all.
    public var activeParams: Int {
        guard let m = moe else { return params }
        let inactive = Double(m.experts - m.topK) * expertParams(m, tp: 1)
        return Int(paramsDouble - Double(moeBlockCount) * inactive)
    }

    var paramsDouble: Double {
        var total = 0.0
        for kind in LayerKind.allCases {
            let n: Double
            switch kind {
            case .embedding, .lmHead: n = 1
            case .block: n = Double(numLayers - moeBlockCount)
            case .moeBlock: n = Double(moeBlockCount)
            }
            if n > 0 { total += n * paramCount(kind, tp: 1) }
        }
        return total
    }

    var normParams: Double { Double(hidden) * (norm == .layernorm ? 2 : 1) }
    var kvWidth: Double { Double(kvHeads * headDim) }

    /// Parameters of one expert (or dense) feed-forward block with inner size `f`.
    private func ffnParams(_ f: Double, tp: Double) -> Double {
        let h = Double(hidden), mats = Double(ffnKind.matrices)
        var p = mats * h * f / tp
        if linearBias { p += (mats - 1) * f / tp + h }   // input biases split, output bias replicated
        return p
    }

    private func expertParams(_ m: MoEConfig, tp: Double) -> Double { ffnParams(Double(m.expertFFN), tp: tp) }

    /// Per-chip parameters of one layer of `kind`: column-parallel matrices and their
    /// biases split over tp, row-parallel output biases, norms and routers replicated.
    func paramCount(_ kind: LayerKind, tp: Double) -> Double {
        let h = Double(hidden), e = Double(embeddingDim), v = Double(vocab)
        let projection = embeddingDim == hidden ? 0 : e * h
        switch kind {
        case .embedding:
            return v * e / tp + (position == .learned ? Double(seqLen) * h : 0) + projection
        case .lmHead:
            return normParams + (tiedEmbeddings ? 0 : v * e / tp) + projection
        case .block, .moeBlock:
            var attn = h * (2 * h + 2 * kvWidth) / tp
            if linearBias { attn += (h + 2 * kvWidth) / tp + h }
            let ffn: Double
            if kind == .moeBlock, let m = moe {
                ffn = Double(m.experts) * expertParams(m, tp: tp) + h * Double(m.experts)
            } else {
                ffn = ffnParams(Double(ffnHidden), tp: tp)
            }
            return attn + ffn + 2 * normParams
        }
    }

    /// Checks that `tp` splits heads, KV heads and feed-forward widths evenly.
    public func validateTP(_ tp: Int) throws {
        guard tp >= 1 else { throw AmalgamError("tp must be >= 1, got \(tp)") }
        guard heads % tp == 0 else {
            throw AmalgamError("tp (\(tp)) must divide heads (\(heads)) of model '\(name)'")
        }
        guard kvHeads % tp == 0 else {
            throw AmalgamError("tp (\(tp)) must divide kv_heads (\(kvHeads)) of model '\(name)'")
        }
        guard ffnHidden % tp == 0 else {
            throw AmalgamError("tp (\(tp)) must divide ffn_hidden (\(ffnHidden)) of model '\(name)'")
        }
        if let m = moe, m.expertFFN % tp != 0 {
            throw AmalgamError("tp (\(tp)) must divide moe.expert_ffn (\(m.expertFFN)) of model '\(name)'")
        }
    }

    /// A copy with another sequence length (validated).
    public func withSeqLen(_ seq: Int) throws -> TransformerModel {
        var m = self
        m.seqLen = seq
        try m.validate()
        return m
    }
}
