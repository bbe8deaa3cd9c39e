import AmalgamIO
import AmalgamLua
import XCTest

final class CSVTests: XCTestCase {
    /// Round trip through the Swift encoder and parser with every awkward kind of cell.
    func testSwiftRoundTrip() throws {
        let columns = ["text", "int", "float", "special"]
        let rows: [[CSVValue]] = [
            [.text("plain"), .integer(42), .number(0.1), .number(.nan)],
            [.text("comma, inside"), .integer(-7), .number(1e-300), .number(.infinity)],
            [.text("quote \" inside"), .integer(Int64.max), .number(-2.5e20), .number(-.infinity)],
            [.text("new\nline"), .integer(0), .number(0.30000000000000004), .missing],
            [.text("ünïcødé 混合 🚀"), .missing, .number(123456.789), .text("")],
        ]
        var text = CSV.header(columns)
        for r in rows { text += CSV.line(r) }
        let parsed = try CSV.parse(text)
        XCTAssertEqual(parsed.columns, columns)
        XCTAssertEqual(parsed.rows, rows)
        XCTAssertTrue(text.contains(",nan\n") && text.contains(",inf\n") && text.contains(",-inf\n"))
        XCTAssertTrue(text.contains("\"quote \"\" inside\""))
    }

    func testNumbersUseShortestRoundTrip() {
        XCTAssertEqual(NumberFormat.format(0.1), "0.1")
        XCTAssertEqual(NumberFormat.format(0.1 + 0.2), "0.30000000000000004")
        XCTAssertEqual(NumberFormat.format(1024.0), "1024")
        XCTAssertEqual(NumberFormat.format(1e-5), "1e-05")
        XCTAssertEqual(NumberFormat.format(1e300), "1e+300")
        for v in [0.1, 1 / 3.0, 2.5e-310, 6.02214076e23, -123.456] {
            XCTAssertEqual(NumberFormat.parse(Substring(NumberFormat.format(v))), v)
        }
    }

    func testMalformedCSVIsReportedWithLine() {
        XCTAssertThrowsError(try CSV.parse("a,b\n1,\"open\n")) { error in
            XCTAssertTrue("\(error)".contains("unterminated"), "\(error)")
        }
        XCTAssertThrowsError(try CSV.parse("a,b\n1,2,3\n")) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
    }

    /// The same round trip, written and read back from Lua.
    func testLuaRoundTrip() throws {
        let dir = try makeTempDirectory()
        let rt = try LuaRuntime(options: RuntimeOptions(outputDirectory: dir))
        let outcome = rt.run(string: """
        local rows = {
          { name = "a,b", n = 1, x = 0.1, s = 1/0 },
          { name = 'say "hi"', n = -2, x = 1e-300, s = -1/0 },
          { name = "two\\nlines", n = 3, x = 2^53, s = 0/0 },
          { name = "混合 🚀", n = 4 },
        }
        am.csv.write("rt.csv", rows, { columns = { "name", "n", "x", "s" } })
        local back, cols = am.csv.read("rt.csv")
        assert(#back == 4 and #cols == 4 and cols[1] == "name")
        for i = 1, 3 do
          assert(back[i].name == rows[i].name, back[i].name)
          assert(back[i].n == rows[i].n and math.type(back[i].n) == "integer")
          assert(back[i].x == rows[i].x)
        end
        assert(back[1].s == math.huge and back[2].s == -math.huge and back[3].s ~= back[3].s)
        assert(back[4].x == nil and back[4].name == "混合 🚀")
        """)
        XCTAssertEqual(outcome, .ok)
        let text = try String(contentsOfFile: dir + "/rt.csv", encoding: .utf8)
        XCTAssertEqual(text, "name,n,x,s\n\"a,b\",1,0.1,inf\n\"say \"\"hi\"\"\",-2,1e-300,-inf\n\"two\nlines\",3,9007199254740992,nan\n混合 🚀,4,,\n")
    }

    func testFailedScriptLeavesNoHalfWrittenCSV() throws {
        let dir = try makeTempDirectory()
        let rt = try LuaRuntime(options: RuntimeOptions(outputDirectory: dir))
        let outcome = rt.run(string: """
        local w = am.csv.open("half.csv", { "i" })
        for i = 1, 100 do w:write{ i = i } end
        error("fails midway")
        """)
        guard case .failed = outcome else { return XCTFail() }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertEqual(left, [], "neither the CSV nor its temporary file remains")
    }

    func testStreamingWriterAppearsOnCloseAndAtSuccessfulEnd() throws {
        let dir = try makeTempDirectory()
        let rt = try LuaRuntime(options: RuntimeOptions(outputDirectory: dir))
        XCTAssertEqual(rt.run(string: """
        do
          local w <close> = am.csv.open("closed.csv", { "i", "sq" })
          for i = 1, 3 do w:write{ i = i, sq = i * i } end
        end
        assert(io.open("\(dir)/closed.csv")) -- visible once the <close> variable left scope
        _G.kept = am.csv.open("open.csv", { "i" })
        kept:write{ 1 }
        assert(not io.open("\(dir)/open.csv")) -- not yet
        """), .ok)
        XCTAssertEqual(try String(contentsOfFile: dir + "/closed.csv", encoding: .utf8), "i,sq\n1,1\n2,4\n3,9\n")
        XCTAssertEqual(try String(contentsOfFile: dir + "/open.csv", encoding: .utf8), "i\n1\n", "committed when the run succeeded")
    }

    func testRowsWithBadCellsAreErrors() throws {
        try assertLuaFails("am.csv.write('x.csv', {{a = {}}})", "row 1, column 'a' holds a table")
        try assertLuaFails("am.csv.write('x.csv', {{a = 1}, 5})", "row 2 must be a table")
    }
}
