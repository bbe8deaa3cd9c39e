import XCTest
@testable import AmalgamCore

/// nccl-tests output read into measured curves: both column layouts, header
/// variants, multi-process device lines, CRLF, and malformed input.
final class NcclTestsParserTests: XCTestCase {
    /// `Fixtures/nccl_tests_all_reduce_8xA100.txt`: all_reduce_perf -b 8 -e 8G -f 2
    /// on 8 GPUs, written in the current nccl-tests format.
    static var fixture: String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/nccl_tests_all_reduce_8xA100.txt")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    /// The current layout's column header and units line.
    static let header = """
    #                                                              out-of-place                       in-place
    #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
    #        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)
    """

    func message(_ text: String, collective: CollectiveKind? = nil) -> String {
        do { _ = try NcclTestsParser.parse(text, collective: collective); return "no error" } catch { return "\(error)" }
    }

    func testFixtureParses() throws {
        let c = try NcclTestsParser.parse(Self.fixture)
        XCTAssertEqual(c.collective, .allReduce)
        XCTAssertEqual(c.rankCount, 8)
        XCTAssertEqual(c.points.count, 31)
        XCTAssertEqual(c.minBytes, 8)
        XCTAssertEqual(c.maxBytes, 8_589_934_592)
        XCTAssertEqual(c.points[0].elementCount, 2)
        XCTAssertEqual(c.points[0].dataType, "float")
        XCTAssertEqual(c.points[0].outOfPlace.seconds, 11.70e-6, accuracy: 1e-15)
        XCTAssertEqual(c.points[0].inPlace.seconds, 11.47e-6, accuracy: 1e-15)
        XCTAssertEqual(c.points[30].outOfPlace.seconds, 65525e-6, accuracy: 1e-12)
        XCTAssertEqual(c.points[30].inPlace.busbwGBs, 234.00)
        XCTAssertEqual(c.points[29].outOfPlace.algbwGBs, 132.70)
        XCTAssertEqual(c.maxBusbwGBs(), 236.86)
        XCTAssertEqual(c.maxBusbwGBs(.outOfPlace), 232.22)
        XCTAssertEqual(c.averageBusbwGBs, 96.5204)
        for (a, b) in zip(c.points, c.points.dropFirst()) { XCTAssertEqual(b.bytes, 2 * a.bytes) }
    }

    /// Old nccl-tests: no root column, `error` instead of `#wrong`, no test name
    /// line (the caller names the collective), N/A, CRLF and blank lines.
    func testOldLayoutWithoutRootColumn() throws {
        let text = [
            "# nThread 1 nGpus 4 minBytes 1024 maxBytes 4096 step: 2(factor) warmup iters: 5 iters: 20 validation: 1",
            "#",
            "# Using devices",
            "#   Rank  0 Pid  1001 on   host-a device  0 [0x1a] Tesla V100-SXM2-32GB",
            "#   Rank  1 Pid  1001 on   host-a device  1 [0x1b] Tesla V100-SXM2-32GB",
            "#   Rank  2 Pid  1001 on   host-a device  2 [0x3d] Tesla V100-SXM2-32GB",
            "#   Rank  3 Pid  1001 on   host-a device  3 [0x3e] Tesla V100-SXM2-32GB",
            "",
            "#                                                 out-of-place                    in-place",
            "#       size         count    type   redop     time   algbw   busbw  error     time   algbw   busbw  error",
            "#        (B)    (elements)                     (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)",
            "        1024           256   float     sum    20.00    0.05    0.08  0e+00    19.00    0.05    0.08    N/A",
            "",
            "        2048           512   float     sum    22.00    0.09    0.14  2e-07    21.00    0.10    0.15    N/A",
            "        4096          1024   float     sum    26.00    0.16    0.24  0e+00    25.00    0.16    0.25    N/A",
            "# Out of bounds values : 0 OK",
            "# Avg bus bandwidth    : 0.157",
        ].joined(separator: "\r\n")
        XCTAssertEqual(message(text), "the output does not name its test (no '# Collective test starting:' line); say which collective it measured")
        let c = try NcclTestsParser.parse(text, collective: .allGather)
        XCTAssertEqual(c.collective, .allGather)
        XCTAssertEqual(c.rankCount, 4)
        XCTAssertEqual(c.points.map(\.bytes), [1024, 2048, 4096])
        XCTAssertEqual(c.points[1].outOfPlace.seconds, 22e-6, accuracy: 1e-15)
        XCTAssertEqual(c.points[1].inPlace.seconds, 21e-6, accuracy: 1e-15)
        XCTAssertEqual(c.points[2].inPlace.busbwGBs, 0.25)
        XCTAssertEqual(c.averageBusbwGBs, 0.157)
    }

