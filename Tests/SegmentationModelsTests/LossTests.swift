import Foundation
import XCTest
import NeuralNet
import SegmentationModels
import TensorCore

/// `PSPNet.loss` wires the main and auxiliary cross entropies, the aux weight, the ignore index and the class
/// weights together as PyTorch's training script does.
final class LossTests: XCTestCase {
    func testLossCombinesMainAndWeightedAuxiliaryCrossEntropy() {
        let model = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, pyramidSizes: [2], auxWeight: 0.3, classCount: 4, bandCount: 2))
        let input = CounterRandom.input("loss-input", batch: 2, height: 13, width: 11, bands: 2)
        let labels = CounterRandom.labels("loss-labels", batch: 2, height: 13, width: 11, classes: 4, ignore: 255)
        model.train()
        model.dropoutProbability = 0
        let (logits, aux) = Tensor.withoutRecording { model.forwardTraining(input) }
        let auxLogits = aux!
        let weights = Tensor(shape: [4], scalars: [0.5, 1, 2, 4])
        let main = crossEntropy(logits: logits, labels: labels, ignoreIndex: 255, classWeights: weights).scalar
        let auxiliary = crossEntropy(logits: auxLogits, labels: labels, ignoreIndex: 255, classWeights: weights).scalar
        XCTAssertNotEqual(main, auxiliary)
        XCTAssertEqual(model.loss(logits: logits, aux: auxLogits, labels: labels, classWeights: weights).scalar,
                       main + 0.3 * auxiliary, accuracy: 1e-5)
        XCTAssertEqual(model.loss(logits: logits, aux: nil, labels: labels, classWeights: weights).scalar, main, accuracy: 1e-6)
        let unweighted = crossEntropy(logits: logits, labels: labels, ignoreIndex: 255).scalar
        XCTAssertNotEqual(unweighted, main, "the class weights must reach the loss")
        XCTAssertEqual(model.loss(logits: logits, aux: nil, labels: labels).scalar, unweighted, accuracy: 1e-6)
    }
}
