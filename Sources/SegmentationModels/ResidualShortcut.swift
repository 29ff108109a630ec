import NeuralNet
import TensorCore

/// The projection shortcut of a residual block: a 1x1 convolution (no bias) named `0` and its BatchNorm
/// named `1`, as torchvision's `downsample` `Sequential`.
final class ResidualShortcut: Module, Layer {
    let conv: Conv2d
    let bn: BatchNorm2d

    init(inputChannels: Int, outputChannels: Int, stride: Int, generator: inout RandomGenerator) {
        conv = Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1, stride: stride,
                      bias: false, generator: &generator)
        bn = BatchNorm2d(channels: outputChannels)
        super.init()
        register(conv, as: "0")
        register(bn, as: "1")
    }

    /// - Parameter input: `[N, H, W, inputChannels]`.
    /// - Returns: `[N, ceil(H / stride), ceil(W / stride), outputChannels]`.
    func callAsFunction(_ input: Tensor) -> Tensor { bn(conv(input)) }
}
