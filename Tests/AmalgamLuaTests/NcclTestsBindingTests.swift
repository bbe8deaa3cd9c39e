import AmalgamLua
import Foundation
import XCTest

/// `c:load_nccl_tests` and collective results timed from measured curves.
final class NcclTestsBindingTests: XCTestCase {
    /// all_reduce_perf on 8 GPUs, three sizes (current layout, CRLF line ends).
    static let output: String = {
        let head: [String] = [
            "# Collective test starting: all_reduce_perf",
            "# nThread 1 nGpus 8 minBytes 1048576 maxBytes 1073741824 step: 32(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0",
            "#",
            "# Using devices",
        ]
        let devices: [String] = (0..<8).map { "#  Rank  \($0) Group  0 Pid  41230 on     node-a device  \($0) [0x07] NVIDIA A100-SXM4-80GB" }
        let table: [String] = [
            "#",
            "#                                                              out-of-place                       in-place",
            "#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong",
            "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)",
            "     1048576        262144     float     sum      -1    30.00   34.95   61.17      0    29.00   36.16   63.28      0",
            "    33554432       8388608     float     sum      -1    260.0  129.06  225.85      0    250.0  134.22  234.88      0",
            "  1073741824     268435456     float     sum      -1   4800.0  223.70  391.47      0   4790.0  224.16  392.29      0",
            "# Out of bounds values : 0 OK",
            "# Avg bus bandwidth    : 229.1 ",
            "#",
        ]
        return (head + devices + table).joined(separator: "\r\n")
    }()

    static let cluster = """
    local c = am.cluster{ sites = { { name = "dc", nodes = { { chip = "nvidia_a100_sxm4_80g", nodes = 2 } } } } }
    local function near(a, b, what) assert(math.abs(a - b) <= 1e-9 * math.max(1e-12, math.abs(b)), what .. ": " .. a .. " vs " .. b) end

    """

    /// A temporary directory holding `ar.txt` (the output above) and `bad.txt`.
    func directory(bad: String = "") throws -> String {
        let dir = try makeTempDirectory()
        try Self.output.write(toFile: dir + "/ar.txt", atomically: true, encoding: .utf8)
        try bad.write(toFile: dir + "/bad.txt", atomically: true, encoding: .utf8)
        return dir
    }

    func run(_ code: String, dir: String) throws -> RunOutcome {
        try LuaRuntime(options: RuntimeOptions(outputDirectory: dir)).run(string: Self.cluster + code, name: "=test")
    }

    func testLoadAndTimeFromTheCurve() throws {
        let dir = try directory()
        // Relative paths are looked up under --out when not in the current directory.
        let outcome = try run("""
        local s = c:load_nccl_tests{ file = "ar.txt", nodes = { "dc/nvidia_a100_sxm4_80g/n1" } }
        assert(s.collective == "all_reduce" and s.sizes == 3 and s.placement == "in_place", s.collective)
        assert(s.min_bytes == 2^20 and s.max_bytes == 2^30 and s.max_busbw_gbs == 392.29 and s.avg_busbw_gbs == 229.1)
        assert(#s.ranks == 8 and s.ranks[1] == 8 and s.ranks[8] == 15)
        local ranks = { 15, 14, 13, 12, 11, 10, 9, 8 }
        -- No algo: the curve. 2^25 bytes is measured (in place 250 us); 2^24 lies between 2^20 and 2^25.
        local r = am.allreduce{ cluster = c, bytes = 2^25, ranks = ranks }
        assert(r.source == "measured" and r.algo == "measured" and r.flows == 0 and r.transfers == 0, r.source)
        near(r.time_s, 250e-6, "measured size")
        near(r.algbw_gbs, 2^25 / 250e-6 / 1e9, "algbw")
        near(r.busbw_gbs, 2^25 / 250e-6 / 1e9 * 14 / 8, "busbw")
        assert(r.busiest_link == nil and #r:links() == 0 and #r:schedule() == 0)
        near(am.allreduce{ cluster = c, bytes = 2^24, ranks = ranks, algo = "auto" }.time_s,
             29e-6 + (250e-6 - 29e-6) * (2^24 - 2^20) / (2^25 - 2^20), "interpolated")
        -- Above the largest size: its algbw carries on.
        near(am.allreduce{ cluster = c, bytes = 2^31, ranks = ranks }.time_s, 2 * 4790e-6, "extrapolated")
        -- A named algorithm: the model, unless measured = true; measured = false: the model.
        assert(am.allreduce{ cluster = c, bytes = 2^25, ranks = ranks, algo = "ring" }.source == "model")
        assert(am.allreduce{ cluster = c, bytes = 2^25, ranks = ranks, algo = "ring", measured = true }.source == "measured")
        assert(am.allreduce{ cluster = c, bytes = 2^25, ranks = ranks, measured = false }.source == "model")
        -- Other ranks and other collectives: the model.
        assert(am.allreduce{ cluster = c, bytes = 2^25, ranks = { 0, 1, 2, 3, 4, 5, 6, 7 } }.source == "model")
        assert(am.allreduce{ cluster = c, bytes = 2^25 }.source == "model")
        assert(am.all_gather{ cluster = c, bytes = 2^25, ranks = ranks }.source == "model")
        -- Saved with the cluster.
        local back = am.cluster.from_json(c:to_json())
        assert(back == c)
        assert(am.allreduce{ cluster = back, bytes = 2^25, ranks = ranks }.source == "measured")
        assert(tostring(c):find("all_reduce over 8 ranks: 3 sizes", 1, true), tostring(c))
        r:to_json("measured.json")
        """, dir: dir)
        if case .failed(let m) = outcome { return XCTFail(m) }
        let json = try String(contentsOfFile: dir + "/measured.json", encoding: .utf8)
        XCTAssertTrue(json.contains("\"source\": \"measured\""), json)
    }

