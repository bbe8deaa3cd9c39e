import AmalgamCore
import AmalgamIO
import CLua
import CLuaShims

/// `am.calibrate`, `am.calibrate_csv`, `am.calibration`, `am.calibration_clear`: measured
/// block times kept in the runtime's `calibration` store, which every cost query of the
/// runtime applies.
enum CalibrationBindings {
    static let exampleCalibrate =
        "am.calibrate{ chip = \"nvidia_a100_sxm4_80g\", model = \"llama2-7b\", micro_batch = 1, tp = 1, fwd_ms = 9.5, bwd_ms = 19.8 }"

    static let rulesDoc = "For a transformer block on chip C: a point with the same chip, block shape, seq, tp, recompute, sequence_parallel and micro_batch is returned as measured; two or more points of that key at other micro-batches are interpolated linearly in micro_batch (proportionally beyond them); otherwise any point on C rescales the roofline time by the geometric mean of measured/analytical over C's points (forward and backward separately), which also applies to embedding and LM head. FLOPs, bytes and memory never change."

    static func register(_ rt: LuaRuntime) {
        rt.function(FunctionDoc(
            "am.calibrate", "am.calibrate{ chip = ..., model = ..., micro_batch = ..., tp = 1, seq = ..., recompute = \"none\", sequence_parallel = false, fwd_ms = ..., bwd_ms = ... } -> integer",
            "Adds one measured forward/backward time of ONE transformer block to this runtime's calibration store (a point with the same key and micro_batch replaces the earlier one). m:layer_cost and m:rows (and the planner and simulator) then use it. " + rulesDoc,
            arguments: [
                ("chip", "catalog id or Chip measured (required)"),
                ("model", "preset id or Model whose block was measured (required)"),
                ("micro_batch", "sequences per micro-batch (required)"),
                ("tp, recompute, sequence_parallel", "the measurement's setting (defaults 1, \"none\", false)"),
                ("seq", "sequence length measured (default the model's seq_len)"),
                ("fwd_ms, bwd_ms", "measured forward and backward time of one block, milliseconds (> 0; bwd includes any recomputation)"),
            ],
            returns: "the number of points in the store",
            example: exampleCalibrate + "\nprint(am.model(\"llama2-7b\"):layer_cost{ chip = \"nvidia_a100_sxm4_80g\" }.fwd_s)  -- 0.0095"
        )) { call in
            let o = try call.options(1, context: "calibrate")
            let chip = try WorkloadSpecReader.chip(o)
            let model: ModelHandle
            switch try o.stringOrObject("model", WorkloadBindings.modelClass) {
            case nil: throw LuaError.message("calibrate: option 'model' is required (a preset id such as \"llama2-7b\" or a Model from am.model)")
            case .string(let id)?: model = try WorkloadSpecReader.preset(id)
            case .object(let m)?: model = m
            }
            let microBatch = try o.requiredInteger("micro_batch")
            let tp = try o.integer("tp", default: 1), seq = try o.integer("seq")
            let recompute = try WorkloadSpecReader.recompute(o)
            let sp = try o.bool("sequence_parallel") ?? false
            let fwd = try o.requiredNumber("fwd_ms"), bwd = try o.requiredNumber("bwd_ms")
            try o.finish()
            try call.runtime.calibration.add(chip: chip, model: model.model, microBatch: microBatch, seq: seq, tp: tp,
                                             recompute: recompute, sequenceParallel: sp, fwdMs: fwd, bwdMs: bwd)
            return call.push(integer: call.runtime.calibration.points.count)
        }

        rt.function(FunctionDoc(
            "am.calibrate_csv", "am.calibrate_csv(path) -> integer",
            "Adds measured block times from a CSV with a header: columns chip, model (preset id), micro_batch, fwd_ms, bwd_ms (required) and tp, seq, recompute, sequence_parallel (optional; empty cells take the defaults). Every row is checked before any is added, so a bad file changes nothing; errors name the row, counting data rows from 1 (the header is not a row). The CSV that am.calibration() rows make reads back.",
            arguments: [("path", "file path (looked up as am.csv.read does)")],
            returns: "the number of points in the store",
            example: """
            am.csv.write("measured.csv", { { chip = "nvidia_a100_sxm4_80g", model = "llama2-7b", micro_batch = 1, seq = 4096,
                                             tp = 1, fwd_ms = 9.5, bwd_ms = 19.8 } },
                         { columns = { "chip", "model", "micro_batch", "seq", "tp", "fwd_ms", "bwd_ms" } })
            print(am.calibrate_csv("measured.csv"))  -- 1
            """
        )) { call in
            let path = try call.string(1)
            let (columns, rows) = try CSVBindings.readCSV(call.runtime, path)
            let records: [[String: String]] = rows.map { row in
                var r: [String: String] = [:]
                for (name, cell) in zip(columns, row) {
                    switch cell {
                    case .missing: continue
                    case .integer(let i): r[name] = String(i)
                    case .number(let d): r[name] = "\(d)"
                    case .text(let s): r[name] = s
                    }
                }
                return r
            }
            // Unknown columns are reported even when every row leaves them empty.
            for c in columns where !Calibration.columns.contains(c) {
                throw LuaError.message("\(path): " + AmalgamError.unknown("calibration column", c, among: Calibration.columns).message)
            }
            try ClusterBindings.prefixedLua(path) {
                try call.runtime.calibration.addRows(records, firstRowNumber: 1, chip: { try ChipCatalog.chip($0) },
                                                     model: { try TransformerModel.preset($0) })
            }
            return call.push(integer: call.runtime.calibration.points.count)
        }

        rt.function(FunctionDoc(
            "am.calibration", "am.calibration() -> rows",
            "The points in this runtime's calibration store, in the order added, with the columns am.calibrate_csv reads (chip, model, micro_batch, tp, recompute, sequence_parallel, seq, fwd_ms, bwd_ms); `rows.columns` keeps that order, so am.csv.write(path, am.calibration()) saves the store for a later run. The model column is the model's name (a preset id reads back; a custom model does not).",
            returns: "an array of rows",
            example: exampleCalibrate + "\nfor _, p in ipairs(am.calibration()) do print(p.chip, p.model, p.micro_batch, p.fwd_ms) end"
        )) { call in
            let rows: [[LuaValue]] = call.runtime.calibration.points.map { p in
                [.string(p.chip.id), .string(p.model.name), .integer(p.microBatch), .integer(p.tp), .string(p.recompute.rawValue),
                 .bool(p.sequenceParallel), .integer(p.model.seqLen), .number(p.fwdSeconds * 1000), .number(p.bwdSeconds * 1000)]
            }
            return call.push(rowsWithColumns(Calibration.columns, rows))
        }

        rt.function(FunctionDoc(
            "am.calibration_clear", "am.calibration_clear()",
            "Empties this runtime's calibration store: costs are analytical again.",
            example: exampleCalibrate + "\nam.calibration_clear()\nprint(#am.calibration())  -- 0"
        )) { call in
            call.runtime.calibration = Calibration()
            return 0
        }
    }

    /// Rows with their column order in `rows.columns` (as `LuaValue.table`, but cells may be booleans).
    static func rowsWithColumns(_ columns: [String], _ rows: [[LuaValue]]) -> LuaValue {
        .custom { L, rt in
            luaRows(columns, rows).push(L, rt)
            lua_createtable(L, 0, 2)
            LuaValue.array(columns.map { .string($0) }).push(L, rt)
            lua_setfield(L, -2, "columns")
            lua_pushvalue(L, -1)
            lua_setfield(L, -2, "__index")
            lua_setmetatable(L, -2)
        }
    }
}
