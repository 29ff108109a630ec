import NeuralNet
import TensorCore

/// A bias-free convolution and its BatchNorm, named `conv` and `bn`, with "same" padding
/// (`dilation * (kernelSize / 2)`). `callAsFunction` applies conv, BN and ReLU.
///
/// The unit of pyramid pooling stages, decoder blocks and the heads (`ppm.stages.0.conv.weight`,
/// `decoder.stages.2.fuse.bn.running_var`).
final class ConvBatchNorm: Module, Layer {
    let conv: Conv2d
    let bn: BatchNorm2d

    init(inputChannels: Int, outputChannels: Int, kernelSize: Int, generator: inout RandomGenerator) {
        conv = Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize,
                      padding: kernelSize / 2, bias: false, generator: &generator)
        bn = BatchNorm2d(channels: outputChannels)
        super.init()
        register(conv, as: "conv")
        register(bn, as: "bn")
    }

    /// - Parameter input: `[N, H, W, inputChannels]`.
    /// - Returns: `relu(bn(conv(input)))`, `[N, H, W, outputChannels]`.
    func callAsFunction(_ input: Tensor) -> Tensor { relu(bn(conv(input))) }
}
