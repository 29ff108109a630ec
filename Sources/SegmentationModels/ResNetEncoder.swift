import NeuralNet
import TensorCore

/// A dilated torchvision ResNet (18/34/50/101) for any number of input bands: `conv1`, `bn1`, max pooling,
/// `layer1`…`layer4`, with torchvision's parameter names, so an ImageNet state dict loads key for key
/// (only `conv1.weight` depends on the band count; see `PSPNet.loadEncoderWeights`).
///
/// Output stride 8: every 3x3 convolution of layer3 has dilation 2 and of layer4 dilation 4, and neither
/// layer strides (nor do their 1x1 shortcut projections). Output stride 16: only layer4, dilation 2.
/// The features and their strides and channels are described by `EncoderFeatures`.
///
/// A `width` below 1 scales the stem and the 3x3 widths 64, 128, 256, 512 of layer1…layer4 by
/// `PSPNetConfiguration.scaledChannels(_:width:)` (bottlenecks keep expansion 4); names and structure stay.
public final class ResNetEncoder: Module {
    public let backbone: Backbone
    public let bandCount: Int
    public let outputStride: Int
    /// The width multiplier (1: torchvision's channel counts).
    public let width: Float
    /// Channels of `stem`, `layer1`, `layer2`, `layer3`, `layer4`.
    public let channels: [Int]

    let conv1: Conv2d
    let bn1: BatchNorm2d
    let layer1: ResidualStage, layer2: ResidualStage, layer3: ResidualStage, layer4: ResidualStage

    /// (stride, dilation) of layer1...layer4 for each output stride.
    static func dilationPlan(outputStride: Int) -> [(stride: Int, dilation: Int)] {
        switch outputStride {
        case 8: return [(1, 1), (2, 1), (1, 2), (1, 4)]
        case 16: return [(1, 1), (2, 1), (2, 1), (1, 2)]
        default: fatalError("ResNetEncoder: output stride \(outputStride) is not supported; use 8 or 16")
        }
    }

    /// A randomly initialised encoder (Kaiming-normal convolutions, unit BatchNorm), reproducible from `generator`.
    /// - Parameter width: channel multiplier in `PSPNetConfiguration.widthRange` (1: torchvision's network).
    public init(backbone: Backbone, bandCount: Int, outputStride: Int, width: Float = 1, generator: inout RandomGenerator) {
        precondition(bandCount >= 1, "ResNetEncoder: band count \(bandCount) must be at least 1")
        precondition(PSPNetConfiguration.widthRange.contains(width),
                     "ResNetEncoder: width \(width) must lie in \(PSPNetConfiguration.widthRange)")
        self.backbone = backbone
        self.bandCount = bandCount
        self.outputStride = outputStride
        self.width = width
        let expansion = backbone.usesBottleneck ? 4 : 1
        let stemChannels = PSPNetConfiguration.scaledChannels(64, width: width)
        let stageWidths = [64, 128, 256, 512].map { PSPNetConfiguration.scaledChannels($0, width: width) }
        channels = [stemChannels] + stageWidths.map { $0 * expansion }
        conv1 = Conv2d(inputChannels: bandCount, outputChannels: stemChannels, kernelSize: 7, stride: 2, padding: 3, bias: false,
                       generator: &generator)
        bn1 = BatchNorm2d(channels: stemChannels)
        let plan = ResNetEncoder.dilationPlan(outputStride: outputStride)
        var stages: [ResidualStage] = []
        var inputChannels = stemChannels
        for (index, stageWidth) in stageWidths.enumerated() {
            stages.append(ResidualStage(
                inputChannels: inputChannels, width: stageWidth, blockCount: backbone.blockCounts[index],
                bottleneck: backbone.usesBottleneck, stride: plan[index].stride, dilation: plan[index].dilation,
                generator: &generator))
            inputChannels = stageWidth * expansion
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3])
        super.init()
        register(conv1, as: "conv1")
        register(bn1, as: "bn1")
        register(layer1, as: "layer1")
        register(layer2, as: "layer2")
        register(layer3, as: "layer3")
        register(layer4, as: "layer4")
    }

    /// - Parameter input: `[N, H, W, bandCount]`, any H and W of at least 1.
    /// - Returns: the feature pyramid (strides and channels in `EncoderFeatures`).
    public func callAsFunction(_ input: Tensor) -> EncoderFeatures {
        guard input.rank == 4 && input.shape[3] == bandCount else {
            fatalError("ResNetEncoder: input \(input.shape) must be [N, H, W, \(bandCount)]")
        }
        let stem = relu(bn1(conv1(input)))
        let l1 = layer1(maxPool2d(stem, kernelSize: 3, stride: 2, padding: 1))
        let l2 = layer2(l1)
        let l3 = layer3(l2)
        let l4 = layer4(l3)
        return EncoderFeatures(stem: stem, layer1: l1, layer2: l2, layer3: l3, layer4: l4)
    }
}
