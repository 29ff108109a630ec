import NeuralNet
import TensorCore

/// One residual block of a torchvision ResNet: a basic block (3x3, 3x3; expansion 1) or a bottleneck
/// (1x1, 3x3, 1x1; expansion 4), with torchvision's names `conv1`, `bn1`, `conv2`, `bn2`[, `conv3`, `bn3`]
/// and `downsample.0` (1x1 conv) / `downsample.1` (BN) when the shortcut changes shape.
///
/// The stride sits on the (first) 3x3 convolution, as in torchvision v1.5; `dilation` applies to every 3x3.
final class ResidualBlock: Module, Layer {
    let conv1: Conv2d, bn1: BatchNorm2d
    let conv2: Conv2d, bn2: BatchNorm2d
    let conv3: Conv2d?, bn3: BatchNorm2d?
    let downsample: ResidualShortcut?

    /// - Parameters:
    ///   - inputChannels: channels entering the block.
    ///   - width: the 3x3 width (64, 128, 256 or 512 at width multiplier 1); the block outputs `width * expansion` channels.
    init(inputChannels: Int, width: Int, bottleneck: Bool, stride: Int, dilation: Int, generator: inout RandomGenerator) {
        let outputChannels = width * (bottleneck ? 4 : 1)
        if bottleneck {
            conv1 = Conv2d(inputChannels: inputChannels, outputChannels: width, kernelSize: 1, bias: false, generator: &generator)
            conv2 = Conv2d(inputChannels: width, outputChannels: width, kernelSize: 3, stride: stride, padding: dilation,
                           dilation: dilation, bias: false, generator: &generator)
            conv3 = Conv2d(inputChannels: width, outputChannels: outputChannels, kernelSize: 1, bias: false, generator: &generator)
            bn3 = BatchNorm2d(channels: outputChannels)
        } else {
            conv1 = Conv2d(inputChannels: inputChannels, outputChannels: width, kernelSize: 3, stride: stride, padding: dilation,
                           dilation: dilation, bias: false, generator: &generator)
            conv2 = Conv2d(inputChannels: width, outputChannels: width, kernelSize: 3, padding: dilation, dilation: dilation,
                           bias: false, generator: &generator)
            conv3 = nil
            bn3 = nil
        }
        bn1 = BatchNorm2d(channels: width)
        bn2 = BatchNorm2d(channels: width)
        downsample = stride != 1 || inputChannels != outputChannels
            ? ResidualShortcut(inputChannels: inputChannels, outputChannels: outputChannels, stride: stride, generator: &generator)
            : nil
        super.init()
        register(conv1, as: "conv1")
        register(bn1, as: "bn1")
        register(conv2, as: "conv2")
        register(bn2, as: "bn2")
        if let conv3, let bn3 {
            register(conv3, as: "conv3")
            register(bn3, as: "bn3")
        }
        if let downsample { register(downsample, as: "downsample") }
    }

    /// - Parameter input: `[N, H, W, inputChannels]`.
    /// - Returns: `[N, H / stride, W / stride (rounded up), width * expansion]`.
    func callAsFunction(_ input: Tensor) -> Tensor {
        let identity = downsample.map { $0(input) } ?? input
        var out = relu(bn1(conv1(input)))
        if let conv3, let bn3 {
            out = relu(bn2(conv2(out)))
            out = bn3(conv3(out))
        } else {
            out = bn2(conv2(out))
        }
        return relu(out + identity)
    }
}