    /// Rows without any header: the width says whether there is a root column.
    func testRowsWithoutHeader() throws {
        let thirteen = """
                1024           256     float     sum      -1    20.00    0.05    0.09      0    19.00    0.05    0.09    N/A
                2048           512     float     sum      -1    22.00    0.09    0.16      0    21.00    0.10    0.17      0
        """
        XCTAssertEqual(try NcclTestsParser.parse(thirteen, collective: .allReduce).points.count, 2)
        let twelve = """
                1024           256     float     sum    20.00    0.05    0.09      0    19.00    0.05    0.09      0
        """
        XCTAssertEqual(try NcclTestsParser.parse(twelve, collective: .broadcast).points[0].inPlace.seconds, 19e-6, accuracy: 1e-15)
        XCTAssertEqual(message("  1024  256  float  sum  -1  20.00  0.05  0.09  0", collective: .allReduce),
                       "line 1: expected 12 or 13 columns (size count type redop [root] time algbw busbw #wrong time algbw busbw #wrong), got 9")
        XCTAssertEqual(message(thirteen + "\n  4096  1024  float  sum  30.00  0.14  0.24  0  29.00  0.14  0.25  0", collective: .allReduce),
                       "line 3: expected 13 columns, got 12")
        XCTAssertNil(try NcclTestsParser.parse(thirteen, collective: .allReduce).rankCount)
    }

    /// mpirun output: several processes' device lines (one per rank, several
    /// hosts), NCCL's own log lines, an echoed command before the table.
    func testMultiProcessOutput() throws {
        var lines = ["$ mpirun -np 16 -npernode 8 ./build/alltoall_perf -b 1M -e 2M -f 2 -g 1",
                     "# Collective test starting: alltoall_perf",
                     "# nThread 1 nGpus 1 minBytes 1048576 maxBytes 2097152 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0",
                     "#", "# Using devices"]
        for r in 0..<16 {
            lines.append("#  Rank \(r < 10 ? " " : "")\(r) Group  0 Pid  \(6900 + r) on node-\(r / 8) device  \(r % 8) [0000:04:00] NVIDIA H100 80GB HBM3")
        }
        lines.append("node-0:6900:6900 [0] NCCL INFO Bootstrap : Using eth0:10.0.0.1<0>")
        lines += Self.header.split(separator: "\n").map(String.init)
        lines.append("     1048576         16384     float    none      -1    95.10   11.03   10.34      0    94.20   11.13   10.43      0")
        lines.append("node-1:6908:6950 [0] NCCL WARN something transient")
        lines.append("     2097152         32768     float    none      -1    150.2   13.96   13.09      0    149.8   14.00   13.12      0")
        lines += ["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : 11.7451 ", "#", "",
                  "[node-0:01234] 15 more processes have sent help message help-mpi-btl-openib.txt"]
        let c = try NcclTestsParser.parse(lines.joined(separator: "\n"))
        XCTAssertEqual(c.collective, .allToAll)
        XCTAssertEqual(c.rankCount, 16)
        XCTAssertEqual(c.points.count, 2)
        XCTAssertEqual(c.points[1].outOfPlace.seconds, 150.2e-6, accuracy: 1e-15)
    }

    func testHeaderAndCallerMustAgree() throws {
        let text = "# Collective test starting: all_gather_perf\n" + Self.header
            + "\n        1024           256     float    none      -1    20.00    0.05    0.04      0    19.00    0.05    0.04      0"
        XCTAssertEqual(try NcclTestsParser.parse(text, collective: .allGather).collective, .allGather)
        XCTAssertEqual(message(text, collective: .allReduce),
                       "the output is from all_gather_perf (all_gather), but collective 'all_reduce' was given")
        let sendrecv = text.replacingOccurrences(of: "all_gather_perf", with: "sendrecv_perf")
        XCTAssertTrue(message(sendrecv).hasPrefix("sendrecv_perf measures point-to-point transfers, not a collective"), message(sendrecv))
        XCTAssertEqual(try NcclTestsParser.collective(forTest: "./build/reduce_scatter_perf_mpi"), .reduceScatter)
        XCTAssertTrue(message(text.replacingOccurrences(of: "all_gather_perf", with: "all_gathr_perf"))
            .hasPrefix("unknown nccl-tests test 'all_gathr_perf' (did you mean 'all_gather_perf'"))
    }

