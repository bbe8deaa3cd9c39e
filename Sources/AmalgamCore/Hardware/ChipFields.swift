/// The snake_case field names a script uses for a chip (`am.chip{ bf16_tflops = 280 }`),
/// with units and meaning, and generic get/set by name so the Lua binding needs
/// no per-field code of its own.
public struct ChipField: Sendable, Equatable {
    /// snake_case name, as in Lua tables and catalog CSV columns.
    public var name: String
    /// Unit of the value ("TFLOP/s", "GB", "text", ...).
    public var unit: String
    /// Whether a custom chip built from scratch (no `base`) must give it.
    public var requiredForCustom: Bool
    /// What the field means.
    public var doc: String
}

extension Chip {
    /// Every settable field, in catalog column order.
    public static let fieldDocs: [ChipField] = [
        ChipField(name: "id", unit: "text", requiredForCustom: true, doc: "identifier, e.g. nvidia_a100_sxm4_80g"),
        ChipField(name: "vendor", unit: "text", requiredForCustom: false, doc: "maker; chips of different vendors in one site use the site's cross-vendor path (default 'custom')"),
        ChipField(name: "name", unit: "text", requiredForCustom: false, doc: "marketing name (default: the id)"),
        ChipField(name: "bf16_tflops", unit: "TFLOP/s", requiredForCustom: true, doc: "peak dense BF16 tensor throughput (FP16 where the chip has no BF16)"),
        ChipField(name: "fp16_tflops", unit: "TFLOP/s", requiredForCustom: false, doc: "peak dense FP16 tensor throughput (default: bf16_tflops)"),
        ChipField(name: "fp32_tflops", unit: "TFLOP/s", requiredForCustom: false, doc: "non-tensor FP32 throughput; empty when unpublished"),
        ChipField(name: "fp8_tflops", unit: "TFLOP/s", requiredForCustom: false, doc: "peak dense FP8 tensor throughput; empty when the chip has no FP8"),
        ChipField(name: "mem_gb", unit: "GB", requiredForCustom: true, doc: "device memory, 10^9 bytes"),
        ChipField(name: "mem_bw_gbs", unit: "GB/s", requiredForCustom: true, doc: "peak memory bandwidth"),
        ChipField(name: "intra_link_gbs", unit: "GB/s", requiredForCustom: true, doc: "aggregate bidirectional scale-up bandwidth per chip (one direction is half)"),
        ChipField(name: "intra_topology", unit: "switch|full_mesh|ring|pcie", requiredForCustom: false, doc: "how the chips of a node are wired (default switch)"),
        ChipField(name: "chips_per_node", unit: "count", requiredForCustom: false, doc: "chips per server (default 8)"),
        ChipField(name: "nic_gbps", unit: "Gb/s", requiredForCustom: false, doc: "scale-out NIC bandwidth per chip, per direction; empty = unknown (clusters assume \(Chip.assumedNicGbps) Gb/s)"),
        ChipField(name: "tdp_w", unit: "W", requiredForCustom: false, doc: "board or module power; empty when undisclosed"),
        ChipField(name: "efficiency", unit: "fraction (0,1]", requiredForCustom: false, doc: "achievable fraction of dense peak on large matmuls (default 0.75, an assumption)"),
        ChipField(name: "efficiency_source", unit: "text", requiredForCustom: false, doc: "where efficiency comes from"),
        ChipField(name: "scale_up_efficiency", unit: "fraction (0,1]", requiredForCustom: false, doc: "fraction of the scale-up port rate a large ring all-reduce reaches on this chip's switch fabric (nccl-tests busbw ÷ port rate); empty = the network model's scale_up default"),
        ChipField(name: "scale_up_efficiency_source", unit: "text", requiredForCustom: false, doc: "where scale_up_efficiency comes from"),
        ChipField(name: "nvls", unit: "0|1", requiredForCustom: false, doc: "1 when the node's scale-up switch reduces in the network (NVLink SHARP / NVLS: NVSwitch gen3+, H100/H800/H200/H20/B200 HGX), enabling the 'nvls' all-reduce; empty or 0 otherwise"),
        ChipField(name: "nvls_source", unit: "text", requiredForCustom: false, doc: "where nvls comes from"),
        ChipField(name: "source", unit: "text", requiredForCustom: false, doc: "where the figures come from (default 'user-defined')"),
        ChipField(name: "confidence", unit: "high|medium|low|unknown", requiredForCustom: false, doc: "how sure the figures are"),
        ChipField(name: "notes", unit: "text", requiredForCustom: false, doc: "free-form notes"),
    ]

