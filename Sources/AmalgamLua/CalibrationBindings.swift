import Foundation
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

    static let rulesDoc = "Rules for a layer of kind K on chip C (the measured-data store; the planner's every tier, the simulator, m:layer_cost and m:rows use them, and each result's timing says which applied): measured = a point with the same chip, kind, layer shape, seq, recompute, sequence_parallel, tp and micro_batch; interpolated = at that tp, two or more points at other micro-batches (linear in micro_batch, proportional beyond them), else between two measured tp degrees (geometric in tp: t0*(t1/t0)^w, w = ln(tp/tp0)/ln(tp1/tp0); no extrapolation beyond the measured tp range); rescaled = the roofline time times the geometric mean of measured/roofline over C's layer points at the same tp (their ratio then includes the TP communication, which is not added again), else over C's points at tp 1 (forward and backward separately); roofline otherwise. Measured times at tp > 1 include the layer's tensor-parallel communication, so none is added to them. Optimizer steps: measured seconds per parameter on C (sum of seconds / sum of parameters over C's optimizer points), else the memory-bound model. FLOPs, bytes and memory never change."

    static func register(_ rt: LuaRuntime) {
        rt.function(FunctionDoc(
            "am.calibrate", "am.calibrate{ chip = ..., model = ..., kind = \"block\", micro_batch = ..., tp = 1, seq = ..., recompute = \"none\", sequence_parallel = false, fwd_ms = ..., bwd_ms = ... } -> integer",
            "Adds one measured forward/backward time of ONE layer (kind embedding, block, moe_block or lm_head; default the model's first block) to this runtime's measured-data store, or, with kind = \"optimizer\" and update_ms, one measured optimizer step of the whole model on one chip of a tp group. A point with the same key replaces the earlier one. " + rulesDoc,
            arguments: [
                ("chip", "catalog id or Chip measured (required)"),
                ("model", "preset id or Model measured (required)"),
                ("kind", "embedding, block, moe_block, lm_head (default: the model's first block) or optimizer"),
                ("micro_batch", "sequences per micro-batch (required for layers)"),
                ("tp, recompute, sequence_parallel", "the measurement's setting (defaults 1, \"none\", false)"),
                ("seq", "sequence length measured (default the model's seq_len)"),
                ("fwd_ms, bwd_ms", "measured forward and backward time of one layer, milliseconds (> 0; bwd includes any recomputation; both include the layer's TP communication at tp > 1)"),
                ("update_ms", "kind optimizer only: the optimizer step of the model's parameters held by one chip at tp, milliseconds"),
            ],
            returns: "the number of points in the store",
            example: exampleCalibrate + "\nprint(am.model(\"llama2-7b\"):layer_cost{ chip = \"nvidia_a100_sxm4_80g\" }.fwd_s)  -- 0.0095"
                + "\nam.calibrate{ chip = \"nvidia_a100_sxm4_80g\", model = \"llama2-7b\", kind = \"optimizer\", update_ms = 60 }"
        )) { call in
            let o = try call.options(1, context: "calibrate")
            let chip = try WorkloadSpecReader.chip(o)
            let model: ModelHandle
            switch try o.stringOrObject("model", WorkloadBindings.modelClass) {
            case nil: throw LuaError.message("calibrate: option 'model' is required (a preset id such as \"llama2-7b\" or a Model from am.model)")
            case .string(let id)?: model = try WorkloadSpecReader.preset(id)
            case .object(let m)?: model = m
            }
            let kindName = try o.string("kind")
            let kind = try kindName.flatMap { try Calibration.layerKind($0, what: "kind") }   // nil: optimizer or not given
            let tp = try o.integer("tp", default: 1), seq = try o.integer("seq")
            if kindName == "optimizer" {
                let update = try o.requiredNumber("update_ms")
                try o.finish()
                try call.runtime.calibration.addOptimizerStep(chip: chip, model: model.model, seq: seq, tp: tp, updateMs: update)
                return call.push(integer: call.runtime.calibration.count)
            }
            let microBatch = try o.requiredInteger("micro_batch")
            let recompute = try WorkloadSpecReader.recompute(o)
            let sp = try o.bool("sequence_parallel") ?? false
            let fwd = try o.requiredNumber("fwd_ms"), bwd = try o.requiredNumber("bwd_ms")
            try o.finish()
            try call.runtime.calibration.add(chip: chip, model: model.model, kind: kind, microBatch: microBatch, seq: seq, tp: tp,
                                             recompute: recompute, sequenceParallel: sp, fwdMs: fwd, bwdMs: bwd)
            return call.push(integer: call.runtime.calibration.count)
        }

        rt.function(FunctionDoc(
            "am.load_profile", "am.load_profile{ file = ..., chip = ..., model = ..., tp = ..., micro_batch = ..., recompute = \"none\", sequence_parallel = false } -> integer",
            "Loads a per-layer profile JSON in the format the Metis heterogeneous planner ships (Um et al., ATC'24: execution_time.layer_compute_total_ms lists forward+backward ms of the embedding, every block and the LM head for one micro-batch on one chip of a tp group; execution_time.optimizer_time_ms the optimizer step) into the measured-data store: one point per layer kind (blocks: the mean of the block entries), each total split into forward and backward in the roofline model's ratio (the file has no split), plus an optimizer point. tp and micro_batch default to the file name's _tp<T>_bs<B> (Metis names files DeviceType.<GPU>_tp<T>_bs<B>.json). The layer count must match the model (blocks + 2). Memory figures in the file are not used. " + rulesDoc,
            arguments: [
                ("file", "path of the JSON file (looked up as am.csv.read does)"),
                ("chip", "catalog id or Chip the profile was measured on (required)"),
                ("model", "preset id or Model the profile describes (required)"),
                ("tp, micro_batch", "the profile's setting (default: from the file name; required otherwise)"),
                ("recompute, sequence_parallel", "the profile's setting (defaults \"none\", false)"),
            ],
            returns: "the number of points added",
            example: """
            local f = io.open("DeviceType.A100_tp1_bs1.json", "w")
            f:write('{"model": {"model_name": "gpt3-350m", "num_layers": 26}, "execution_time": {"optimizer_time_ms": 30, "layer_compute_total_ms": [2, ' .. string.rep("9, ", 23) .. '9, 4]}}')
            f:close()
            print(am.load_profile{ file = "DeviceType.A100_tp1_bs1.json", chip = "nvidia_a100_sxm4_80g", model = "gpt3-350m" })  -- 4
            """
        )) { call in
            let o = try call.options(1, context: "load_profile")
            guard let path = try o.string("file") else { throw LuaError.message("load_profile: option 'file' is required (a Metis profile JSON path)") }
            let chip = try WorkloadSpecReader.chip(o)
            let model: TransformerModel
            switch try o.stringOrObject("model", WorkloadBindings.modelClass) {
            case nil: throw LuaError.message("load_profile: option 'model' is required (the preset id or Model the profile describes)")
            case .string(let id)?: model = try WorkloadSpecReader.preset(id).model
            case .object(let m)?: model = m.model
            }
            let fromName = MetisProfile.setting(fromFileName: (path as NSString).lastPathComponent)
            guard let tp = try o.integer("tp") ?? fromName.tp else {
                throw LuaError.message("load_profile: give tp (the file name '\(path)' has no _tp<T>)")
            }
            guard let microBatch = try o.integer("micro_batch") ?? fromName.microBatch else {
                throw LuaError.message("load_profile: give micro_batch (the file name '\(path)' has no _bs<B>)")
            }
            let recompute = try WorkloadSpecReader.recompute(o)
            let sp = try o.bool("sequence_parallel") ?? false
            try o.finish()
            let text = try CSVBindings.readText(call.runtime, path)
            let added = try ClusterBindings.prefixedLua(path) { () throws -> Int in
                let profile = try MetisProfile(json: text)
                return try call.runtime.calibration.add(profile, chip: chip, model: model, microBatch: microBatch, tp: tp,
                                                        recompute: recompute, sequenceParallel: sp)
            }
            return call.push(integer: added)
        }

        rt.function(FunctionDoc(
            "am.calibrate_csv", "am.calibrate_csv(path) -> integer",
            "Adds measured layer times and optimizer steps from a CSV with a header: columns chip, model (preset id) always; kind (embedding, block, moe_block, lm_head or optimizer; default the model's first block); layer rows need micro_batch, fwd_ms, bwd_ms, optimizer rows need update_ms; tp, seq, recompute, sequence_parallel are optional (empty cells take the defaults). Every row is checked before any is added, so a bad file changes nothing; errors name the row, counting data rows from 1 (the header is not a row). The CSV that am.calibration() rows make reads back.",
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
            return call.push(integer: call.runtime.calibration.count)
        }

        rt.function(FunctionDoc(
            "am.calibration", "am.calibration() -> rows",
            "The points in this runtime's measured-data store, layer points in the order added then optimizer points, with the columns am.calibrate_csv reads (chip, model, kind, micro_batch, tp, recompute, sequence_parallel, seq, fwd_ms, bwd_ms, update_ms; nil where a column does not apply); `rows.columns` keeps that order, so am.csv.write(path, am.calibration()) saves the store for a later run. The model column is the model's name (a preset id reads back; a custom model does not).",
            returns: "an array of rows",
            example: exampleCalibrate + "\nfor _, p in ipairs(am.calibration()) do print(p.chip, p.model, p.micro_batch, p.fwd_ms) end"
        )) { call in
            let cal = call.runtime.calibration
            let rows: [[LuaValue]] = cal.points.map { p in
                [.string(p.chip.id), .string(p.model.name), .string(p.kind.rawValue), .integer(p.microBatch), .integer(p.tp),
                 .string(p.recompute.rawValue), .bool(p.sequenceParallel), .integer(p.model.seqLen),
                 .number(p.fwdSeconds * 1000), .number(p.bwdSeconds * 1000), .nil]
            } + cal.optimizerPoints.map { p in
                [.string(p.chip.id), .string(p.model.name), .string("optimizer"), .nil, .integer(p.tp), .nil, .nil,
                 .integer(p.model.seqLen), .nil, .nil, .number(p.seconds * 1000)]
            }
            return call.push(rowsWithColumns(Calibration.columns, rows))
        }

        rt.function(FunctionDoc(
            "am.calibration_clear", "am.calibration_clear()",
            "Empties this runtime's measured-data store: costs are roofline again.",
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
