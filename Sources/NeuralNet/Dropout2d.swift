import TensorCore

/// Channel dropout (PyTorch's `nn.Dropout2d`): in training mode zeroes each (sample, channel) plane with
/// probability `probability` and scales the kept planes by 1/(1 − probability); in evaluation mode it
/// passes the input through. No parameters.
///
/// The layer owns its random generator so a run is reproducible from `seed`; `generator.state` can be
/// saved in a checkpoint and assigned back to resume the same sequence.
public final class Dropout2d: Module, Layer {
    public let probability: Float
    public var generator: RandomGenerator

    public init(probability: Float = 0.1, seed: UInt64 = 0) {
        precondition(probability >= 0 && probability < 1, "Dropout2d: probability must lie in [0, 1), got \(probability)")
        self.probability = probability
        generator = RandomGenerator(seed: seed)
        super.init()
    }

    /// - Parameter input: `[N, H, W, C]`. - Returns: the same shape.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return input }
        return dropout2d(input, probability: probability, generator: &generator)
    }
}
