import XCTest
import NeuralNet
import TensorCore

/// Forward outputs and input gradients of single ops against PyTorch (Tests/Fixtures/parity, written by
/// make_parity_fixtures.py). Backward passes are seeded with the fixture's random `grad_output`.
final class OpParityTests: XCTestCase {
    private let tolerance: Float = 1e-4

    func testConv2dStridesDilationsPaddingBias() throws {
        let fixture = try ParityFixture("conv2d.safetensors")
        let cases = try fixture.integer("cases")
        XCTAssertGreaterThanOrEqual(cases, 7)
        var generator = RandomGenerator(seed: 1)
        for index in 0..<cases {
            let p = "case\(index)."
            let weight = try fixture[p + "weight"]
            let hasBias = try fixture.integer(p + "bias") == 1
            let layer = Conv2d(inputChannels: weight.shape[1], outputChannels: weight.shape[0], kernelSize: weight.shape[2],
                               stride: try fixture.integer(p + "stride"), padding: try fixture.integer(p + "padding"),
                               dilation: try fixture.integer(p + "dilation"), bias: hasBias, generator: &generator)
            var state = ["weight": weight]
            if hasBias { state["bias"] = try fixture[p + "bias"] }
            try layer.load(stateDict: state)
            let input = try fixture[p + "input"].requiringGradient()
            let output = layer(input)
            assertClose(output, try fixture[p + "output"], relative: tolerance, p + "output")
            output.backward(seed: try fixture[p + "grad_output"])
            assertClose(input.gradient, try fixture[p + "grad_input"], relative: tolerance, p + "grad_input")
            assertClose(layer.weight.gradient, try fixture[p + "grad_weight"], relative: tolerance, p + "grad_weight")
            if hasBias { assertClose(layer.bias?.gradient, try fixture[p + "grad_bias"], relative: tolerance, p + "grad_bias") }
        }
    }

    func testBatchNormTrainingAndEvaluation() throws {
        let fixture = try ParityFixture("batchnorm.safetensors")
        for mode in ["train", "eval"] {
            let norm = BatchNorm2d(channels: try fixture["weight"].shape[0], momentum: try fixture.number("momentum"), epsilon: try fixture.number("eps"))
            try norm.load(stateDict: ["weight": try fixture["weight"], "bias": try fixture["bias"], "running_mean": try fixture["running_mean"],
                                      "running_var": try fixture["running_var"], "num_batches_tracked": Tensor(3)])
            norm.train(mode == "train")
            let input = try fixture["input"].requiringGradient()
            let output = norm(input)
            let p = mode + "."
            assertClose(output, try fixture[p + "output"], relative: tolerance, p + "output")
            assertClose(norm.runningMean.value, try fixture[p + "running_mean"], relative: tolerance, p + "running_mean")
            assertClose(norm.runningVariance.value, try fixture[p + "running_var"], relative: tolerance, p + "running_var")
            XCTAssertEqual(norm.batchesTracked.value.scalar, mode == "train" ? 4 : 3)
            output.backward(seed: try fixture[p + "grad_output"])
            assertClose(input.gradient, try fixture[p + "grad_input"], relative: tolerance, p + "grad_input")
            assertClose(norm.weight.gradient, try fixture[p + "grad_weight"], relative: tolerance, p + "grad_weight")
            assertClose(norm.bias.gradient, try fixture[p + "grad_bias"], relative: tolerance, p + "grad_bias")
        }
    }

    func testReLU() throws {
        let fixture = try ParityFixture("elementwise.safetensors")
        let input = try fixture["relu.input"].requiringGradient()
        let output = ReLU()(input)
        assertClose(output, try fixture["relu.output"], relative: tolerance, "relu.output")
        output.backward(seed: try fixture["relu.grad_output"])
        assertClose(input.gradient, try fixture["relu.grad_input"], relative: tolerance, "relu.grad_input")
    }

    func testAdd() throws {
        let fixture = try ParityFixture("elementwise.safetensors")
        let a = try fixture["add.a"].requiringGradient(), b = try fixture["add.b"].requiringGradient()
        let output = a + b
        assertClose(output, try fixture["add.output"], relative: tolerance, "add.output")
        output.backward(seed: try fixture["add.grad_output"])
        assertClose(a.gradient, try fixture["add.grad_a"], relative: tolerance, "add.grad_a")
        assertClose(b.gradient, try fixture["add.grad_b"], relative: tolerance, "add.grad_b")
    }

    func testSoftmaxOverChannels() throws {
        let fixture = try ParityFixture("elementwise.safetensors")
        let input = try fixture["softmax.input"].requiringGradient()
        let output = softmax(input)
        assertClose(output, try fixture["softmax.output"], relative: tolerance, "softmax.output")
        output.backward(seed: try fixture["softmax.grad_output"])
        assertClose(input.gradient, try fixture["softmax.grad_input"], relative: tolerance, "softmax.grad_input")
    }
}
