/// Range checks shared by chips and cluster specifications, each throwing an
/// `AmalgamError` that names the field, its unit, the valid range and the value.
public enum Validate {
    /// The largest count accepted anywhere (chips, nodes): far above any real
    /// cluster, small enough that products of counts cannot overflow `Int`.
    public static let maxCount = 100_000_000

    /// A count given as a number (Lua numbers are doubles): must be a finite
    /// whole number in 1...maxCount.
    public static func count(_ value: Double, field: String) throws -> Int {
        guard value.isFinite, value == value.rounded() else {
            throw AmalgamError("\(field) must be a whole number >= 1 (got \(Chip.format(value)))")
        }
        guard value >= 1 else {
            throw AmalgamError("\(field) must be >= 1 (got \(Chip.format(value)))")
        }
        guard value <= Double(maxCount) else {
            throw AmalgamError("\(field) must be <= \(maxCount) (got \(Chip.format(value)))")
        }
        return Int(value)
    }

    /// A count already held as an integer: 1...maxCount.
    public static func count(_ value: Int, field: String) throws {
        guard value >= 1 else { throw AmalgamError("\(field) must be >= 1 (got \(value))") }
        guard value <= maxCount else { throw AmalgamError("\(field) must be <= \(maxCount) (got \(value))") }
    }

    /// A finite value > 0, e.g. a bandwidth.
    public static func positive(_ value: Double, field: String, unit: String) throws {
        guard value.isFinite, value > 0 else {
            throw AmalgamError("\(field) must be > 0 \(unit) (got \(Chip.format(value)))")
        }
    }

    /// A finite value >= 0, e.g. a latency.
    public static func nonNegative(_ value: Double, field: String, unit: String) throws {
        guard value.isFinite, value >= 0 else {
            throw AmalgamError("\(field) must be >= 0 \(unit) (got \(Chip.format(value)))")
        }
    }
}

extension Chip {
    /// Checks a chip (typically a custom or derived one) and throws an
    /// `AmalgamError` naming the first bad field, its unit and the value:
    /// sizes and rates positive and finite, efficiencies in (0, 1],
    /// chips_per_node >= 1, id non-empty.
    public func validate() throws {
        let who = id.isEmpty ? "chip" : "chip '\(id)'"
        func check(_ body: () throws -> Void) throws {
            do { try body() } catch let e as AmalgamError { throw AmalgamError("\(who): \(e.message)") }
        }
        if id.allSatisfy(\.isWhitespace) { throw AmalgamError("chip: id must not be empty") }
        try check {
            try Validate.positive(bf16Tflops, field: "bf16_tflops", unit: "TFLOP/s")
            try Validate.positive(fp16Tflops, field: "fp16_tflops", unit: "TFLOP/s")
            if let v = fp32Tflops { try Validate.positive(v, field: "fp32_tflops", unit: "TFLOP/s") }
            if let v = fp8Tflops { try Validate.positive(v, field: "fp8_tflops", unit: "TFLOP/s") }
            try Validate.positive(memGB, field: "mem_gb", unit: "GB")
            try Validate.positive(memBwGBs, field: "mem_bw_gbs", unit: "GB/s")
            try Validate.positive(intraLinkGBs, field: "intra_link_gbs", unit: "GB/s")
            try Validate.count(chipsPerNode, field: "chips_per_node")
            if let v = nicGbps { try Validate.positive(v, field: "nic_gbps", unit: "Gb/s") }
            if let v = tdpW { try Validate.positive(v, field: "tdp_w", unit: "W") }
            guard matmulEfficiency.isFinite, matmulEfficiency > 0, matmulEfficiency <= 1 else {
                throw AmalgamError("efficiency must be in (0, 1] (got \(Chip.format(matmulEfficiency)))")
            }
            if let e = scaleUpEfficiency, !(e.isFinite && e > 0 && e <= 1) {
                throw AmalgamError("scale_up_efficiency must be in (0, 1] (got \(Chip.format(e)))")
            }
        }
    }
}
