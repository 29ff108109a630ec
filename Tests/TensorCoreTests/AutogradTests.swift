import XCTest
import TensorCore

final class AutogradTests: XCTestCase {
    func testSharedInputAccumulatesBothPaths() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).requiringGradient()
        let y = (x + x) + x
        y.sum().backward()
        XCTAssertEqual(x.gradient?.scalars, [Float](repeating: 3, count: 6))
    }

    func testGradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        (x + x).sum().backward()
        (x + x).sum().backward()
        XCTAssertEqual(x.gradient?.scalars, [4, 4])
        x.gradientNode?.zeroGradient()
        XCTAssertNil(x.gradient)
    }

    func testInferenceModeRecordsNothing() {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        let y = Tensor.withoutRecording { x + x }
        XCTAssertFalse(y.requiresGradient)
        XCTAssertTrue((x + x).requiresGradient)
    }

    func testCopyOnWrite() {
        let a = Tensor(shape: [3], scalars: [1, 2, 3])
        var b = a
        b.withUnsafeMutableBufferPointer { $0[0] = 10 }
        XCTAssertEqual(a.scalars, [1, 2, 3])
        XCTAssertEqual(b.scalars, [10, 2, 3])
    }
}
