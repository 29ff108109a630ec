import TensorCore

/// Batch normalisation over channels, PyTorch's `nn.BatchNorm2d`: parameters `weight` and `bias`, buffers
/// `running_mean`, `running_var` and `num_batches_tracked` (all `[channels]` except the last, a scalar).
///
/// In training mode each call normalises with the batch statistics, updates the running statistics with
/// `momentum` (unbiased variance) and counts the batch; in evaluation mode it uses the running statistics.
/// `num_batches_tracked` is kept for state-dict compatibility (PyTorch stores it as int64; here it is a
/// Float32 scalar, exact up to 2^24 batches); with a fixed momentum PyTorch does not use it either.
public final class BatchNorm2d: Module, Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Buffer
    public let runningVariance: Buffer
    public let batchesTracked: Buffer
    public let momentum: Float
    public let epsilon: Float

    /// Weight 1, bias 0, running mean 0, running variance 1, as PyTorch initialises them.
    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        precondition(channels > 0, "BatchNorm2d: channels must be positive, got \(channels)")
        weight = Parameter(Tensor(shape: [channels], repeating: 1))
        bias = Parameter(Tensor(shape: [channels], repeating: 0))
        runningMean = Buffer(Tensor(shape: [channels], repeating: 0))
        runningVariance = Buffer(Tensor(shape: [channels], repeating: 1))
        batchesTracked = Buffer(Tensor(0))
        self.momentum = momentum
        self.epsilon = epsilon
        super.init()
        register(weight, as: "weight")
        register(bias, as: "bias")
        register(runningMean, as: "running_mean")
        register(runningVariance, as: "running_var")
        register(batchesTracked, as: "num_batches_tracked")
    }

    public var channels: Int { weight.shape[0] }

    /// - Parameter input: `[N, H, W, channels]`; in training mode N·H·W must exceed 1.
    /// - Returns: `[N, H, W, channels]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4 && input.shape[3] == channels, "BatchNorm2d(channels: \(channels)): input \(input.shape) must be [N, H, W, \(channels)]")
        let output = batchNorm(input, weight: weight.value, bias: bias.value,
                               runningMean: &runningMean.value, runningVariance: &runningVariance.value,
                               training: isTraining, momentum: momentum, epsilon: epsilon)
        if isTraining { batchesTracked.value = Tensor(batchesTracked.value.scalar + 1) }
        return output
    }
}
