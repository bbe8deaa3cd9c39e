/// Per-layer costs of one model for one chip and parallel setting, with O(1) sums over
/// layer ranges. Identical blocks are evaluated once: a model has at most four distinct
/// layer costs (embedding, dense block, MoE block, LM head), so building a table costs
/// four roofline evaluations whatever the depth, and planners can query any stage range
/// without re-evaluating.
public struct CostTable: Sendable {
    /// The model the table describes.
    public let model: TransformerModel
    /// The chip the times are for.
    public let chip: Chip
    /// Micro-batch, tp, recompute and sequence parallelism of every entry.
    public let query: LayerQuery
    private let embedding: LayerCost, block: LayerCost, moeBlock: LayerCost, lmHead: LayerCost

    init(model: TransformerModel, chip: Chip, query: LayerQuery, calibration: Calibration?, options: CostOptions) throws {
        try chip.validateForCost()
        try model.validateTP(query.tp)
        self.model = model; self.chip = chip; self.query = query
        let ratios = calibration?.ratios(chip: chip, tp: query.tp, options: options)
        func cost(_ kind: LayerKind) -> LayerCost {
            CostTable.calibrated(kind, model: model, chip: chip, query: query, calibration: calibration, ratios: ratios, options: options)
        }
        embedding = cost(.embedding); lmHead = cost(.lmHead)
        let moeCount = model.moeBlockCount
        block = moeCount < model.numLayers ? cost(.block) : .zero
        moeBlock = moeCount > 0 ? cost(.moeBlock) : .zero
    }

    /// The roofline cost with the measured-data store applied (measured or interpolated
    /// points first, then the chip's ratios; see ``Calibration``).
    static func calibrated(_ kind: LayerKind, model: TransformerModel, chip: Chip, query: LayerQuery,
                           calibration: Calibration?, ratios: (fwd: Double, bwd: Double, includesTPCommunication: Bool)?,
                           options: CostOptions) -> LayerCost {
        var c = model.analyticCost(kind, query, chip: chip, options: options)
        if let m = calibration?.measured(chip: chip, model: model, kind: kind, query: query) {
            c.fwdSeconds = m.fwd; c.bwdSeconds = m.bwd; c.timing = m.source
            // Measured layer times include their tensor-parallel communication.
            c.tpForwardCollectivesMeasured = c.tpForwardCollectives
            c.tpBackwardCollectivesMeasured = c.tpBackwardCollectives
        } else if let r = ratios {
            c.fwdSeconds *= r.fwd; c.bwdSeconds *= r.bwd; c.timing = .rescaled
            if r.includesTPCommunication {
                // The ratio came from measurements at this tp, communication included.
                c.tpForwardCollectivesMeasured = c.tpForwardCollectives
                c.tpBackwardCollectivesMeasured = c.tpBackwardCollectives
            }
        }
        return c
    }

    /// Checks that the model has a layer of `kind`.
    static func check(_ kind: LayerKind, in model: TransformerModel) throws {
        switch kind {
        case .embedding, .lmHead: return
        case .block:
            guard model.moeBlockCount < model.numLayers else {
                throw AmalgamError("model '\(model.name)' has no dense blocks (every block is MoE); use kind 'moe_block'")
            }
        case .moeBlock:
            guard model.moeBlockCount > 0 else {
                throw AmalgamError("model '\(model.name)' has no MoE blocks; use kind 'block'")
            }
        }
    }

    /// Cost of one layer of `kind`; an error when the model has no such layer.
    public func cost(kind: LayerKind) throws -> LayerCost {
        try CostTable.check(kind, in: model)
        switch kind {
        case .embedding: return embedding
        case .lmHead: return lmHead
        case .block: return block
        case .moeBlock: return moeBlock
        }
    }

    /// Cost of layer `index` (0 = embedding, `layerCount - 1` = LM head).
    public func layer(_ index: Int) throws -> LayerCost {
        try cost(kind: model.layer(index).kind)
    }

    /// Sum over `layers` (a half-open range of layer indices), in O(1).
    public func cost(layers range: Range<Int>) throws -> LayerCost {
        guard range.lowerBound >= 0, range.upperBound <= model.layerCount, !range.isEmpty else {
            throw AmalgamError("layer range \(range.lowerBound)..<\(range.upperBound) must be a non-empty part of 0..<\(model.layerCount)")
        }
        let moe = model.moeBlocks(inLayers: range)
        let hasEmbedding = range.lowerBound == 0, hasHead = range.upperBound == model.layerCount
        let blocks = range.count - moe - (hasEmbedding ? 1 : 0) - (hasHead ? 1 : 0)
        var total = LayerCost.zero
        if hasEmbedding { total = total + embedding }
        if blocks > 0 { total = total + block.repeated(blocks) }
        if moe > 0 { total = total + moeBlock.repeated(moe) }
        if hasHead { total = total + lmHead }
        return total
    }

