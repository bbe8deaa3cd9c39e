import AmalgamLua
import XCTest

/// Counts live instances, to show that errors raised through Swift frames leak nothing.
final class LiveCounter {
    var created = 0
    var destroyed = 0
}

final class Tracked {
    let counter: LiveCounter
    init(_ counter: LiveCounter) { self.counter = counter; counter.created += 1 }
    deinit { counter.destroyed += 1 }
}

final class BridgeTests: XCTestCase {
    func testTenThousandErrorsThroughSwiftLeakNothing() throws {
        let counter = LiveCounter()
        let rt = try LuaRuntime()
        rt.function(FunctionDoc("am.test_fail", "am.test_fail(n)", "Throws after allocating a Swift object.", example: "am.test_fail(1)")) { call in
            let object = Tracked(counter)
            let n = try call.integer(1)
            if n >= 0 { throw LuaError.message("failure \(n) from \(object.counter.created)") }
            return 0
        }
        let outcome = rt.run(string: """
        local failures = 0
        for i = 1, 10000 do
          local ok, err = pcall(am.test_fail, i)
          if not ok and err:find("failure " .. i, 1, true) then failures = failures + 1 end
        end
        -- Argument errors (thrown before the object is made) leak nothing either.
        for i = 1, 100 do assert(not pcall(am.test_fail, "x")) end
        assert(failures == 10000, failures)
        """)
        XCTAssertEqual(outcome, .ok)
        XCTAssertEqual(counter.created, 10100, "one object per call, including the 100 that failed on their argument")
        XCTAssertEqual(counter.destroyed, counter.created, "every Swift object made before an error was released")
    }

    func testErrorsCarryTheCallersPosition() throws {
        let rt = try LuaRuntime()
        rt.function(FunctionDoc("am.test_boom", "am.test_boom()", "Fails.", example: "am.test_boom()")) { _ in
            throw LuaError.message("boom")
        }
        guard case .failed(let m) = rt.run(string: "local x = 1\n\nam.test_boom()", name: "@exp.lua") else { return XCTFail() }
        XCTAssertTrue(m.hasPrefix("exp.lua:3: boom"), m)
        XCTAssertTrue(m.contains("stack traceback"), m)
    }

    func testBadArgumentUsesLuasStandardWording() throws {
        try assertLuaFails("am.csv.write(42, {})", "bad argument #1 to 'write' (string expected, got number)")
        try assertLuaFails("am.csv.write('x.csv', 'rows')", "bad argument #2 to 'write' (table expected, got string)")
        try assertLuaFails("am.csv.read()", "bad argument #1 to 'read' (string expected, got no value)")
        // Userdata report their class name, as luaL_typeerror does.
        try assertLuaFails("local w = am.csv.open('-', {'a'}); am.csv.write(w, {})", "string expected, got amalgam.CSVWriter")
    }

    func testMethodOnWrongReceiverIsAnArgumentError() throws {
        try assertLuaFails("local w = am.csv.open('-', {'a'}); w.write({}, {})", "bad argument #1 to 'write' (amalgam.CSVWriter expected, got table)")
    }

    func testOptionsRejectUnknownKeysByName() throws {
        try assertLuaFails("am.csv.write('x.csv', {{a=1}}, {colums = {'a'}})", "unknown option 'colums' (did you mean 'columns'?)")
        try assertLuaFails("am.csv.write('x.csv', {{a=1}}, {columns = 'a'})", "option 'columns' must be a table (got string)")
    }

    func testUnknownFieldOfAnObjectIsAnError() throws {
        try assertLuaFails("local w = am.csv.open('-', {'a'}); return w.colums", "has no field 'colums' (did you mean 'columns'?)")
    }

    func testRequireReturnsTheGlobalModule() throws {
        try assertLuaRuns("""
        local am = require "amalgam"
        assert(am == amalgam and am == _G.am)
        assert(type(am.version) == "string")
        """)
    }