    /// The field names, for suggestions on a misspelt key.
    public static var fieldNames: [String] { fieldDocs.map(\.name) }

    /// Per-chip NIC bandwidth a cluster uses when neither the chip nor the site
    /// or node group gives one. Assumption: one 100 Gb/s port per chip
    /// (100GbE / EDR), the lowest per-chip NIC in the catalog (Ascend 910A,
    /// `accelerators.csv`), so unknown NICs are not flattered.
    public static let assumedNicGbps: Double = 100

    /// The current value of a field by snake_case name; nil when the figure is
    /// unknown. Throws for a name that is not a chip field.
    public func value(of field: String) throws -> FieldValue? {
        switch field {
        case "id": return .text(id)
        case "vendor": return .text(vendor)
        case "name": return .text(name)
        case "bf16_tflops": return .number(bf16Tflops)
        case "fp16_tflops": return .number(fp16Tflops)
        case "fp32_tflops": return fp32Tflops.map(FieldValue.number)
        case "fp8_tflops": return fp8Tflops.map(FieldValue.number)
        case "mem_gb": return .number(memGB)
        case "mem_bw_gbs": return .number(memBwGBs)
        case "intra_link_gbs": return .number(intraLinkGBs)
        case "intra_topology": return .text(intraTopology.rawValue)
        case "chips_per_node": return .integer(chipsPerNode)
        case "nic_gbps": return nicGbps.map(FieldValue.number)
        case "tdp_w": return tdpW.map(FieldValue.number)
        case "efficiency": return .number(matmulEfficiency)
        case "efficiency_source": return .text(efficiencySource)
        case "scale_up_efficiency": return scaleUpEfficiency.map(FieldValue.number)
        case "scale_up_efficiency_source": return scaleUpEfficiencySource.map(FieldValue.text)
        case "nvls": return nvls.map { .integer($0 ? 1 : 0) }
        case "nvls_source": return nvlsSource.map(FieldValue.text)
        case "source": return .text(source)
        case "confidence": return .text(confidence.rawValue)
        case "notes": return .text(notes)
        default: throw AmalgamError.unknown("chip field", field, among: Chip.fieldNames)
        }
    }

    /// Sets one field by snake_case name. Checks the value's kind (number or
    /// text, integer counts, known enum choices); ranges are checked by `validate()`.
    public mutating func set(_ field: String, to value: FieldValue) throws {
        func number() throws -> Double {
            guard let d = value.number else {
                throw AmalgamError("chip field \(field) must be a number (\(Chip.unit(of: field))), got text '\(value.text ?? "")'")
            }
            return d
        }
        func text() throws -> String {
            guard let s = value.text else {
                throw AmalgamError("chip field \(field) must be text, got the number \(value.number.map(Chip.format) ?? "?")")
            }
            return s
        }
        switch field {
        case "id": id = try text()
        case "vendor": vendor = try text()
        case "name": name = try text()
        case "bf16_tflops": bf16Tflops = try number()
        case "fp16_tflops": fp16Tflops = try number()
        case "fp32_tflops": fp32Tflops = try number()
        case "fp8_tflops": fp8Tflops = try number()
        case "mem_gb": memGB = try number()
        case "mem_bw_gbs": memBwGBs = try number()
        case "intra_link_gbs": intraLinkGBs = try number()
        case "intra_topology":
            let s = try text()
            guard let t = IntraTopology(rawValue: s) else {
                throw AmalgamError.unknown("intra_topology", s, among: IntraTopology.allCases.map(\.rawValue))
            }
            intraTopology = t
        case "chips_per_node": chipsPerNode = try Validate.count(number(), field: "chips_per_node")
        case "nic_gbps": nicGbps = try number()
        case "tdp_w": tdpW = try number()
        case "efficiency": matmulEfficiency = try number()
        case "efficiency_source": efficiencySource = try text()
        case "scale_up_efficiency": scaleUpEfficiency = try number()
        case "scale_up_efficiency_source": scaleUpEfficiencySource = try text()
        case "nvls":
            let v = try number()
            guard v == 0 || v == 1 else { throw AmalgamError("chip field nvls must be 0 or 1, got \(Chip.format(v))") }
            nvls = v == 1
        case "nvls_source": nvlsSource = try text()
        case "source": source = try text()
        case "confidence":
            let s = try text()
            guard let c = Confidence(rawValue: s) else {
                throw AmalgamError.unknown("confidence", s, among: Confidence.allCases.map(\.rawValue))
            }
            confidence = c
        case "notes": notes = try text()
        default: throw AmalgamError.unknown("chip field", field, among: Chip.fieldNames)
        }
        // A figure the user gives is no longer an assumption.
        assumptions[field] = nil
    }

