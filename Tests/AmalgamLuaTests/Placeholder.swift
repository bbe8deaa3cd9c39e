import XCTest
final class AmalgamLuaTestsPlaceholder: XCTestCase { func testBuilds() {} }