    func testRanksCollectiveAndPlacementOptions() throws {
        let dir = try directory()
        let rows = Self.output.split(separator: "\r\n").filter { !$0.hasPrefix("# Collective test starting") }.joined(separator: "\n")
        try rows.write(toFile: dir + "/unnamed.txt", atomically: true, encoding: .utf8)
        let outcome = try run("""
        local s = c:load_nccl_tests{ file = "unnamed.txt", ranks = { 0, 2, 4, 6, 8, 10, 12, 14 }, collective = "all_reduce",
                                     placement = "out_of_place" }
        assert(s.placement == "out_of_place" and s.max_busbw_gbs == 391.47)
        near(am.allreduce{ cluster = c, bytes = 2^25, ranks = { 14, 12, 10, 8, 6, 4, 2, 0 } }.time_s, 260e-6, "out of place")
        """, dir: dir)
        if case .failed(let m) = outcome { XCTFail(m) }
    }

    /// Errors name the script line, the file and the file's line; the cluster is unchanged.
    func testBadFilesAndOptions() throws {
        let truncated = Self.output.replacingOccurrences(of: "250.0  134.22  234.88      0", with: "")
        let dir = try directory(bad: truncated)
        func failure(_ code: String) throws -> String {
            switch try run(code, dir: dir) {
            case .ok: return "no error"
            case .failed(let m): return m
            }
        }
        XCTAssertEqual(try failure("""
        local before = c:to_json()
        local ok, e = pcall(c.load_nccl_tests, c, { file = "bad.txt", nodes = { "dc/nvidia_a100_sxm4_80g/n0" } })
        assert(not ok and e:find("bad.txt: line 18: expected 13 columns, got 9", 1, true), e)
        assert(c:to_json() == before)
        """), "no error")
        let bad = try failure("c:load_nccl_tests{ file = \"bad.txt\", nodes = { \"dc/nvidia_a100_sxm4_80g/n0\" } }")
        XCTAssertTrue(bad.hasPrefix("test:3: bad.txt: line 18: expected 13 columns, got 9"), bad)
        XCTAssertTrue(try failure("c:load_nccl_tests{ file = \"nope.txt\", ranks = { 0 } }")
            .hasPrefix("test:3: cannot read 'nope.txt': no such file"))
        XCTAssertTrue(try failure("c:load_nccl_tests{ file = \"ar.txt\", rank = { 0 } }")
            .hasPrefix("test:3: load_nccl_tests: unknown option 'rank' (did you mean 'ranks'?)"))
        XCTAssertTrue(try failure("c:load_nccl_tests{ file = \"ar.txt\" }")
            .hasPrefix("test:3: load_nccl_tests: give the ranks the test ran on (ranks = {...} or nodes = {...})"))
        XCTAssertTrue(try failure("c:load_nccl_tests{ file = \"ar.txt\", ranks = { 0 }, nodes = { \"dc/nvidia_a100_sxm4_80g/n0\" } }")
            .hasPrefix("test:3: load_nccl_tests: give ranks or nodes, not both"))
        XCTAssertTrue(try failure("c:load_nccl_tests{ file = \"ar.txt\", ranks = { 0, 1, 2, 3 } }")
            .hasPrefix("test:3: ar.txt: measured all_reduce curve 1 ('ar.txt'): the output lists 8 ranks, but the group has 4"))
        XCTAssertTrue(try failure("c:load_nccl_tests{ file = \"ar.txt\", nodes = { \"dc/nvidia_a100_sxm4_80g/n0\" }, collective = \"all_gather\" }")
            .hasPrefix("test:3: ar.txt: the output is from all_reduce_perf (all_reduce), but collective 'all_gather' was given"))
        XCTAssertTrue(try failure("c:load_nccl_tests{ file = \"ar.txt\", nodes = { \"dc/nvidia_a100_sxm4_80g/n0\" }, placement = \"inplace\" }")
            .hasPrefix("test:3: unknown placement 'inplace' (did you mean 'in_place'"))
        XCTAssertTrue(try failure("c:load_nccl_tests{ file = \"ar.txt\", nodes = { \"dc/nvidia_a100_sxm4_80g/n9\" } }")
            .hasPrefix("test:3: unknown node 'dc/nvidia_a100_sxm4_80g/n9'"))
        XCTAssertTrue(try failure("""
        c:load_nccl_tests{ file = "ar.txt", nodes = { "dc/nvidia_a100_sxm4_80g/n0" } }
        c:load_nccl_tests{ file = "ar.txt", ranks = { 7, 6, 5, 4, 3, 2, 1, 0 } }
        """).hasPrefix("test:4: ar.txt: measured all_reduce curve 2 ('ar.txt'): curve 1 already measures all_reduce over these 8 ranks"))
    }
}
