import NeuralNet
import TensorCore

/// A PSPNet compiled for inference on chips of one shape (`InferencePlan`): BatchNorm folded into the
/// convolutions, ReLU and the residual sums fused into them, the pyramid pooling, decoder and final
/// upsampling inside the plan. The model's weights are read when the plan is compiled; later changes to
/// the model do not reach the plan (compile a new one).
///
/// ```swift
/// let plan = try PSPNetInferencePlan(model: model, batch: 4, height: 512, width: 512, precision: .float32)
/// let logits = plan(chips)          // [4, 512, 512, classCount], as model(chips) in eval mode
/// ```
public final class PSPNetInferencePlan {
    /// What the plan returns.
    public enum Output: Sendable {
        /// Logits, as `PSPNet.callAsFunction` returns them.
        case logits
        /// Softmax over the classes of the logits (what a `ChipClassifier` returns).
        case probabilities
    }

    public let configuration: PSPNetConfiguration
    public let plan: InferencePlan

    /// `[N, H, W, bandCount]` accepted by `callAsFunction` / `run`.
    public var inputShape: [Int] { plan.inputShape }
    /// `[N, H, W, classCount]`.
    public var outputShape: [Int] { plan.outputShape }

    /// Compiles `model` (evaluation semantics, whatever its mode: running BatchNorm statistics, no dropout,
    /// no auxiliary head) for chips `[batch, height, width, bandCount]`.
    /// - Parameter prefersWinograd: ask oneDNN for Winograd kernels where it has them (Float32 3x3 stride-1
    ///   undilated convolutions without a residual sum, chiefly the upsample head's 3x3): about 25% faster
    ///   on ResNet-50 at 512 x 512, for several hundred MB more memory (docs/DESIGN.md "Inference plan").
    /// - Parameter weightCache: share reordered convolution weights with the other plans of this model made
    ///   with the same cache (`PlanWeightCache`); the model's weights must not change while the cache lives.
    /// - Throws: `InferencePlanError` when this CPU cannot run `precision` (bfloat16 needs AVX512-BF16).
    public init(model: PSPNet, batch: Int, height: Int, width: Int, precision: InferencePrecision = .float32,
                output: Output = .logits, prefersWinograd: Bool = true, weightCache: PlanWeightCache? = nil) throws {
        precondition(batch >= 1 && height >= 1 && width >= 1, "PSPNetInferencePlan: chips \(batch)x\(height)x\(width) must be at least 1x1x1")
        configuration = model.configuration
        let builder = try InferencePlanBuilder(precision: precision)
        builder.prefersWinograd = prefersWinograd
        builder.weightCache = weightCache
        let input = builder.input(shape: [batch, height, width, model.configuration.bandCount])
        let x = builder.activation(input)
        let compiler = Compiler(builder: builder)

        let encoder = model.encoder
        let stem = compiler.convolution(x, encoder.conv1, encoder.bn1, relu: true)
        var features = builder.maxPool(stem, kernelSize: 3, stride: 2, padding: 1)
        var stageOutputs: [PlanValue] = []
        for stage in [encoder.layer1, encoder.layer2, encoder.layer3, encoder.layer4] {
            for block in stage.blocks { features = compiler.residualBlock(block, features) }
            stageOutputs.append(features)
        }
        let pooled = compiler.pyramidPooling(model.pyramidPooling, stageOutputs[3])

        var result: PlanValue
        switch model.children.first(where: { $0.name == "decoder" })?.module {
        case let decoder as UpsampleDecoder:
            let hidden = compiler.convolution(pooled, decoder.conv, decoder.bn, relu: true)
            let logits = compiler.convolution(hidden, decoder.classifier, nil, relu: false, floatOutput: true)
            result = builder.floatBuffer(shape: [batch, height, width, model.configuration.classCount])
            builder.resizeBilinear(logits, into: result)
        case let decoder as FPNDecoder:
            let skips = [stageOutputs[2], stageOutputs[1], stageOutputs[0], stem, x]
            result = compiler.fpnDecoder(decoder, pooled, skips: skips)
        default:
            fatalError("PSPNetInferencePlan: the model has no upsample or FPN decoder registered as \"decoder\"")
        }
        if output == .probabilities { result = builder.softmaxInPlace(result) }
        plan = builder.compile(output: result)
    }

    /// Logits (or probabilities) for `chips` `[N, H, W, bandCount]` of exactly `inputShape`, into a new tensor.
    public func callAsFunction(_ chips: Tensor) -> Tensor { plan(chips) }

    /// Writes the result for `chips` into `output` (`outputShape`); see `InferencePlan.run`.
    public func run(_ chips: Tensor, into output: inout Tensor, profile: Bool = false) {
        plan.run(chips, into: &output, profile: profile)
    }

    /// Turns the model's layers into plan operations.
    private struct Compiler {
        let builder: InferencePlanBuilder

