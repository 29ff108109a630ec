import NeuralNet
import TensorCore

/// Channel dropout (PyTorch's `Dropout2d`): in training, zeroes whole channels of each sample with
/// probability `probability` and scales the others by 1 / (1 - probability); in evaluation, the identity.
///
/// Has no parameters. Unlike NeuralNet's `Dropout2d`, its probability can be changed after construction and
/// the mask comes from the generator the owning network passes in, so one generator (`PSPNet.generator`)
/// is the whole random state a resumed training run restores.
final class ChannelDropout: Module {
    /// Set to 0 to switch dropout off in training (the parity tests do, as PyTorch's fixtures do).
    var probability: Float

    init(probability: Float) {
        precondition(probability >= 0 && probability < 1, "ChannelDropout: probability \(probability) must be in [0, 1)")
        self.probability = probability
        super.init()
    }

    /// - Parameter input: `[N, H, W, C]`.
    /// - Returns: `[N, H, W, C]`.
    func callAsFunction(_ input: Tensor, generator: inout RandomGenerator) -> Tensor {
        guard isTraining && probability > 0 else { return input }
        return dropout2d(input, probability: probability, generator: &generator)
    }
}
