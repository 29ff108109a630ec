import TensorCore

/// Max pooling over square windows (the ResNet stem uses kernel 3, stride 2, padding 1); no parameters.
/// Padding never wins the max (it counts as −∞), as in PyTorch.
public final class MaxPool2d: Module, Layer {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    /// `stride` defaults to `kernelSize`, as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        precondition(kernelSize >= 1 && (stride ?? 1) >= 1 && padding >= 0 && padding <= kernelSize / 2, "MaxPool2d: kernel \(kernelSize), stride \(String(describing: stride)) must be >= 1 and padding \(padding) at most half the kernel")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        super.init()
    }

    /// - Parameter input: `[N, H, W, C]`.
    /// - Returns: `[N, OH, OW, C]`, `OH = (H + 2·padding − kernelSize) / stride + 1`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}
