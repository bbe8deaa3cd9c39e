import XCTest
@testable import AmalgamCore

/// Custom and derived chips: field access by snake_case name and validation messages.
final class HardwareChipTests: XCTestCase {
    private func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch let e as AmalgamError { return e.message } catch { return "\(error)" }
    }

    func testValidateNamesFieldUnitAndValue() throws {
        var c = try ChipCatalog.chip("nvidia_h100_sxm5")
        c.bf16Tflops = -3
        XCTAssertEqual(message { try c.validate() }, "chip 'nvidia_h100_sxm5': bf16_tflops must be > 0 TFLOP/s (got -3)")
        c = try ChipCatalog.chip("nvidia_h100_sxm5"); c.memGB = .nan
        XCTAssertTrue(message { try c.validate() }.contains("mem_gb must be > 0 GB (got nan)"))
        c = try ChipCatalog.chip("nvidia_h100_sxm5"); c.memBwGBs = .infinity
        XCTAssertTrue(message { try c.validate() }.contains("mem_bw_gbs must be > 0 GB/s"))
        c = try ChipCatalog.chip("nvidia_h100_sxm5"); c.matmulEfficiency = 1.5
        XCTAssertTrue(message { try c.validate() }.contains("efficiency must be in (0, 1] (got 1.5)"))
        c = try ChipCatalog.chip("nvidia_h100_sxm5"); c.matmulEfficiency = 0
        XCTAssertTrue(message { try c.validate() }.contains("efficiency must be in (0, 1] (got 0)"))
        c = try ChipCatalog.chip("nvidia_h100_sxm5"); c.chipsPerNode = 0
        XCTAssertTrue(message { try c.validate() }.contains("chips_per_node must be >= 1 (got 0)"))
        c = try ChipCatalog.chip("nvidia_h100_sxm5"); c.nicGbps = -1
        XCTAssertTrue(message { try c.validate() }.contains("nic_gbps must be > 0 Gb/s (got -1)"))
        c = try ChipCatalog.chip("nvidia_h100_sxm5"); c.id = " "
        XCTAssertEqual(message { try c.validate() }, "chip: id must not be empty")
    }

    func testDerivedChipOverridesAndRecordsDerivation() throws {
        let base = try ChipCatalog.chip("huawei_ascend_910b2")
        let d = try Chip.derived(from: base, overrides: ["bf16_tflops": .number(280), "id": .text("my_910b")])
        XCTAssertEqual(d.id, "my_910b")
        XCTAssertEqual(d.bf16Tflops, 280)
        XCTAssertEqual(d.memGB, base.memGB)
        XCTAssertEqual(d.intraTopology, base.intraTopology)
        XCTAssertTrue(d.source.hasPrefix("derived from huawei_ascend_910b2 with bf16_tflops, id set by the user"), d.source)
        XCTAssertEqual(d.confidence, .unknown)
        // Bad values are caught with the field named.
        XCTAssertTrue(message { try Chip.derived(from: base, overrides: ["mem_bw_gbs": .number(0)]) }.contains("mem_bw_gbs must be > 0 GB/s (got 0)"))
        XCTAssertTrue(message { try Chip.derived(from: base, overrides: ["bf16_tflop": .number(1)]) }.contains("did you mean 'bf16_tflops'"))
        XCTAssertTrue(message { try Chip.derived(from: base, overrides: ["intra_topology": .text("mesh")]) }.contains("unknown intra_topology 'mesh'"))
        XCTAssertTrue(message { try Chip.derived(from: base, overrides: ["chips_per_node": .number(2.5)]) }.contains("chips_per_node must be a whole number"))
        XCTAssertTrue(message { try Chip.derived(from: base, overrides: ["vendor": .number(2)]) }.contains("vendor must be text"))
        XCTAssertTrue(message { try Chip.derived(from: base, overrides: ["mem_gb": .text("a lot")]) }.contains("mem_gb must be a number (GB)"))
        // Setting an assumed figure removes the assumption.
        let k100 = try ChipCatalog.chip("hygon_dcu_k100_ai")
        XCTAssertNotNil(k100.assumptions["mem_bw_gbs"])
        let measured = try Chip.derived(from: k100, overrides: ["mem_bw_gbs": .number(1100)])
        XCTAssertNil(measured.assumptions["mem_bw_gbs"])
        XCTAssertNotNil(measured.assumptions["intra_link_gbs"])
    }

    func testCustomChipDefaultsAndRequiredFields() throws {
        let c = try Chip.custom(fields: ["id": .text("my_npu"), "vendor": .text("Acme"), "bf16_tflops": .number(400),
                                         "mem_gb": .number(64), "mem_bw_gbs": .number(1600), "intra_link_gbs": .number(300),
                                         "nic_gbps": .number(200)])
        XCTAssertEqual(c.name, "my_npu")
        XCTAssertEqual(c.fp16Tflops, 400)
        XCTAssertEqual(c.chipsPerNode, 8)
        XCTAssertEqual(c.intraTopology, .switch)
        XCTAssertEqual(c.source, "user-defined")
        XCTAssertTrue(c.efficiencySource.hasPrefix("assumption"))
        XCTAssertEqual(message { try Chip.custom(fields: ["id": .text("x"), "bf16_tflops": .number(1)]) },
                       "custom chip needs mem_gb, mem_bw_gbs, intra_link_gbs (or give base = '<catalog id>' to start from a catalog chip)")
        XCTAssertTrue(message { try Chip.custom(fields: ["id": .text("x"), "bf16_tflops": .number(-1), "mem_gb": .number(1),
                                                         "mem_bw_gbs": .number(1), "intra_link_gbs": .number(1)]) }
            .contains("chip 'x': bf16_tflops must be > 0 TFLOP/s (got -1)"))
    }

    /// Regression (found in review): a cluster saved before chips had a scale-up
    /// efficiency must still load; a derived chip's figure survives the round trip; the
    /// catalog rows carry the figure and its source.
    func testScaleUpEfficiencyPersistsAndOldFilesLoad() throws {
        let a100 = try ChipCatalog.chip("nvidia_a100_sxm4_80g")
        let tuned = try Chip.derived(from: a100, overrides: ["id": .text("tuned"), "scale_up_efficiency": .number(0.5)])
        let spec = ClusterSpec(name: "saved", sites: [SiteSpec(name: "a", groups: [NodeGroupSpec(chip: .custom(tuned), nodes: 1)])])
        let json = try spec.jsonString()
        XCTAssertEqual(try ClusterSpec(json: json), spec)
        XCTAssertEqual(try ClusterSpec(json: json).compile().chip(ofRank: 0).scaleUpEfficiency, 0.5)
        // The same file as an older version wrote it: no scale-up keys at all.
        let old = json.split(separator: "\n").filter { !$0.contains("scaleUpEfficiency") }.joined(separator: "\n")
        XCTAssertFalse(old.contains("scaleUpEfficiency"))
        XCTAssertNil(try ClusterSpec(json: old).compile().chip(ofRank: 0).scaleUpEfficiency)
        let table = ChipCatalog.table([a100])
        let k = try XCTUnwrap(table.columns.firstIndex(of: "scale_up_efficiency"))
        XCTAssertEqual(table.rows[0][k], .number(230.0 / 300.0))
        XCTAssertNotNil(table.rows[0][k + 1])
    }

    func testFieldDocsCoverEveryGettableField() throws {
        let c = try ChipCatalog.chip("nvidia_a100_sxm4_80g")
        for f in Chip.fieldDocs { XCTAssertNoThrow(try c.value(of: f.name), f.name) }
        XCTAssertEqual(try c.value(of: "bf16_tflops"), .number(312))
        XCTAssertEqual(try c.value(of: "intra_topology"), .text("switch"))
        XCTAssertNil(try ChipCatalog.chip("huawei_ascend_910b3").value(of: "tdp_w"))
        XCTAssertThrowsError(try c.value(of: "tflops"))
        // Round trip: every field read and written back gives the same chip.
        var copy = c
        for f in Chip.fieldDocs { if let v = try c.value(of: f.name) { try copy.set(f.name, to: v) } }
        XCTAssertEqual(copy, c)
    }

    func testCountValidation() {
        XCTAssertEqual(try Validate.count(8, field: "count"), 8)
        XCTAssertEqual(message { try Validate.count(2.5, field: "count") }, "count must be a whole number >= 1 (got 2.5)")
        XCTAssertEqual(message { try Validate.count(0, field: "count") }, "count must be >= 1 (got 0)")
        XCTAssertEqual(message { try Validate.count(-4, field: "count") }, "count must be >= 1 (got -4)")
        XCTAssertTrue(message { try Validate.count(.infinity, field: "count") }.contains("whole number"))
        XCTAssertTrue(message { try Validate.count(1e300, field: "count") }.contains("must be <= 100000000"))
    }
}