        /// `bn(conv(x))` (then ReLU, after adding `shortcut` in place when given) with BatchNorm folded in:
        /// `w' = w * g / sqrt(v + eps)` per output channel, `b' = beta + (b - mean) * g / sqrt(v + eps)`.
        func convolution(_ input: PlanValue, _ conv: Conv2d, _ bn: BatchNorm2d?, relu: Bool,
                         accumulatingInto shortcut: PlanValue? = nil, floatOutput: Bool = false) -> PlanValue {
            let (weight, bias) = Compiler.fold(conv, bn)
            return builder.convolution(input, weight: weight, bias: bias, stride: conv.stride, padding: conv.padding,
                                       dilation: conv.dilation, relu: relu, accumulatingInto: shortcut, floatOutput: floatOutput,
                                       weightOwner: conv)
        }

        static func fold(_ conv: Conv2d, _ bn: BatchNorm2d?) -> (weight: Tensor, bias: Tensor) {
            let weight = conv.weight.value
            let outputChannels = weight.shape[0], perOutput = weight.count / outputChannels
            let convBias = conv.bias?.value.scalars ?? [Float](repeating: 0, count: outputChannels)
            guard let bn else { return (weight, Tensor(shape: [outputChannels], scalars: convBias)) }
            let gamma = bn.weight.value.scalars, beta = bn.bias.value.scalars
            let mean = bn.runningMean.value.scalars, variance = bn.runningVariance.value.scalars
            let scale = (0..<outputChannels).map { Double(gamma[$0]) / (Double(variance[$0]) + Double(bn.epsilon)).squareRoot() }
            let folded = Tensor(shape: weight.shape) { result in
                weight.withUnsafeBufferPointer { source in
                    for o in 0..<outputChannels {
                        for i in 0..<perOutput {
                            result[o * perOutput + i] = Float(Double(source[o * perOutput + i]) * scale[o])
                        }
                    }
                }
            }
            let bias = (0..<outputChannels).map { Float(Double(beta[$0]) + (Double(convBias[$0]) - Double(mean[$0])) * scale[$0]) }
            return (folded, Tensor(shape: [outputChannels], scalars: bias))
        }

        /// `relu(main(x) + shortcut(x))`, the sum and ReLU fused into the block's last convolution, which
        /// writes into the shortcut's buffer (the block input itself when there is no projection).
        func residualBlock(_ block: ResidualBlock, _ input: PlanValue) -> PlanValue {
            let identity = block.downsample.map { convolution(input, $0.conv, $0.bn, relu: false) } ?? input
            let first = convolution(input, block.conv1, block.bn1, relu: true)
            if let conv3 = block.conv3, let bn3 = block.bn3 {
                let second = convolution(first, block.conv2, block.bn2, relu: true)
                return convolution(second, conv3, bn3, relu: true, accumulatingInto: identity)
            }
            return convolution(first, block.conv2, block.bn2, relu: true, accumulatingInto: identity)
        }

        /// The input and each branch (adaptive pooling, 1x1 conv-BN-ReLU, bilinear upsampling) written
        /// straight into their channel ranges of one concatenation buffer.
        func pyramidPooling(_ module: PyramidPooling, _ input: PlanValue) -> PlanValue {
            guard !module.sizes.isEmpty else { return input }
            let (batch, height, width) = (input.shape[0], input.shape[1], input.shape[2])
            let concatenated = builder.buffer(shape: [batch, height, width, module.outputChannels])
            let branchChannels = (module.outputChannels - module.inputChannels) / module.sizes.count
            builder.copy(input, into: builder.channels(concatenated, 0..<module.inputChannels))
            for (index, (size, stage)) in zip(module.sizes, module.stages.elements).enumerated() {
                let pooled = builder.adaptiveAveragePool(input, size: size)
                let branch = convolution(pooled, stage.conv, stage.bn, relu: true)
                let start = module.inputChannels + index * branchChannels
                builder.resizeBilinear(branch, into: builder.channels(concatenated, start..<start + branchChannels))
            }
            return concatenated
        }

        /// The FPN decoder: each stage's upsampled running features and its lateral projection written into
        /// one concatenation buffer, then the 3x3 fuse; the classifier writes Float32 logits.
        func fpnDecoder(_ decoder: FPNDecoder, _ features: PlanValue, skips: [PlanValue]) -> PlanValue {
            var running = convolution(features, decoder.bottleneck.conv, decoder.bottleneck.bn, relu: true)
            for (stage, skip) in zip(decoder.stages.elements, skips) {
                let runningChannels = running.shape[3], lateralChannels = stage.lateral.conv.outputChannels
                let concatenated = builder.buffer(shape: [skip.shape[0], skip.shape[1], skip.shape[2], runningChannels + lateralChannels])
                builder.resizeBilinear(running, into: builder.channels(concatenated, 0..<runningChannels))
                let lateral = convolution(skip, stage.lateral.conv, stage.lateral.bn, relu: true)
                builder.copy(lateral, into: builder.channels(concatenated, runningChannels..<runningChannels + lateralChannels))
                running = convolution(concatenated, stage.fuse.conv, stage.fuse.bn, relu: true)
            }
            return convolution(running, decoder.classifier, nil, relu: false, floatOutput: true)
        }
    }
}
