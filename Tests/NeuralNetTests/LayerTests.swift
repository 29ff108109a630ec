import XCTest
import NeuralNet
import TensorCore

final class LayerTests: XCTestCase {
    private func standardDeviation(_ values: [Float]) -> Float {
        let mean = values.reduce(0, +) / Float(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)).squareRoot()
    }

    func testConv2dKaimingNormalFanOutInitialisation() {
        var generator = RandomGenerator(seed: 3)
        let conv = Conv2d(inputChannels: 32, outputChannels: 64, kernelSize: 3, generator: &generator)
        XCTAssertEqual(conv.namedParameters().map(\.name), ["weight", "bias"])
        XCTAssertEqual(conv.weight.shape, [64, 32, 3, 3])
        XCTAssertEqual(standardDeviation(conv.weight.value.scalars), (2.0 / Float(64 * 9)).squareRoot(), accuracy: 0.03 * (2.0 / Float(64 * 9)).squareRoot())
        XCTAssertEqual(conv.bias?.value.scalars, [Float](repeating: 0, count: 64))
    }

    func testConv2dPyTorchDefaultInitialisation() {
        var generator = RandomGenerator(seed: 4)
        let conv = Conv2d(inputChannels: 32, outputChannels: 64, kernelSize: 3, bias: true, initialization: .pytorchDefault, generator: &generator)
        let bound = 1 / Float(32 * 9).squareRoot()
        XCTAssertTrue(conv.weight.value.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertEqual(standardDeviation(conv.weight.value.scalars), bound / Float(3).squareRoot(), accuracy: 0.03 * bound)
        XCTAssertTrue(conv.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(Set(conv.bias!.value.scalars).count, 60)
    }

    func testConv2dWithoutBiasAndReproducibleFromSeed() {
        var first = RandomGenerator(seed: 5), second = RandomGenerator(seed: 5)
        let a = Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 1, bias: false, generator: &first)
        let b = Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 1, bias: false, generator: &second)
        XCTAssertEqual(a.namedParameters().map(\.name), ["weight"])
        XCTAssertEqual(a.weight.value.scalars, b.weight.value.scalars)
        let c = Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 1, bias: false, generator: &first)
        XCTAssertNotEqual(a.weight.value.scalars, c.weight.value.scalars, "the generator must advance")
        XCTAssertEqual(a(Tensor(shape: [1, 4, 5, 2], repeating: 1)).shape, [1, 4, 5, 3])
    }

    func testBatchNorm2dStateAndModes() {
        let norm = BatchNorm2d(channels: 2)
        XCTAssertEqual(norm.namedParameters().map(\.name), ["weight", "bias"])
        XCTAssertEqual(norm.namedBuffers().map(\.name), ["running_mean", "running_var", "num_batches_tracked"])
        let input = Tensor(shape: [1, 2, 2, 2], scalars: [1, 10, 3, 10, 5, 30, 7, 30])
        _ = norm(input)
        XCTAssertEqual(norm.batchesTracked.value.scalar, 1)
        XCTAssertEqual(norm.runningMean.value.scalars[0], 0.1 * 4, accuracy: 1e-6)
        norm.eval()
        let frozenMean = norm.runningMean.value.scalars
        let output = norm(input)
        XCTAssertEqual(norm.runningMean.value.scalars, frozenMean)
        XCTAssertEqual(norm.batchesTracked.value.scalar, 1)
        let expected = (1 - frozenMean[0]) / (norm.runningVariance.value.scalars[0] + 1e-5).squareRoot()
        XCTAssertEqual(output.scalars[0], expected, accuracy: 1e-5)
    }

    func testMaxPool2dDefaultsStrideToKernel() {
        let pool = MaxPool2d(kernelSize: 2)
        let output = pool(Tensor(shape: [1, 4, 4, 1], scalars: (0..<16).map(Float.init)))
        XCTAssertEqual(output.shape, [1, 2, 2, 1])
        XCTAssertEqual(output.scalars, [5, 7, 13, 15])
    }

    func testDropout2dDropsWholeChannelsInTrainingOnly() {
        let dropout = Dropout2d(probability: 0.25, seed: 11)
        let input = Tensor(shape: [8, 3, 3, 16], repeating: 2)
        let output = dropout(input).scalars
        var dropped = 0
        for sample in 0..<8 {
            for channel in 0..<16 {
                let plane = (0..<9).map { output[(sample * 9 + $0) * 16 + channel] }
                XCTAssertTrue(plane.allSatisfy { $0 == 0 } || plane.allSatisfy { abs($0 - 2 / 0.75) < 1e-6 }, "\(plane)")
                if plane[0] == 0 { dropped += 1 }
            }
        }
        XCTAssertGreaterThan(dropped, 12)
        XCTAssertLessThan(dropped, 52)
        dropout.eval()
        XCTAssertEqual(dropout(input).scalars, input.scalars)
        XCTAssertTrue(dropout.namedParameters().isEmpty)
    }
}
