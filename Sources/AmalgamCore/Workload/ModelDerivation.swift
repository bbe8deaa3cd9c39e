extension TransformerModel {
    /// A copy with some fields replaced (nil keeps the field), validated like `init`.
    ///
    /// Two fields follow their partner when the original had them equal, because that
    /// equality is a property of the architecture rather than a separate choice:
    /// `kvHeads` follows `heads` for a multi-head model (kvHeads == heads), and
    /// `embeddingDim` follows `hidden` when the embedding was not factorised. Every other
    /// field keeps its value (e.g. `ffnHidden` is not rescaled with `hidden`).
    public func derived(
        name: String? = nil, layers: Int? = nil, hidden: Int? = nil, ffnHidden: Int? = nil, ffnKind: FFNKind? = nil,
        heads: Int? = nil, kvHeads: Int? = nil, vocab: Int? = nil, seqLen: Int? = nil, tiedEmbeddings: Bool? = nil,
        position: PositionEmbedding? = nil, norm: NormKind? = nil, linearBias: Bool? = nil, dropout: Bool? = nil,
        embeddingDim: Int? = nil, moe: MoEConfig? = nil
    ) throws -> TransformerModel {
        let newHidden = hidden ?? self.hidden
        let newHeads = heads ?? self.heads
        let kv = kvHeads ?? (self.kvHeads == self.heads ? newHeads : self.kvHeads)
        let emb = embeddingDim ?? (self.embeddingDim == self.hidden ? newHidden : self.embeddingDim)
        return try TransformerModel(
            name: name ?? self.name, layers: layers ?? numLayers, hidden: newHidden, ffnHidden: ffnHidden ?? self.ffnHidden,
            ffnKind: ffnKind ?? self.ffnKind, heads: newHeads, kvHeads: kv, vocab: vocab ?? self.vocab,
            seqLen: seqLen ?? self.seqLen, tiedEmbeddings: tiedEmbeddings ?? self.tiedEmbeddings,
            position: position ?? self.position, norm: norm ?? self.norm, linearBias: linearBias ?? self.linearBias,
            dropout: dropout ?? self.dropout, embeddingDim: emb, moe: moe ?? self.moe)
    }
}