    /// A chip derived from `base` with some fields replaced (Lua
    /// `am.chip{ base = "huawei_ascend_910b2", bf16_tflops = 280 }`). Fields are
    /// applied in name order so the result does not depend on table order; the
    /// source records the derivation. Throws on unknown fields or invalid values.
    public static func derived(from base: Chip, overrides: [String: FieldValue]) throws -> Chip {
        var chip = base
        let sorted = overrides.sorted { $0.key < $1.key }
        let changed = sorted.map(\.key)
        for (key, value) in sorted { try chip.set(key, to: value) }
        if overrides["source"] == nil && !changed.isEmpty {
            chip.source = "derived from \(base.id) with \(changed.joined(separator: ", ")) set by the user; other figures: \(base.source)"
        }
        if overrides["efficiency"] != nil && overrides["efficiency_source"] == nil {
            chip.efficiencySource = "user-defined"
        }
        if overrides["scale_up_efficiency"] != nil && overrides["scale_up_efficiency_source"] == nil {
            chip.scaleUpEfficiencySource = "user-defined"
        }
        if overrides["nvls"] != nil && overrides["nvls_source"] == nil {
            chip.nvlsSource = "user-defined"
        }
        if overrides["confidence"] == nil && !changed.isEmpty && changed != ["id"] && changed != ["id", "name"] {
            chip.confidence = .unknown
        }
        try chip.validate()
        return chip
    }

    /// A chip built from scratch from snake_case fields. `id`, `bf16_tflops`,
    /// `mem_gb`, `mem_bw_gbs` and `intra_link_gbs` are required; the rest take
    /// the defaults listed in `fieldDocs`.
    public static func custom(fields: [String: FieldValue]) throws -> Chip {
        for key in fields.keys.sorted() where !fieldNames.contains(key) {
            throw AmalgamError.unknown("chip field", key, among: fieldNames)
        }
        let missing = fieldDocs.filter { $0.requiredForCustom && fields[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            throw AmalgamError("custom chip needs \(missing.joined(separator: ", ")) (or give base = '<catalog id>' to start from a catalog chip)")
        }
        var chip = Chip(id: "", vendor: "custom", name: "", bf16Tflops: 1, memGB: 1, memBwGBs: 1,
                        intraLinkGBs: 1, intraTopology: .switch, nicGbps: nil,
                        source: "user-defined", confidence: .unknown)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { try chip.set(key, to: value) }
        if fields["name"] == nil { chip.name = chip.id }
        if fields["fp16_tflops"] == nil { chip.fp16Tflops = chip.bf16Tflops }
        try chip.validate()
        return chip
    }

    /// Unit of a field, for messages.
    static func unit(of field: String) -> String {
        fieldDocs.first { $0.name == field }?.unit ?? ""
    }

    /// Numbers in messages: integers without a trailing ".0".
    static func format(_ d: Double) -> String {
        if d.isFinite && d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}

extension Chip {
    /// One line for listings and `tostring` in scripts: id, vendor and name,
    /// then the figures a cluster design turns on (compute, memory, scale-up,
    /// scale-out).
    public var summaryLine: String {
        let nic = nicGbps.map { "NIC \(Chip.format($0)) Gb/s" } ?? "NIC unknown"
        return "\(id) (\(vendor) \(name)): \(Chip.format(bf16Tflops)) TFLOP/s bf16, \(Chip.format(memGB)) GB at \(Chip.format(memBwGBs)) GB/s, "
            + "\(intraTopology.rawValue) \(Chip.format(intraLinkGBs)) GB/s x\(chipsPerNode), \(nic)"
    }
}
