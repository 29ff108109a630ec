import Foundation
import XCTest
import NeuralNet
import SegmentationModels
import TensorCore

/// Two SGD steps of PSPNet-ResNet-18 (OS 8, sizes 1,3,5,6, upsample, aux 0.4, dropout off) against PyTorch
/// (float64): losses, every parameter gradient at both steps (aux head included) and every state-dict
/// tensor after the second step, compared through fingerprints (make_pspnet_fixtures.py, `summary`).
final class TrainingParityTests: XCTestCase {
    /// sum, sum |x|, L2 norm, then the values at floor(k n / 16), k = 0..<16 (computed in Double).
    static func fingerprint(_ tensor: Tensor) -> [Double] {
        let values = tensor.scalars.map(Double.init)
        let n = values.count
        let sum = values.reduce(0, +)
        let absolute = values.reduce(0) { $0 + abs($1) }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return [sum, absolute, norm] + (0..<16).map { values[$0 * n / 16] }
    }

    /// Each entry within `relative` of the reference, on the scale of the tensor: the sum against sum |x|
    /// (a sum of mixed signs may nearly cancel), a picked value against max(|value|, RMS of the tensor).
    /// - Returns: the largest error / scale seen.
    @discardableResult
    static func assertFingerprint(_ actual: Tensor, _ reference: Tensor, _ label: String, relative: Double,
                                  file: StaticString = #filePath, line: UInt = #line) -> Double {
        let mine = fingerprint(actual), theirs = reference.scalars.map(Double.init)
        XCTAssertEqual(theirs.count, 19, label, file: file, line: line)
        guard theirs.count == 19 else { return .infinity }
        var worst = 0.0
        let rms = theirs[2] / Double(actual.count).squareRoot()
        for index in 0..<19 {
            let scale = index == 0 ? theirs[1] : (index < 3 ? abs(theirs[index]) : max(abs(theirs[index]), rms))
            let error = abs(mine[index] - theirs[index])
            worst = max(worst, error / max(scale, 1e-30))
            if error > relative * scale + 1e-12 {
                XCTFail("\(label): fingerprint entry \(index) is \(mine[index]), PyTorch \(theirs[index]) (scale \(scale))", file: file, line: line)
                return worst
            }
        }
        return worst
    }

    func testTwoSGDStepsMatchPyTorch() throws {
        let fixture = try PSPNetFixture.file("train-resnet18-os8-1356-upsample.safetensors")
        let model = PSPNet(configuration: PSPNetConfiguration(
            backbone: .resnet18, outputStride: 8, pyramidSizes: [1, 3, 5, 6], decoder: .upsample, auxWeight: 0.4,
            classCount: PSPNetFixture.classes, bandCount: PSPNetFixture.bands))
        try CounterRandom.initialise(model)
        model.train()
        model.dropoutProbability = 0
        let input = CounterRandom.input("train-input", batch: 3, height: 33, width: 47, bands: PSPNetFixture.bands)
        let labels = CounterRandom.labels("train-labels", batch: 3, height: 33, width: 47, classes: PSPNetFixture.classes, ignore: 255)
        let optimizer = SGD(module: model, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
        var compared = 0
        var worstGradient = 0.0, worstState = 0.0
        for step in 1...2 {
            model.zeroGradients()
            let (logits, aux) = model.forwardTraining(input)
            XCTAssertEqual(logits.shape, [3, 33, 47, PSPNetFixture.classes])
            let auxLogits = try XCTUnwrap(aux, "training mode with aux weight 0.4 must return aux logits")
            let loss = model.loss(logits: logits, aux: auxLogits, labels: labels)
            let expected = try fixture.tensor(named: "step\(step).loss").scalars
            let main = crossEntropy(logits: logits.detached(), labels: labels, ignoreIndex: 255).scalar
            let auxiliary = crossEntropy(logits: auxLogits.detached(), labels: labels, ignoreIndex: 255).scalar
            for (name, value, reference) in [("loss", loss.scalar, expected[0]), ("main", main, expected[1]), ("aux", auxiliary, expected[2])] {
                print("training parity: step \(step) \(name) loss \(value), PyTorch \(reference)")
                XCTAssertEqual(value, reference, accuracy: 1e-4 * abs(reference), "step \(step) \(name) loss")
            }
            loss.backward()
            for (name, parameter) in model.namedParameters() {
                let gradient = try XCTUnwrap(parameter.gradient, "step \(step): no gradient for \(name)")
                worstGradient = max(worstGradient, TrainingParityTests.assertFingerprint(
                    gradient, try fixture.tensor(named: "step\(step).grad.\(name)"), "step \(step) gradient of \(name)", relative: 1e-3))
                compared += 1
            }
            optimizer.step()
        }
        for (name, tensor) in model.stateDict() where !name.hasSuffix("num_batches_tracked") {
            worstState = max(worstState, TrainingParityTests.assertFingerprint(
                tensor, try fixture.tensor(named: "after.\(name)"), "after two steps, \(name)", relative: 1e-3))
            compared += 1
        }
        print("training parity: worst gradient fingerprint error \(worstGradient), state \(worstState) (relative to scale)")
        XCTAssertTrue(model.namedParameters().contains { $0.name.hasPrefix("aux.") }, "the aux head's gradients must be compared")
        XCTAssertEqual(compared, fixture.names.count - 2, "every fingerprint of the fixture is compared")
    }
}
