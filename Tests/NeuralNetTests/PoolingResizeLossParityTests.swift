import XCTest
import NeuralNet
import TensorCore

/// Pooling, resizing, concatenation and the loss against PyTorch (see OpParityTests for conventions).
final class PoolingResizeLossParityTests: XCTestCase {
    private let tolerance: Float = 1e-4

    /// Forward and seeded backward of a one-input op against fixture keys `<prefix>input/output/grad_*`.
    private func check(_ fixture: ParityFixture, _ prefix: String, _ op: (Tensor) -> Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
        let input = try fixture[prefix + "input"].requiringGradient()
        let output = op(input)
        assertClose(output, try fixture[prefix + "output"], relative: tolerance, prefix + "output", file: file, line: line)
        output.backward(seed: try fixture[prefix + "grad_output"])
        assertClose(input.gradient, try fixture[prefix + "grad_input"], relative: tolerance, prefix + "grad_input", file: file, line: line)
    }

    func testMaxPool3Stride2Padding1() throws {
        let fixture = try ParityFixture("pooling.safetensors")
        let pool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        for index in 0..<(try fixture.integer("maxpool.cases")) {
            try check(fixture, "maxpool.case\(index).") { pool($0) }
        }
    }

    func testAdaptiveAveragePoolIncludingBinsLargerThanInput() throws {
        let fixture = try ParityFixture("pooling.safetensors")
        let cases = try fixture.integer("adaptive.cases")
        XCTAssertEqual(cases, 8)
        for index in 0..<cases {
            let bins = try fixture.integer("adaptive.case\(index).bins")
            try check(fixture, "adaptive.case\(index).") { adaptiveAveragePool2d($0, outputHeight: bins, outputWidth: bins) }
        }
    }

    func testBilinearResizeAlignCornersFalseAndTrue() throws {
        let fixture = try ParityFixture("resize.safetensors")
        for index in 0..<(try fixture.integer("cases")) {
            let p = "case\(index)."
            let height = try fixture.integer(p + "height"), width = try fixture.integer(p + "width")
            let align = try fixture.integer(p + "align_corners") == 1
            try check(fixture, p) { resizeBilinear($0, height: height, width: width, alignCorners: align) }
        }
    }

    func testChannelConcatenation() throws {
        let fixture = try ParityFixture("elementwise.safetensors")
        let a = try fixture["concat.a"].requiringGradient(), b = try fixture["concat.b"].requiringGradient()
        let output = concatenateChannels([a, b])
        assertClose(output, try fixture["concat.output"], relative: tolerance, "concat.output")
        output.backward(seed: try fixture["concat.grad_output"])
        assertClose(a.gradient, try fixture["concat.grad_a"], relative: tolerance, "concat.grad_a")
        assertClose(b.gradient, try fixture["concat.grad_b"], relative: tolerance, "concat.grad_b")
    }

    func testCrossEntropyIgnoreIndexAndClassWeights() throws {
        let fixture = try ParityFixture("cross_entropy.safetensors")
        for index in 0..<(try fixture.integer("cases")) {
            let p = "case\(index)."
            let weights = try fixture.integer(p + "weighted") == 1 ? try fixture[p + "class_weights"] : nil
            let loss = CrossEntropyLoss(ignoreIndex: try fixture.integer(p + "ignore_index"), classWeights: weights)
            let logits = try fixture[p + "logits"].requiringGradient()
            let value = loss(logits: logits, labels: try fixture[p + "target"])
            assertClose(value.reshaped(to: [1]), try fixture[p + "loss"], relative: tolerance, p + "loss")
            value.backward()
            assertClose(logits.gradient, try fixture[p + "grad_logits"], relative: tolerance, p + "grad_logits")
        }
    }
}
