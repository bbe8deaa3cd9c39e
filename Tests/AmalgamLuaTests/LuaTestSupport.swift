import AmalgamLua
import XCTest

/// Runs `code` in a fresh runtime and returns the outcome.
func runLua(_ code: String, options: RuntimeOptions = RuntimeOptions(outputDirectory: NSTemporaryDirectory())) throws -> RunOutcome {
    let rt = try LuaRuntime(options: options)
    return rt.run(string: code, name: "=test")
}

/// Asserts `code` fails with a message containing `fragment`.
func assertLuaFails(_ code: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
    switch try runLua(code) {
    case .ok: XCTFail("expected failure containing '\(fragment)'", file: file, line: line)
    case .failed(let m): XCTAssertTrue(m.contains(fragment), "message was: \(m)", file: file, line: line)
    }
}

/// Asserts `code` runs without error.
func assertLuaRuns(_ code: String, file: StaticString = #filePath, line: UInt = #line) throws {
    if case .failed(let m) = try runLua(code) { XCTFail(m, file: file, line: line) }
}

/// A fresh empty directory under the system temporary directory.
func makeTempDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "amalgam-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}
