/// The built-in chip catalog: every row of `accelerators.csv` plus older and
/// consumer NVIDIA GPUs and per-device variants, each with its source.
/// Compiled into the binary, never read from a file at run time.
public enum ChipCatalog {
    /// Every catalog chip: the reference rows in CSV order, then the extra
    /// GPUs, then per-device variants.
    public static let all: [Chip] = referenceChips + extraChips + perDeviceChips

    /// Catalog ids in catalog order.
    public static let ids: [String] = all.map(\.id)

    private static let indexById: [String: Int] = {
        var d: [String: Int] = [:]
        for (i, c) in all.enumerated() { d[c.id] = i }
        return d
    }()

    /// Whether `id` names a catalog chip.
    public static func contains(_ id: String) -> Bool { indexById[id] != nil }

    /// The catalog chip with this id; an unknown id throws with close matches.
    public static func chip(_ id: String) throws -> Chip {
        guard let i = indexById[id] else { throw AmalgamError.unknown("chip", id, among: ids) }
        return all[i]
    }

    /// Catalog columns, snake_case with units, in output order.
    public static let columns: [String] = [
        "id", "vendor", "name", "bf16_tflops", "fp16_tflops", "fp32_tflops", "fp8_tflops",
        "mem_gb", "mem_bw_gbs", "intra_link_gbs", "intra_topology", "chips_per_node",
        "nic_gbps", "tdp_w", "efficiency", "confidence", "assumed_fields", "efficiency_source",
        "scale_up_efficiency", "scale_up_efficiency_source", "nvls", "nvls_source", "source",
    ]

    /// One row per chip for `amalgam catalog` (CSV) and `am.chips()`; unknown
    /// figures are nil. `assumed_fields` lists figures filled by an assumption.
    public static func table(_ chips: [Chip] = all) -> FieldTable {
        FieldTable(columns: columns, rows: chips.map(row))
    }

    /// One chip as a catalog row, cells in `columns` order.
    public static func row(_ chip: Chip) -> [FieldValue?] {
        columns.map { column in
            if column == "assumed_fields" {
                return chip.assumptions.isEmpty ? nil : .text(chip.assumptions.keys.sorted().joined(separator: ";"))
            }
            // Every other column is a chip field, so this cannot throw.
            return (try? chip.value(of: column)) ?? nil
        }
    }
}
