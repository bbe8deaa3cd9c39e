import XCTest
@testable import AmalgamCore

/// The built-in catalog against the shared reference CSV, and its own invariants.
final class HardwareCatalogTests: XCTestCase {
    /// The reference CSV: `../shared/reference/accelerators.csv` next to the repo
    /// (the layout of the workspace and of CI), else the committed fixture copy.
    static func referenceCSV() throws -> String {
        let here = URL(fileURLWithPath: #filePath)
        let repo = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            repo.deletingLastPathComponent().appendingPathComponent("shared/reference/accelerators.csv"),
            here.deletingLastPathComponent().appendingPathComponent("Fixtures/accelerators.csv"),
        ]
        for url in candidates where FileManager.default.fileExists(atPath: url.path) {
            return try String(contentsOf: url, encoding: .utf8)
        }
        throw XCTSkip("accelerators.csv not found at \(candidates.map(\.path))")
    }

    /// Minimal RFC 4180 reader (quoted fields, doubled quotes, commas and
    /// newlines inside quotes), independent of the code under test.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var inQuotes = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { inQuotes = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { inQuotes = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r", chars.first == "\n" { chars.removeFirst() }
                row.append(field); field = ""; rows.append(row); row = []
            } else { field.unicodeScalars.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    func testEveryReferenceRowMatchesCatalog() throws {
        let rows = Self.parseCSV(try Self.referenceCSV())
        let header = rows[0]
        XCTAssertEqual(rows.count - 1, 32, "accelerators.csv has 32 chips")
        func col(_ name: String) -> Int { header.firstIndex(of: name)! }
        for r in rows.dropFirst() {
            let id = r[col("id")]
            let chip = try ChipCatalog.chip(id)
            XCTAssertEqual(chip.vendor, r[col("vendor")], id)
            XCTAssertEqual(chip.name, r[col("name")], id)
            XCTAssertEqual(chip.bf16Tflops, Double(r[col("bf16_tflops_dense")]), id)
            XCTAssertEqual(chip.memGB, Double(r[col("mem_gb")]), id)
            XCTAssertEqual(chip.chipsPerNode, Int(r[col("chips_per_node")]), id)
            // Optional figures: blank stays nil.
            XCTAssertEqual(chip.fp32Tflops, Double(r[col("fp32_tflops")]), "\(id) fp32")
            XCTAssertEqual(chip.nicGbps, Double(r[col("nic_gbps")]), "\(id) nic")
            XCTAssertEqual(chip.tdpW, Double(r[col("tdp_w")]), "\(id) tdp")
            // Figures the model cannot run without: blank means an assumption recorded by name.
            for (field, value) in [("mem_bw_gbs", chip.memBwGBs), ("intra_link_gbs", chip.intraLinkGBs)] {
                if let published = Double(r[col(field)]) {
                    XCTAssertEqual(value, published, "\(id) \(field)")
                    XCTAssertNil(chip.assumptions[field], "\(id) \(field) is published, not assumed")
                } else {
                    XCTAssertTrue(chip.assumptions[field]?.hasPrefix("assumption:") == true, "\(id) \(field) blank but no assumption")
                }
            }
            XCTAssertTrue(chip.source.contains(r[col("source")]), "\(id) keeps its CSV source")
        }
        // Every CSV row is in the catalog, and the catalog's reference part is exactly those rows.
        XCTAssertEqual(ChipCatalog.referenceChips.map(\.id), rows.dropFirst().map { $0[col("id")] })
    }

    func testCatalogInvariants() throws {
        XCTAssertEqual(Set(ChipCatalog.ids).count, ChipCatalog.ids.count, "ids are unique")
        for id in ["nvidia_v100_pcie", "nvidia_rtx_3090", "nvidia_rtx_4090", "nvidia_rtx_2080_ti", "nvidia_titan_rtx",
                   "nvidia_t4", "nvidia_a10", "nvidia_l4", "nvidia_gh200", "amd_mi250x_gcd", "huawei_ascend_910c_die"] {
            XCTAssertTrue(ChipCatalog.contains(id), id)
        }
        for chip in ChipCatalog.all {
            XCTAssertFalse(chip.source.isEmpty, chip.id)
            XCTAssertFalse(chip.efficiencySource.isEmpty, chip.id)
            XCTAssertNoThrow(try chip.validate(), chip.id)
            // An efficiency is either sourced (names a measurement) or labelled an assumption.
            XCTAssertTrue(chip.efficiencySource.hasPrefix("assumption") || chip.efficiencySource.contains("measured"), chip.id)
        }
    }

    func testDenseFiguresOfAddedGPUs() throws {
        // Ada whitepaper: RTX 4090 FP16 tensor with FP16 accumulate 330.3 dense;
        // GeForce runs FP32 accumulate at half rate -> 165.15, listed as 165.2.
        XCTAssertEqual(try ChipCatalog.chip("nvidia_rtx_4090").bf16Tflops, 165.2)
        XCTAssertEqual(try ChipCatalog.chip("nvidia_rtx_4090").bf16Tflops, 330.3 / 2, accuracy: 0.06)
        // GA102 whitepaper: RTX 3090 142 (FP16 acc) / 2 = 71.
        XCTAssertEqual(try ChipCatalog.chip("nvidia_rtx_3090").bf16Tflops, 142.0 / 2)
        // Turing whitepaper: 2080 Ti 107.6 (FP16 acc) / 2 = 53.8.
        XCTAssertEqual(try ChipCatalog.chip("nvidia_rtx_2080_ti").bf16Tflops, 107.6 / 2, accuracy: 1e-9)
        // L4 datasheet 242 sparse -> 121 dense; FP8 485 -> 242.5.
        XCTAssertEqual(try ChipCatalog.chip("nvidia_l4").bf16Tflops, 242.0 / 2)
        XCTAssertEqual(try ChipCatalog.chip("nvidia_l4").fp8Tflops, 485.0 / 2)
        // Per-device variants halve the per-package rows (accelerators.md §1).
        let pkg = try ChipCatalog.chip("amd_mi250x"), gcd = try ChipCatalog.chip("amd_mi250x_gcd")
        XCTAssertEqual(gcd.bf16Tflops, pkg.bf16Tflops / 2)
        XCTAssertEqual(gcd.memGB, pkg.memGB / 2)
        XCTAssertEqual(gcd.memBwGBs, pkg.memBwGBs / 2)
        let c = try ChipCatalog.chip("huawei_ascend_910c"), die = try ChipCatalog.chip("huawei_ascend_910c_die")
        XCTAssertEqual(die.bf16Tflops * 2, c.bf16Tflops, accuracy: 1e-9)
        XCTAssertEqual(die.memGB * 2, c.memGB)
    }

    func testMeshPerPeerMatchesPublishedFigures() throws {
        // accelerators.md §4: MI300X 7 xGMI links x 128 GB/s bidir -> 64 GB/s per direction per peer.
        let mi = try ChipCatalog.chip("amd_mi300x")
        XCTAssertEqual(mi.intraTopology.linkGBs(intraLinkGBs: mi.intraLinkGBs, chipsPerNode: mi.chipsPerNode), 64)
        // 910B HCCS: 196 GB/s per direction per NPU over 7 peers = 28.
        let b2 = try ChipCatalog.chip("huawei_ascend_910b2")
        XCTAssertEqual(b2.intraTopology.linkGBs(intraLinkGBs: b2.intraLinkGBs, chipsPerNode: b2.chipsPerNode), 28)
        // Gaudi3: 3 x 200GbE per peer = 75 GB/s per direction.
        let g3 = try ChipCatalog.chip("intel_gaudi3")
        XCTAssertEqual(g3.intraTopology.linkGBs(intraLinkGBs: g3.intraLinkGBs, chipsPerNode: g3.chipsPerNode), 75)
    }

    func testLookupMissSuggests() {
        XCTAssertThrowsError(try ChipCatalog.chip("nvidia_a100")) { e in
            let m = (e as! AmalgamError).message
            XCTAssertTrue(m.contains("unknown chip 'nvidia_a100'"), m)
            XCTAssertTrue(m.contains("nvidia_a100_sxm4_80g"), m)
        }
    }

    func testCatalogTable() throws {
        let t = ChipCatalog.table()
        XCTAssertEqual(t.rows.count, ChipCatalog.all.count)
        XCTAssertEqual(t.columns.first, "id")
        XCTAssertEqual(t.columns.last, "source")
        XCTAssertTrue(t.rows.allSatisfy { $0.count == t.columns.count })
        let k100 = t.rows[ChipCatalog.ids.firstIndex(of: "hygon_dcu_k100_ai")!]
        XCTAssertEqual(k100[t.columns.firstIndex(of: "fp32_tflops")!], nil)
        XCTAssertEqual(k100[t.columns.firstIndex(of: "assumed_fields")!], .text("intra_link_gbs;mem_bw_gbs"))
        let a100 = t.rows[ChipCatalog.ids.firstIndex(of: "nvidia_a100_sxm4_80g")!]
        XCTAssertEqual(a100[t.columns.firstIndex(of: "bf16_tflops")!], .number(312))
        XCTAssertEqual(a100[t.columns.firstIndex(of: "chips_per_node")!], .integer(8))
    }
}

/// The committed fixture must not drift from the shared reference it copies.
final class HardwareCatalogFixtureTests: XCTestCase {
    func testFixtureMatchesSharedReferenceWhenBothExist() throws {
        let here = URL(fileURLWithPath: #filePath)
        let shared = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/reference/accelerators.csv")
        let fixture = here.deletingLastPathComponent().appendingPathComponent("Fixtures/accelerators.csv")
        guard FileManager.default.fileExists(atPath: shared.path) else { throw XCTSkip("no shared/ next to the repo") }
        XCTAssertEqual(try Data(contentsOf: fixture), try Data(contentsOf: shared),
                       "Tests/AmalgamCoreTests/Fixtures/accelerators.csv differs from shared/reference: copy it again")
    }
}
