import XCTest
import TensorCore

/// Deterministic test data without depending on the engine's own generator.
struct TestValues {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    /// Uniform in [-1, 1).
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }

    mutating func tensor(_ shape: [Int], scale: Float = 1) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in next() * scale })
    }
}

/// Compares the autograd gradient of `sum(f(inputs) * projection)` with central finite differences.
///
/// A random projection (instead of a plain sum) makes every output element's gradient matter. Each input
/// is perturbed element by element in Float32, so shapes stay small. The error measure is
/// largest |analytic - numeric| relative to the largest numeric gradient element.
func checkGradients(_ name: String, inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Float = 2e-3,
                    seed: UInt64 = 7, file: StaticString = #filePath, line: UInt = #line,
                    _ function: ([Tensor]) -> Tensor) {
    var values = TestValues(seed: seed)
    let probe = function(inputs.map { $0.detached() })
    let projection = values.tensor(probe.shape)

    func loss(_ arguments: [Tensor]) -> Double {
        let output = function(arguments)
        var total = 0.0
        output.withUnsafeBufferPointer { out in
            projection.withUnsafeBufferPointer { weights in
                for index in 0..<out.count { total += Double(out[index]) * Double(weights[index]) }
            }
        }
        return total
    }

    let leaves = inputs.map { $0.requiringGradient() }
    let output = function(leaves)
    output.backward(seed: projection)

    for (position, input) in inputs.enumerated() {
        guard let analytic = leaves[position].gradient else {
            XCTFail("\(name): input \(position) received no gradient", file: file, line: line)
            continue
        }
        XCTAssertEqual(analytic.shape, input.shape, "\(name): gradient shape of input \(position)", file: file, line: line)
        var numeric = [Float](repeating: 0, count: input.count)
        for index in 0..<input.count {
            var plus = inputs.map { $0.detached() }
            var minus = plus
            plus[position].withUnsafeMutableBufferPointer { $0[index] += epsilon }
            minus[position].withUnsafeMutableBufferPointer { $0[index] -= epsilon }
            numeric[index] = Float((loss(plus) - loss(minus)) / (2 * Double(epsilon)))
        }
        let scale = max(1e-3, numeric.map(abs).max() ?? 1)
        var worst: (index: Int, error: Float) = (0, 0)
        for index in 0..<input.count {
            let error = abs(analytic[flat: index] - numeric[index]) / scale
            if error > worst.error { worst = (index, error) }
        }
        XCTAssertLessThanOrEqual(
            worst.error, tolerance,
            "\(name): input \(position) \(input.shape) element \(worst.index): analytic \(analytic[flat: worst.index]) vs numeric \(numeric[worst.index])",
            file: file, line: line)
    }
}

func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "\(message): shapes", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    var worst: Float = 0
    var worstIndex = 0
    for index in 0..<actual.count {
        let error = abs(actual[flat: index] - expected[flat: index]) / max(1, abs(expected[flat: index]))
        if error > worst { worst = error; worstIndex = index }
    }
    XCTAssertLessThanOrEqual(worst, tolerance,
                             "\(message): element \(worstIndex): \(actual[flat: worstIndex]) vs \(expected[flat: worstIndex])",
                             file: file, line: line)
}
