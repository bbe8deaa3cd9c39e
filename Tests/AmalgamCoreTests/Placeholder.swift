import XCTest
final class AmalgamCoreTestsPlaceholder: XCTestCase { func testBuilds() {} }