    func testMillisecondUnits() throws {
        let text = Self.header.replacingOccurrences(of: "(us)", with: "(ms)")
            + "\n        1024           256     float     sum      -1     0.02    0.05    0.09      0     0.03    0.03    0.06      0"
        let c = try NcclTestsParser.parse(text, collective: .allReduce)
        XCTAssertEqual(c.points[0].outOfPlace.seconds, 20e-6, accuracy: 1e-15)
        XCTAssertEqual(c.points[0].inPlace.seconds, 30e-6, accuracy: 1e-15)
    }

    /// Every malformed input is an error naming the line, never a trap.
    func testMalformedLinesNameTheLine() {
        let row = "        1024           256     float     sum      -1    20.00    0.05    0.09      0    19.00    0.05    0.09      0"
        let head = "# Collective test starting: all_reduce_perf\n" + Self.header + "\n"  // rows start at line 5
        XCTAssertEqual(message(head + row + "\n        2048           512     float     sum      -1    22.00    0.09    0.16"),
                       "line 6: expected 13 columns, got 8")
        XCTAssertEqual(message(head + row.replacingOccurrences(of: "19.00", with: "abc")),
                       "line 5: in-place time 'abc' is not a non-negative number")
        XCTAssertEqual(message(head + row.replacingOccurrences(of: "  1024", with: "1024.5")),
                       "line 5: size '1024.5' is not a whole number of bytes")
        XCTAssertEqual(message(head + row.replacingOccurrences(of: "20.00", with: "0.00")),
                       "line 5: out-of-place time is 0 for 1024 bytes; a measured time must be positive")
        XCTAssertEqual(message(head + row.replacingOccurrences(of: "0.09      0    19.00", with: "0.09      3    19.00")),
                       "line 5: nccl-tests counted 3 wrong values (out-of-place); the run failed validation")
        XCTAssertEqual(message(head + row + "\n" + row),
                       "line 6: size 1024 bytes was already measured on line 5 (one data type, one reduction op and one run per file)")
        XCTAssertEqual(message(head + row + "\nSegmentation fault (core dumped)"),
                       "line 6: unexpected text 'Segmentation fault (core dumped)' in the results table (expected a row of numbers)")
        XCTAssertEqual(message(head + row + "\n# Out of bounds values : 12 FAILED"),
                       "line 6: nccl-tests reported a failed run (Out of bounds values : 12 FAILED); its figures are not usable")
        XCTAssertEqual(message(head + row + "\n# Out of bounds values : 0 OK\n" + head + row.replacingOccurrences(of: "  1024", with: "  2048")),
                       "line 11: a result row after the table's closing '# Out of bounds' / '# Avg bus bandwidth' lines (several runs in one file? load one table at a time)")
        XCTAssertEqual(message(head), "no result rows found (expected nccl-tests output: '#' header lines, then one row per message size)")
        XCTAssertEqual(message(""), "no result rows found (expected nccl-tests output: '#' header lines, then one row per message size)")
        XCTAssertEqual(message("#  size count type redop root time algbw busbw #wrong time busbw #wrong\n" + row),
                       "line 1: column header has 1 'algbw' columns, expected 2 (out-of-place and in-place)")
        XCTAssertEqual(message(head + "           0             0     float     sum      -1     1.00    0.00    0.00      0     1.00    0.00    0.00      0"),
                       "a measured all_reduce curve needs a size above 0 bytes")
    }

    /// Sizes beyond 2^53 are refused with the line, never converted (they trapped).
    func testHugeSizesAreRefused() {
        let text = """
        #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
        #        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)
         9223372036854775807  2305843009213693951  float  sum  -1  10.0  1.0  1.0  0  10.0  1.0  1.0  0
        """
        XCTAssertThrowsError(try NcclTestsParser.parse(text, collective: .allReduce)) { e in
            XCTAssertTrue("\(e)".contains("above 2^53"), "\(e)")
        }
    }
}
