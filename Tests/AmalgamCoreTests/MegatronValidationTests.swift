import AmalgamCore
import Foundation
import XCTest

/// Narayanan et al. SC'21 Table 1 (A100, 1.7B–1T): predicted per-GPU TFLOP/s within 15%
/// of the published figures with default settings. The rows come from
/// `shared/reference/published/megatron_sc21_table1.csv` (fixture copy in Fixtures/).
final class MegatronValidationTests: XCTestCase {
    static func rows() throws -> [MegatronRow] {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let shared = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/reference/published/megatron_sc21_table1.csv")
        let fixture = here.appendingPathComponent("Fixtures/megatron_sc21_table1.csv")
        let url = FileManager.default.fileExists(atPath: shared.path) ? shared : fixture
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = splitCSV(lines.removeFirst())
        func col(_ name: String) throws -> Int {
            guard let i = header.firstIndex(of: name) else { throw AmalgamError("column \(name) missing") }
            return i
        }
        let (t, scheme, pb, gpus, tp, pp, gb, mb, v, tf) = try (col("table"), col("scheme"), col("params_B"), col("gpus"), col("tp"), col("pp"),
                                                                col("global_batch"), col("micro_batch"), col("interleave_chunks_per_stage"), col("tflops_per_gpu"))
        return lines.compactMap { line in
            let f = splitCSV(line)
            guard f[scheme] == "PTD-P" else { return nil }
            return MegatronRow(table: Int(f[t])!, paramsB: Double(f[pb])!, gpus: Int(f[gpus])!, tp: Int(f[tp])!, pp: Int(f[pp])!,
                               globalBatch: Int(f[gb])!, microBatch: Int(f[mb])!, virtualStages: Int(f[v]) ?? 1,
                               publishedTflops: Double(f[tf])!)
        }
    }

    /// Minimal RFC 4180 split (the file quotes fields with commas).
    static func splitCSV(_ line: String) -> [String] {
        var out: [String] = [], field = "", quoted = false
        var chars = Array(line).makeIterator()
        while let c = chars.next() {
            if c == "\"" { quoted.toggle(); continue }
            if c == "," && !quoted { out.append(field); field = ""; continue }
            field.append(c)
        }
        out.append(field)
        return out
    }

    func testTable1WithinFifteenPercent() throws {
        let rows = try Self.rows().filter { $0.table == 1 }
        XCTAssertEqual(rows.count, 10)
        for row in rows {
            let (tflops, _) = try row.simulate()
            let error = tflops / row.publishedTflops - 1
            XCTAssertLessThan(abs(error), 0.15, "\(row.paramsB)B on \(row.gpus) GPUs: predicted \(tflops), published \(row.publishedTflops)")
        }
    }
}
