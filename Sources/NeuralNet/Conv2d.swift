import TensorCore

/// A 2-D convolution layer: parameters `weight` `[outputChannels, inputChannels, kernelSize, kernelSize]`
/// (OIHW, PyTorch's layout and name) and optionally `bias` `[outputChannels]`.
public final class Conv2d: Module, Layer {
    /// How a new layer's weights are drawn.
    public enum Initialization: Sendable {
        /// PyTorch's `nn.Conv2d` default: weight and bias uniform in ±1/√fanIn
        /// (`kaiming_uniform_(a: √5)`), fanIn = inputChannels × kernelSize².
        case pytorchDefault
        /// torchvision's ResNet initialisation: weight normal with standard deviation √(2 / fanOut),
        /// fanOut = outputChannels × kernelSize² (`kaiming_normal_(mode: "fan_out", nonlinearity: "relu")`);
        /// bias zero.
        case kaimingNormalFanOut
    }

    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int
    public let padding: Int
    public let dilation: Int

    /// A square-kernel convolution with symmetric padding, drawing its initial weights from `generator`.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, bias: Bool = true, initialization: Initialization = .kaimingNormalFanOut,
        generator: inout RandomGenerator
    ) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0, "Conv2d: channels \(inputChannels) -> \(outputChannels) and kernel size \(kernelSize) must be positive")
        precondition(stride >= 1 && dilation >= 1 && padding >= 0, "Conv2d: stride \(stride) and dilation \(dilation) must be >= 1, padding \(padding) >= 0")
        let shape = [outputChannels, inputChannels, kernelSize, kernelSize]
        let fanIn = Float(inputChannels * kernelSize * kernelSize)
        switch initialization {
        case .pytorchDefault:
            weight = Parameter(Tensor.kaimingUniform(shape: shape, mode: .fanIn, negativeSlope: Float(5).squareRoot(), generator: &generator))
            let bound = 1 / fanIn.squareRoot()
            self.bias = bias ? Parameter(Tensor.randomUniform(shape: [outputChannels], lowerBound: -bound, upperBound: bound, generator: &generator)) : nil
        case .kaimingNormalFanOut:
            weight = Parameter(Tensor.kaimingNormal(shape: shape, mode: .fanOut, generator: &generator))
            self.bias = bias ? Parameter(Tensor(shape: [outputChannels])) : nil
        }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        super.init()
        register(weight, as: "weight")
        if let bias = self.bias { register(bias, as: "bias") }
    }

    public var inputChannels: Int { weight.shape[1] }
    public var outputChannels: Int { weight.shape[0] }
    public var kernelSize: Int { weight.shape[2] }

    /// - Parameter input: `[N, H, W, inputChannels]`.
    /// - Returns: `[N, OH, OW, outputChannels]`, `OH = (H + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        conv2d(input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation)
    }
}
