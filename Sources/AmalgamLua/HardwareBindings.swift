import AmalgamCore
import CLua
import CLuaShims

/// `am.chips`, `am.chip`, `am.catalog_rows` and the `Chip` object: the chip
/// catalog and user-defined chips. Clusters are in `ClusterBindings`.
enum HardwareBindings {
    /// The `amalgam.Chip` class: one field per snake_case chip field.
    static let chipClass: LuaClass<Chip> = {
        let cls = LuaClass<Chip>("amalgam.Chip")
        for f in Chip.fieldDocs {
            let name = f.name
            cls.field(name, "\(f.doc) (\(f.unit))") { chip in
                // Every name in fieldDocs is a chip field, so this cannot throw.
                ((try? chip.value(of: name)) ?? nil).map(LuaValue.init) ?? .nil
            }
        }
        return cls
            .field("assumed_fields", "figures filled by an assumption (array of field names; see the catalog notes)") { chip in
                .array(chip.assumptions.keys.sorted().map { .string($0) })
            }
            .method("row", FunctionDoc(
                "Chip:row", "chip:row() -> table",
                "The chip as one catalog row (the columns of `am.catalog_rows()`), for CSV output.",
                returns: "a table keyed by column name; unknown figures are absent",
                example: "am.csv.write(\"my_chips.csv\", { am.chip(\"nvidia_h20\"):row() })"
            )) { call in
                let chip = try call.object(1, cls)
                return call.push(.record(zip(ChipCatalog.columns, ChipCatalog.row(chip)).compactMap { name, cell in
                    cell.map { (name, LuaValue($0)) }
                }))
            }
            .describe { "Chip(\($0.summaryLine))" }
            .equatable { $0 == $1 }
    }()

    static func register(_ rt: LuaRuntime) {
        rt.function(FunctionDoc(
            "am.chips", "am.chips() -> { Chip, ... }",
            "The built-in chip catalog, in catalog order (the reference accelerators first, then older and consumer GPUs, then per-device variants). Each Chip carries its sources.",
            returns: "an array of Chip objects",
            example: "for _, c in ipairs(am.chips()) do print(c.id, c.bf16_tflops, c.mem_gb) end"
        )) { call in
            call.push(.array(ChipCatalog.all.map { chip in .custom { L, _ in chipClass.push(L, chip) } }))
        }

        rt.function(FunctionDoc(
            "am.chip", "am.chip(id) -> Chip / am.chip{ field = value, ... } -> Chip / am.chip{ base = id, field = value, ... } -> Chip",
            "Looks up a catalog chip by id (an unknown id is an error naming the closest ids), builds a custom chip from its fields, or derives one from a catalog chip (`base`) with some fields replaced. Every field is checked (positive sizes and rates, efficiency in (0, 1], known topology); unknown keys are rejected.",
            arguments: [
                ("id", "catalog id, e.g. \"nvidia_a100_sxm4_80g\" (see am.chips())"),
                ("base", "catalog id or Chip to start from (derived chip); without it, id, bf16_tflops, mem_gb, mem_bw_gbs and intra_link_gbs are required"),
            ] + Chip.fieldDocs.map { ($0.name, "\($0.doc) (\($0.unit))") },
            returns: "a Chip",
            example: """
            local a100 = am.chip "nvidia_a100_sxm4_80g"
            local npu = am.chip{ id = "my_npu", vendor = "Acme", bf16_tflops = 400, mem_gb = 64,
                                 mem_bw_gbs = 1600, intra_link_gbs = 300, nic_gbps = 200 }
            local slow = am.chip{ base = "huawei_ascend_910b2", id = "910b2_280t", bf16_tflops = 280 }
            print(a100, npu.bf16_tflops, slow.mem_gb)
            """
        )) { call in
            if call.isString(1) { return call.push(try ChipCatalog.chip(call.string(1)), as: chipClass) }
            guard call.isTable(1) else { throw call.typeError(1, "string or table") }
            return call.push(try chip(from: call.options(1)), as: chipClass)
        }

        rt.function(FunctionDoc(
            "am.catalog_rows", "am.catalog_rows() -> rows",
            "The whole catalog as rows for CSV, one per chip, with unit-suffixed columns (id, vendor, name, bf16_tflops, ..., nic_gbps, tdp_w, efficiency, confidence, assumed_fields, efficiency_source, source). Unknown figures are absent (empty cells). `rows.columns` holds the column order, which `am.csv.write` follows. This is what `amalgam catalog` prints.",
            returns: "an array of rows keyed by column name",
            example: "am.csv.write(\"catalog.csv\", am.catalog_rows())"
        )) { call in
            call.push(.table(ChipCatalog.table()))
        }
        // After the functions, so the reference lists them before the methods.
        rt.define(chipClass)
    }

    /// A custom or derived chip from an `am.chip{...}` table (also a node
    /// group's `chip = {...}`); `finish()`es the table.
    static func chip(from o: LuaOptions) throws -> Chip {
        let base = try o.stringOrObject("base", chipClass)
        var fields: [String: FieldValue] = [:]
        for name in Chip.fieldNames {
            if let v = try o.scalar(name) { fields[name] = v }
        }
        try o.finish()
        switch base {
        case nil: return try Chip.custom(fields: fields)
        case .string(let id)?: return try Chip.derived(from: ChipCatalog.chip(id), overrides: fields)
        case .object(let chip)?: return try Chip.derived(from: chip, overrides: fields)
        }
    }
}
