import XCTest
import NeuralNet

final class NeuralNetInfoTests: XCTestCase {
    func testEngineNamesOneDNN() {
        XCTAssertTrue(NeuralNetInfo.engine.hasPrefix("oneDNN 2."), NeuralNetInfo.engine)
    }
}
