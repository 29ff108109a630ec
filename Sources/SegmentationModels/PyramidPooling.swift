import NeuralNet
import TensorCore

/// PSPNet's pyramid pooling module: for each bin count b, adaptive average pooling to b x b, a 1x1
/// convolution (no bias) to `inputChannels / sizes.count` channels, BN, ReLU and bilinear upsampling
/// (align corners false) back to the feature size; the input and every branch are concatenated, input first.
///
/// Names: `stages.<i>.conv.weight`, `stages.<i>.bn.{weight,bias,running_mean,running_var}`.
/// Empty `sizes` is the identity (the dilated-FCN baseline). A bin count larger than the feature map or one
/// that does not divide it works: adaptive pooling then uses overlapping or repeated bins, as PyTorch does.
/// In training, a 1 x 1 bin needs a batch of at least 2 (BatchNorm needs two values per channel).
public final class PyramidPooling: Module, Layer {
    public let sizes: [Int]
    public let inputChannels: Int
    /// `inputChannels + sizes.count * (inputChannels / sizes.count)`.
    public let outputChannels: Int
    let stages: ModuleList<ConvBatchNorm>

    public init(inputChannels: Int, sizes: [Int], generator: inout RandomGenerator) {
        precondition(sizes.allSatisfy { $0 >= 1 }, "PyramidPooling: sizes \(sizes) must all be at least 1")
        self.sizes = sizes
        self.inputChannels = inputChannels
        let reduced = sizes.isEmpty ? 0 : inputChannels / sizes.count
        outputChannels = inputChannels + reduced * sizes.count
        var branches: [ConvBatchNorm] = []
        for _ in sizes {
            branches.append(ConvBatchNorm(inputChannels: inputChannels, outputChannels: reduced, kernelSize: 1, generator: &generator))
        }
        stages = ModuleList(branches)
        super.init()
        register(stages, as: "stages")
    }

    /// - Parameter input: `[N, H, W, inputChannels]`.
    /// - Returns: `[N, H, W, outputChannels]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard input.rank == 4 && input.shape[3] == inputChannels else {
            fatalError("PyramidPooling: input \(input.shape) must be [N, H, W, \(inputChannels)]")
        }
        guard !sizes.isEmpty else { return input }
        let height = input.shape[1], width = input.shape[2]
        let branches = zip(sizes, stages.elements).map { size, stage in
            resizeBilinear(stage(adaptiveAveragePool2d(input, outputHeight: size, outputWidth: size)),
                           height: height, width: width)
        }
        return concatenateChannels([input] + branches)
    }
}
