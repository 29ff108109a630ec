import Foundation
import XCTest
import NeuralNet
import SegmentationModels
import TensorCore

/// Input sizes that are not multiples of the output stride, pyramid bins larger than the feature map, and
/// the aux head's absence from inference.
final class ShapeTests: XCTestCase {
    func testTinyOddInputWithBinsLargerThanTheFeatureMap() {
        for decoder in Decoder.allCases {
            for outputStride in [8, 16] {
                let model = PSPNet(configuration: PSPNetConfiguration(
                    backbone: .resnet18, outputStride: outputStride, pyramidSizes: [1, 3, 5, 6], decoder: decoder,
                    classCount: 4, bandCount: 3))
                model.eval()
                // 11 x 7 pixels: a 2 x 1 (OS 8) or 1 x 1 (OS 16) feature map, far smaller than the 6 x 6 bins.
                let input = CounterRandom.input("tiny", batch: 2, height: 11, width: 7, bands: 3)
                let logits = Tensor.withoutRecording { model(input) }
                XCTAssertEqual(logits.shape, [2, 11, 7, 4], "\(decoder) OS \(outputStride)")
                XCTAssertTrue(logits.scalars.allSatisfy(\.isFinite))
            }
        }
    }

    func testEncoderFeatureContract() {
        let model = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet50, outputStride: 16, classCount: 3, bandCount: 5))
        model.eval()
        XCTAssertEqual(model.encoder.channels, [64, 256, 512, 1024, 2048])
        let features = Tensor.withoutRecording { model.encoder(CounterRandom.input("contract", batch: 1, height: 45, width: 61, bands: 5)) }
        XCTAssertEqual(features.stem.shape, [1, 23, 31, 64])
        XCTAssertEqual(features.layer1.shape, [1, 12, 16, 256])
        XCTAssertEqual(features.layer2.shape, [1, 6, 8, 512])
        XCTAssertEqual(features.layer3.shape, [1, 3, 4, 1024])
        XCTAssertEqual(features.layer4.shape, [1, 3, 4, 2048])
        XCTAssertEqual(model.pyramidPooling.outputChannels, 2048 + 4 * 512)
    }

    func testAuxiliaryLogitsOnlyInTraining() {
        let model = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, classCount: 3, bandCount: 2))
        let input = CounterRandom.input("aux", batch: 2, height: 17, width: 19, bands: 2)
        model.train()
        let training = Tensor.withoutRecording { model.forwardTraining(input) }
        XCTAssertEqual(training.aux?.shape, [2, 17, 19, 3])
        model.eval()
        let evaluation = Tensor.withoutRecording { model.forwardTraining(input) }
        XCTAssertNil(evaluation.aux)
        XCTAssertEqual(evaluation.logits.shape, [2, 17, 19, 3])
    }

    func testDropoutIsSettableAndActsOnlyInTraining() {
        let model = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, pyramidSizes: [], classCount: 3, bandCount: 2))
        XCTAssertEqual(model.dropoutProbability, 0.1)
        let input = CounterRandom.input("dropout", batch: 2, height: 16, width: 16, bands: 2)
        model.train()
        model.dropoutProbability = 0.5
        let first = Tensor.withoutRecording { model(input) }
        let second = Tensor.withoutRecording { model(input) }
        XCTAssertGreaterThan(maximumAbsoluteDifference(first, second), 1e-4, "fresh dropout masks per call")
        model.dropoutProbability = 0
        let third = Tensor.withoutRecording { model(input) }
        let fourth = Tensor.withoutRecording { model(input) }
        XCTAssertLessThanOrEqual(maximumAbsoluteDifference(third, fourth), 1e-6)
    }
}