    /// Sum over every layer of the model.
    public var total: LayerCost {
        (try? cost(layers: 0..<model.layerCount)) ?? .zero
    }
}

extension TransformerModel {
    /// Cost of layer `index` for one micro-batch on one chip of a `tp`-way group.
    public func layerCost(_ index: Int, chip: Chip, microBatch: Int, tp: Int = 1, recompute: Recompute = .none,
                          sequenceParallel: Bool = false, calibration: Calibration? = nil,
                          options: CostOptions = .standard) throws -> LayerCost {
        let l = try layer(index)
        return try layerCost(kind: l.kind, chip: chip, microBatch: microBatch, tp: tp, recompute: recompute,
                             sequenceParallel: sequenceParallel, calibration: calibration, options: options)
    }

    /// Cost of one layer of `kind` (every block of a kind costs the same).
    public func layerCost(kind: LayerKind, chip: Chip, microBatch: Int, tp: Int = 1, recompute: Recompute = .none,
                          sequenceParallel: Bool = false, calibration: Calibration? = nil,
                          options: CostOptions = .standard) throws -> LayerCost {
        let q = try LayerQuery(microBatch: microBatch, tp: tp, recompute: recompute, sequenceParallel: sequenceParallel)
        try chip.validateForCost()
        try validateTP(tp)
        try CostTable.check(kind, in: self)
        return CostTable.calibrated(kind, model: self, chip: chip, query: q, calibration: calibration,
                                    ratios: calibration?.ratios(chip: chip, tp: q.tp, options: options), options: options)
    }

    /// The per-layer cost table for one chip and setting (build once, query many ranges).
    public func costTable(chip: Chip, microBatch: Int, tp: Int = 1, recompute: Recompute = .none,
                          sequenceParallel: Bool = false, calibration: Calibration? = nil,
                          options: CostOptions = .standard) throws -> CostTable {
        let q = try LayerQuery(microBatch: microBatch, tp: tp, recompute: recompute, sequenceParallel: sequenceParallel)
        return try CostTable(model: self, chip: chip, query: q, calibration: calibration, options: options)
    }

    /// Sum of the costs of `layers` (e.g. one pipeline stage).
    public func stageCost(layers: Range<Int>, chip: Chip, microBatch: Int, tp: Int = 1, recompute: Recompute = .none,
                          sequenceParallel: Bool = false, calibration: Calibration? = nil,
                          options: CostOptions = .standard) throws -> LayerCost {
        try costTable(chip: chip, microBatch: microBatch, tp: tp, recompute: recompute, sequenceParallel: sequenceParallel,
                      calibration: calibration, options: options).cost(layers: layers)
    }

    /// Training matmul FLOPs (forward + backward + recomputation) per token over all layers,
    /// at tp = 1. Includes the LM head (`6·h·V` per token, never recomputed) and, with `.full`
    /// counting, `12·L·s·h` of attention (6 with `.causal`, Kaplan et al. 2020's accounting).
    /// With `.full` recomputation this is Narayanan et al. 2021's `96·B·s·l·h²(1 + s/6h + V/16lh)`
    /// divided by B·s, exactly, for GPT shapes.
    public func flopsPerToken(attention: AttentionCounting = .full, recompute: Recompute = .none) -> Double {
        var options = CostOptions.standard
        options.attention = attention
        let q = LayerQuery(unchecked: 1, tp: 1, recompute: recompute, sequenceParallel: false)
        var total = 0.0
        for kind in LayerKind.allCases {
            let n: Int
            switch kind {
            case .embedding, .lmHead: n = 1
            case .block: n = numLayers - moeBlockCount
            case .moeBlock: n = moeBlockCount
            }
            guard n > 0 else { continue }
            let c = analyticCost(kind, q, chip: .flopCounter, options: options)
            total += Double(n) * (c.fwdFlops + c.bwdFlops)
        }
        return total / Double(seqLen)
    }
}

extension Chip {
    /// A placeholder chip for FLOP counts, which do not depend on the chip.
    static let flopCounter = Chip(id: "flop_counter", vendor: "none", name: "FLOP counter", bf16Tflops: 1, memGB: 1,
                                  memBwGBs: 1, intraLinkGBs: 1, intraTopology: .switch, nicGbps: nil,
                                  matmulEfficiency: 1, efficiencySource: "not a real chip", source: "not a real chip")
}