    func testSeedDrivesMathRandom() throws {
        let dir = try makeTempDirectory()
        func sequence(_ seed: UInt64) throws -> String {
            let rt = try LuaRuntime(options: RuntimeOptions(seed: seed, outputDirectory: dir))
            XCTAssertEqual(rt.run(string: "am.csv.write('r\(seed).csv', {{a = math.random(), b = math.random(1, 1 << 40)}})"), .ok)
            return try String(contentsOfFile: dir + "/r\(seed).csv", encoding: .utf8)
        }
        let a = try sequence(7)
        let again = try LuaRuntime(options: RuntimeOptions(seed: 7, outputDirectory: dir))
        XCTAssertEqual(again.run(string: "am.csv.write('r7b.csv', {{a = math.random(), b = math.random(1, 1 << 40)}})"), .ok)
        XCTAssertEqual(a, try String(contentsOfFile: dir + "/r7b.csv", encoding: .utf8))
        XCTAssertNotEqual(a, try sequence(8))
        XCTAssertEqual(try runLua("assert(am.seed() == 0)"), .ok)
    }

    func testTimeoutStopsRunawayLoop() throws {
        let rt = try LuaRuntime(options: RuntimeOptions(timeoutSeconds: 0.2))
        guard case .failed(let m) = rt.run(string: "while true do end") else { return XCTFail() }
        XCTAssertTrue(m.contains("timeout after 0.2 s"), m)
        // The state stays usable.
        XCTAssertEqual(rt.run(string: "local x = 1 + 1"), .ok)
    }

    func testMemoryCapGivesLuaError() throws {
        let rt = try LuaRuntime(options: RuntimeOptions(maxMemoryBytes: 16 << 20))
        guard case .failed(let m) = rt.run(string: "local t = {} while true do t[#t + 1] = ('x'):rep(64) .. #t end") else { return XCTFail() }
        XCTAssertTrue(m.contains("not enough memory"), m)
        XCTAssertEqual(rt.run(string: "local t = {} for i = 1, 1000 do t[i] = i end"), .ok, "state survives")
    }

    func testHelpDocumentsFunctionsByValueAndName() throws {
        try assertLuaRuns("""
        local text = am._help(am.csv.write)
        assert(text:find("am.csv.write(path, rows", 1, true), text)
        assert(am._help("csv.read"):find("am.csv.read", 1, true))
        assert(am._help():find("am.csv.open", 1, true))
        assert(am._help("csv.wrte"):find("did you mean", 1, true))
        """)
    }

    /// Every function reachable from the module (and every method of its classes)
    /// has documentation: a binding without docs fails here.
    func testEveryBoundFunctionIsDocumented() throws {
        let rt = try LuaRuntime()
        let outcome = rt.run(string: """
        local missing = {}
        local seen = {}
        local function walk(t, path)
          if seen[t] then return end
          seen[t] = true
          for k, v in pairs(t) do
            local name = path .. "." .. tostring(k)
            local mt = type(v) == "table" and getmetatable(v)
            if type(v) == "function" or (mt and mt.__call) then
              if am._help(v):find("^no help") then missing[#missing + 1] = name end
            end
            if type(v) == "table" then walk(v, name) end
          end
        end
        walk(am, "am")
        -- Methods of every class (their tables are the first upvalue of __index).
        for name, meta in pairs(debug.getregistry()) do
          if type(name) == "string" and name:find("^amalgam%.") and type(meta) == "table" and meta.__index then
            local _, methods = debug.getupvalue(meta.__index, 2)
            if type(methods) == "table" then
              for k, f in pairs(methods) do
                if am._help(f):find("^no help") then missing[#missing + 1] = name .. ":" .. k end
              end
            end
          end
        end
        assert(#missing == 0, "undocumented: " .. table.concat(missing, ", "))
        """)
        XCTAssertEqual(outcome, .ok)
        for doc in rt.docs.all {
            XCTAssertFalse(doc.summary.isEmpty, doc.name)
            XCTAssertFalse(doc.example.isEmpty, doc.name)
        }
    }

    func testDocsMarkdownIsCommittedAndCurrent() throws {
        let rt = try LuaRuntime()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/lua-api.md"), encoding: .utf8)
        XCTAssertEqual(committed, rt.docs.markdown, "docs/lua-api.md is stale: run `make docs`")
    }
}
