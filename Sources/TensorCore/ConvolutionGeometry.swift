/// The shape configuration of one 2-D convolution: everything a oneDNN convolution primitive is compiled for.
///
/// Height and width carry their own stride, padding and dilation. Padding is symmetric (the same on both
/// sides of an axis); the output size follows PyTorch: `(in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1`,
/// rounded down.
struct ConvolutionGeometry: Hashable {
    var batch: Int
    var inputHeight: Int
    var inputWidth: Int
    var inputChannels: Int
    var outputChannels: Int
    var kernelHeight: Int
    var kernelWidth: Int
    var strideHeight: Int
    var strideWidth: Int
    var paddingHeight: Int
    var paddingWidth: Int
    var dilationHeight: Int
    var dilationWidth: Int
    var hasBias: Bool

    var outputHeight: Int {
        (inputHeight + 2 * paddingHeight - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1
    }
    var outputWidth: Int {
        (inputWidth + 2 * paddingWidth - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1
    }

    var inputShape: [Int] { [batch, inputHeight, inputWidth, inputChannels] }
    var weightShape: [Int] { [outputChannels, inputChannels, kernelHeight, kernelWidth] }
    var outputShape: [Int] { [batch, outputHeight, outputWidth, outputChannels] }
}
