import XCTest
import NeuralNet
import TensorCore

/// make_parity_fixtures.py's `Block`: a ResNet basic block without downsampling.
private final class Block: Module, Layer {
    let conv1: Conv2d, bn1: BatchNorm2d, relu = ReLU(), conv2: Conv2d, bn2: BatchNorm2d

    init(channels: Int, generator: inout RandomGenerator) {
        conv1 = Conv2d(inputChannels: channels, outputChannels: channels, kernelSize: 3, padding: 1, bias: false, generator: &generator)
        bn1 = BatchNorm2d(channels: channels)
        conv2 = Conv2d(inputChannels: channels, outputChannels: channels, kernelSize: 3, padding: 1, bias: false, generator: &generator)
        bn2 = BatchNorm2d(channels: channels)
        super.init()
        register(conv1, as: "conv1")
        register(bn1, as: "bn1")
        register(relu, as: "relu")
        register(conv2, as: "conv2")
        register(bn2, as: "bn2")
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        relu(bn2(conv2(relu(bn1(conv1(input))))) + input)
    }
}

/// make_parity_fixtures.py's `TinyNet`: stem (stride 2) -> block -> 1x1 head -> bilinear upsampling.
private final class TinyNet: Module, Layer {
    let stem: Sequential, block: Block, head: Conv2d

    init(generator: inout RandomGenerator) {
        stem = Sequential([Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: 3, stride: 2, padding: 1, bias: false, generator: &generator),
                           BatchNorm2d(channels: 8), ReLU()])
        block = Block(channels: 8, generator: &generator)
        head = Conv2d(inputChannels: 8, outputChannels: 4, kernelSize: 1, initialization: .pytorchDefault, generator: &generator)
        super.init()
        register(stem, as: "stem")
        register(block, as: "block")
        register(head, as: "head")
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        resizeBilinear(head(block(stem(input))), height: input.shape[1], width: input.shape[2])
    }
}

/// Two optimizer steps of a conv-BN-ReLU-residual network against PyTorch (network_sgd.safetensors,
/// network_adamw.safetensors): the loss at each step, every parameter gradient at both steps, and all
/// parameters and buffers after step 2.
final class NetworkParityTests: XCTestCase {
    private func state(_ fixture: ParityFixture, prefix: String) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in fixture.file.names where name.hasPrefix(prefix) { result[String(name.dropFirst(prefix.count))] = try fixture[name] }
        return result
    }

    func testTwoSGDStepsMatchPyTorch() throws {
        try checkTwoSteps("network_sgd.safetensors") { net, fixture in
            SGD(module: net, learningRate: try fixture.number("lr"), momentum: try fixture.number("momentum"),
                weightDecay: try fixture.number("weight_decay"))
        }
    }

    func testTwoAdamWStepsMatchPyTorch() throws {
        try checkTwoSteps("network_adamw.safetensors") { net, fixture in
            AdamW(module: net, learningRate: try fixture.number("lr"), weightDecay: try fixture.number("weight_decay"))
        }
    }

    private func checkTwoSteps(_ fileName: String, makeOptimizer: (Module, ParityFixture) throws -> Optimizer) throws {
        let fixture = try ParityFixture(fileName)
        var generator = RandomGenerator(seed: 7)
        let net = TinyNet(generator: &generator)
        // The PyTorch state dict (with its int64 num_batches_tracked) loads key for key.
        let report = try net.load(stateDict: try state(fixture, prefix: "initial."))
        XCTAssertTrue(report.isExactMatch, "\(report)")
        let optimizer = try makeOptimizer(net, fixture)
        let loss = CrossEntropyLoss(ignoreIndex: try fixture.integer("ignore_index"))
        let input = try fixture["input"], target = try fixture["target"]
        let expectedLosses = try fixture["loss"].scalars
        var worstGradient: Float = 0
        for step in 1...2 {
            net.zeroGradients()
            let value = loss(logits: net(input), labels: target)
            XCTAssertEqual(value.scalar, expectedLosses[step - 1], accuracy: 1e-4 * abs(expectedLosses[step - 1]), "loss at step \(step)")
            value.backward()
            for (name, parameter) in net.namedParameters() {
                let error = assertClose(parameter.gradient, try fixture["step\(step).grad.\(name)"], relative: 1e-3, "step \(step) gradient of \(name)")
                worstGradient = max(worstGradient, error)
            }
            optimizer.step()
        }
        var worstState: Float = 0
        let final = try state(fixture, prefix: "final.")
        XCTAssertEqual(Set(final.keys), Set(net.stateDict().keys))
        for (name, value) in net.stateDict() {
            worstState = max(worstState, assertClose(value, final[name]!, relative: 1e-4, "after step 2: \(name)"))
        }
        print("\(fileName) parity: worst gradient error \(worstGradient), worst parameter/buffer error \(worstState) (relative to |expected| + mean|expected|)")
    }

    func testFreezingTheStemKeepsItsParametersAndSkipsItsGradients() throws {
        let fixture = try ParityFixture("network_sgd.safetensors")
        var generator = RandomGenerator(seed: 7)
        let net = TinyNet(generator: &generator)
        try net.load(stateDict: try state(fixture, prefix: "initial."))
        net.stem.setRequiresGradient(false)
        let before = net.stem.stateDict()
        let optimizer = SGD(module: net, learningRate: 0.05, momentum: 0.9)
        let value = CrossEntropyLoss(ignoreIndex: 255)(logits: net(try fixture["input"]), labels: try fixture["target"])
        value.backward()
        XCTAssertTrue(net.stem.parameters().allSatisfy { $0.gradient == nil })
        XCTAssertNotNil(net.head.weight.gradient)
        optimizer.step()
        for (name, parameter) in net.stem.namedParameters() { XCTAssertEqual(parameter.value.scalars, before[name]!.scalars, name) }
        XCTAssertNotEqual(net.head.weight.value.scalars, try fixture["initial.head.weight"].scalars)
    }
}
