import XCTest
import TensorCore

final class ElementwiseTests: XCTestCase {
    func testArithmeticForward() {
        let a = Tensor(shape: [2, 2], scalars: [1, -2, 3, 4])
        let b = Tensor(shape: [2, 2], scalars: [0.5, 2, -1, 3])
        XCTAssertEqual((a + b).scalars, [1.5, 0, 2, 7])
        XCTAssertEqual((a - b).scalars, [0.5, -4, 4, 1])
        XCTAssertEqual((a * b).scalars, [0.5, -4, -3, 12])
        XCTAssertEqual((a * 2).scalars, [2, -4, 6, 8])
        XCTAssertEqual((a + 1).scalars, [2, -1, 4, 5])
        XCTAssertEqual(a.sum().scalar, 6)
        XCTAssertEqual(a.mean().scalar, 1.5)
    }

    func testLargeSumUsesAllBlocks() {
        let count = 300_001
        let a = Tensor(shape: [count], scalars: (0..<count).map { Float($0 % 7) })
        let expected = (0..<count).reduce(0.0) { $0 + Double($1 % 7) }
        XCTAssertEqual(Double(a.sum().scalar), expected, accuracy: 1)
    }

    func testGradients() {
        var values = TestValues(seed: 11)
        let a = values.tensor([3, 5]), b = values.tensor([3, 5])
        checkGradients("add", inputs: [a, b]) { $0[0] + $0[1] }
        checkGradients("subtract", inputs: [a, b]) { $0[0] - $0[1] }
        checkGradients("multiply", inputs: [a, b]) { $0[0] * $0[1] }
        checkGradients("scale", inputs: [a]) { 2.5 * $0[0] }
        checkGradients("offset", inputs: [a]) { $0[0] + 3 }
        checkGradients("sum", inputs: [a]) { $0[0].sum() }
        checkGradients("mean", inputs: [a]) { $0[0].mean() }
        checkGradients("reshape", inputs: [a]) { $0[0].reshaped(to: [5, 3]) * $0[0].reshaped(to: [5, 3]) }
    }
}

final class ActivationTests: XCTestCase {
    func testReluForward() {
        XCTAssertEqual(relu(Tensor(shape: [4], scalars: [-1, 0, 2, -0.5])).scalars, [0, 0, 2, 0])
    }

    func testReluGradient() {
        var values = TestValues(seed: 12)
        // Keep values away from the kink at 0, where finite differences straddle two slopes.
        let x = values.tensor([2, 3, 5, 4]).mapForTest { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
        checkGradients("relu", inputs: [x]) { relu($0[0]) }
    }

    func testSoftmaxForwardMatchesDefinition() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 1000, 1000, 1000])
        let y = softmax(x)
        let e = [1, 2, 3].map { Foundation.exp(Double($0)) }
        let total = e.reduce(0, +)
        for c in 0..<3 { XCTAssertEqual(Double(y[flat: c]), e[c] / total, accuracy: 1e-6) }
        for c in 3..<6 { XCTAssertEqual(y[flat: c], 1.0 / 3, accuracy: 1e-6) }
    }

    func testSoftmaxIsAccurateOverAWideRange() {
        var values = TestValues(seed: 14)
        let x = values.tensor([301, 7], scale: 40)
        let y = softmax(x)
        for row in 0..<300 {
            let logits = (0..<7).map { Double(x[flat: row * 7 + $0]) }
            let largest = logits.max()!
            let exponentials = logits.map { Foundation.exp($0 - largest) }
            let total = exponentials.reduce(0, +)
            for c in 0..<7 {
                let expected = exponentials[c] / total
                let actual = Double(y[flat: row * 7 + c])
                // Float32 rounding of x - max alone moves e^(x - max) by up to |x - max| * 2^-24 relative.
                let tolerance = expected * (1e-6 + abs(logits[c] - largest) * 1.2e-7)
                XCTAssertEqual(actual, expected, accuracy: max(tolerance, 1e-35), "row \(row) channel \(c)")
            }
        }
    }

    func testSoftmaxGradient() {
        var values = TestValues(seed: 13)
        checkGradients("softmax", inputs: [values.tensor([2, 3, 2, 5], scale: 2)]) { softmax($0[0]) }
    }
}

extension Tensor {
    /// Elementwise transform for building test inputs (not differentiable).
    func mapForTest(_ transform: (Float) -> Float) -> Tensor {
        Tensor(shape: shape, scalars: scalars.map(transform))
    }
}
