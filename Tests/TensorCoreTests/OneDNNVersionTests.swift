import XCTest
import TensorCore

final class OneDNNVersionTests: XCTestCase {
    func testLoadsOneDNN2() {
        XCTAssertTrue(OneDNNVersion.string.hasPrefix("2."), "expected oneDNN 2.x, got \(OneDNNVersion.string)")
    }
}
