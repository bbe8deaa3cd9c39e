/// One cell of a `LayerTable`.
public enum TableCell: Sendable, Equatable {
    /// A count or index.
    case integer(Int)
    /// A measured or computed quantity (unit in the column name).
    case number(Double)
    /// A label.
    case text(String)
}

/// A per-layer table (one row per layer, unit-suffixed column names), ready for CSV.
public struct LayerTable: Sendable, Equatable {
    /// Column names, in order.
    public var columns: [String]
    /// One row per layer, cells in `columns` order.
    public var rows: [[TableCell]]
}

extension TransformerModel {
    /// Column names of `rows(...)`.
    public static let layerTableColumns = [
        "layer", "kind", "params", "fwd_flop", "bwd_flop", "recompute_flop", "fwd_mem_bytes", "bwd_mem_bytes",
        "fwd_s", "bwd_s", "activation_bytes", "weight_bytes", "tp_collective", "tp_fwd_collectives",
        "tp_bwd_collectives", "tp_comm_bytes", "timing",
    ]

    /// One row per layer for the given chip and setting (per chip, per micro-batch).
    public func rows(chip: Chip, microBatch: Int, tp: Int = 1, recompute: Recompute = .none,
                     sequenceParallel: Bool = false, calibration: Calibration? = nil,
                     options: CostOptions = .standard) throws -> LayerTable {
        let table = try costTable(chip: chip, microBatch: microBatch, tp: tp, recompute: recompute,
                                  sequenceParallel: sequenceParallel, calibration: calibration, options: options)
        var rows: [[TableCell]] = []
        rows.reserveCapacity(layerCount)
        for l in layers {
            let c = try table.cost(kind: l.kind)
            rows.append([
                .integer(l.index), .text(l.kind.rawValue), .number(c.params), .number(c.fwdFlops), .number(c.bwdFlops),
                .number(c.recomputeFlops), .number(c.fwdBytes), .number(c.bwdBytes), .number(c.fwdSeconds),
                .number(c.bwdSeconds), .number(c.activationBytes), .number(c.weightBytes), .text(c.tpCollective.rawValue),
                .integer(c.tpForwardCollectives), .integer(c.tpBackwardCollectives), .number(c.tpCommBytes),
                .text(c.timing.rawValue),
            ])
        }
        return LayerTable(columns: TransformerModel.layerTableColumns, rows: rows)
    }
}
