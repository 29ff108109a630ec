import NeuralNet
import TensorCore

/// LandUse's full-resolution decoder (docs/DESIGN.md, "SegmentationModels", has the drawing and the why):
/// a 3x3 conv-BN-ReLU `bottleneck` to 256 channels on the pyramid-pooled features, then five top-down
/// `FPNStage`s that fuse, in order, layer3, layer2, layer1, the stem and the input bands, each with a
/// lateral 1x1 projection; Dropout2d and a 1x1 `classifier` at the input's resolution.
///
/// Stage widths 256, 128, 64, 32, 32; lateral widths 128, 64, 32, 16, 16 (at width multiplier 1; a `width`
/// below 1 scales the bottleneck, stage and lateral widths by `PSPNetConfiguration.scaledChannels(_:width:)`).
/// Names: `bottleneck.{conv,bn}.*`, `stages.<i>.lateral.{conv,bn}.*`, `stages.<i>.fuse.{conv,bn}.*`,
/// `classifier.{weight,bias}`.
public final class FPNDecoder: Module {
    /// Bottleneck, stage and lateral widths at width multiplier 1.
    public static let bottleneckChannels = 256
    public static let stageChannels = [256, 128, 64, 32, 32]
    public static let lateralChannels = [128, 64, 32, 16, 16]

    public let inputChannels: Int
    public let classCount: Int
    /// The width multiplier of the bottleneck, stage and lateral widths.
    public let width: Float
    let bottleneck: ConvBatchNorm
    let stages: ModuleList<FPNStage>
    let dropout: ChannelDropout
    let classifier: Conv2d

    /// - Parameters:
    ///   - inputChannels: channels of the pyramid-pooled features.
    ///   - skipChannels: channels of layer3, layer2, layer1, the stem and the input, in that order.
    ///   - width: multiplier of the decoder's own widths (1: the table above).
    public init(inputChannels: Int, skipChannels: [Int], classCount: Int, dropoutProbability: Float = 0.1, width: Float = 1,
                generator: inout RandomGenerator) {
        precondition(skipChannels.count == FPNDecoder.stageChannels.count,
                     "FPNDecoder: \(skipChannels.count) skip channel counts given, needs \(FPNDecoder.stageChannels.count) (layer3, layer2, layer1, stem, input)")
        self.inputChannels = inputChannels
        self.classCount = classCount
        self.width = width
        let scale = { (channels: Int) in PSPNetConfiguration.scaledChannels(channels, width: width) }
        bottleneck = ConvBatchNorm(inputChannels: inputChannels, outputChannels: scale(FPNDecoder.bottleneckChannels), kernelSize: 3,
                                   generator: &generator)
        var running = scale(FPNDecoder.bottleneckChannels)
        var built: [FPNStage] = []
        for index in skipChannels.indices {
            built.append(FPNStage(runningChannels: running, skipChannels: skipChannels[index],
                                  lateralChannels: scale(FPNDecoder.lateralChannels[index]),
                                  outputChannels: scale(FPNDecoder.stageChannels[index]), generator: &generator))
            running = scale(FPNDecoder.stageChannels[index])
        }
        stages = ModuleList(built)
        dropout = ChannelDropout(probability: dropoutProbability)
        classifier = Conv2d(inputChannels: running, outputChannels: classCount, kernelSize: 1, initialization: .pytorchDefault, generator: &generator)
        super.init()
        register(bottleneck, as: "bottleneck")
        register(stages, as: "stages")
        register(dropout, as: "dropout")
        register(classifier, as: "classifier")
    }

    /// Channel dropout probability before the classifier in training (0 switches it off).
    public var dropoutProbability: Float {
        get { dropout.probability }
        set { dropout.probability = newValue }
    }

    /// - Parameters:
    ///   - features: pyramid-pooled features `[N, h, w, inputChannels]`.
    ///   - skips: layer3, layer2, layer1, stem, input (NHWC, coarse to fine); the last sets the output size.
    /// - Returns: logits `[N, H, W, classCount]` at the size of the last skip.
    public func callAsFunction(_ features: Tensor, skips: [Tensor], generator: inout RandomGenerator) -> Tensor {
        guard features.rank == 4 && features.shape[3] == inputChannels && skips.count == stages.elements.count else {
            fatalError("FPNDecoder: features \(features.shape) must be [N, h, w, \(inputChannels)] with \(stages.elements.count) skips, got \(skips.count)")
        }
        var running = bottleneck(features)
        for (stage, skip) in zip(stages.elements, skips) { running = stage(running, skip: skip) }
        return classifier(dropout(running, generator: &generator))
    }
}
