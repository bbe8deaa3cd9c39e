import XCTest
final class AmalgamCLITestsPlaceholder: XCTestCase { func testBuilds() {} }
