import NeuralNet
import SegmentationModels
import TensorCore

/// A PSPNet as a `ChipClassifier`: evaluation mode, no autograd recording, softmax over the logits.
public final class PSPNetClassifier: ChipClassifier {
    public let model: PSPNet

    /// Puts `model` in evaluation mode (BatchNorm uses running statistics, dropout off).
    public init(model: PSPNet) {
        self.model = model
        model.eval()
    }

    public var classCount: Int { model.configuration.classCount }

    public func probabilities(for chips: Tensor) throws -> Tensor {
        precondition(chips.rank == 4 && chips.shape[3] == model.configuration.bandCount, "PSPNetClassifier: chips \(chips.shape) must be [N, S, S, \(model.configuration.bandCount)]")
        return Tensor.withoutRecording { softmax(model(chips)) }
    }
}
