import Foundation
import XCTest
import NeuralNet
import SegmentationModels
import TensorCore

/// `PSPNet.loadEncoderWeights` with a torchvision-style state dict (keys `conv1.weight`, `layer1.0.bn1.bias`,
/// `fc.weight`, …) written by the test itself.
final class EncoderWeightsTests: XCTestCase {
    /// A 3-band ResNet-18 with random BatchNorm statistics and its torchvision-style file bytes (with `fc.*`).
    private func torchvisionResNet18(prefix: String = "", dropping: String? = nil) throws -> (ResNetEncoder, SafeTensorsFile) {
        var generator = RandomGenerator(seed: 5)
        let encoder = ResNetEncoder(backbone: .resnet18, bandCount: 3, outputStride: 8, generator: &generator)
        var state = encoder.stateDict()
        for (name, tensor) in state where name.hasSuffix("running_mean") || name.hasSuffix("running_var") || name.hasSuffix("bias") {
            state[name] = Tensor(shape: tensor.shape) { values in
                for index in values.indices { values[index] = name.hasSuffix("running_var") ? 0.5 + generator.nextUniform() : generator.nextUniform() - 0.5 }
            }
        }
        try encoder.load(stateDict: state)
        encoder.eval()
        var stored = Dictionary(uniqueKeysWithValues: state.map { (prefix + $0.key, $0.value) })
        stored["fc.weight"] = Tensor(shape: [10, 512], repeating: 0.01)
        stored["fc.bias"] = Tensor(shape: [10], repeating: 0)
        if let dropping { stored[dropping] = nil }
        return (encoder, try SafeTensorsFile(data: try SafeTensorsWriter.encode(stored)))
    }

    func testImportsTorchvisionKeysAndSpreadsTheStemOverSixBands() throws {
        let (source, file) = try torchvisionResNet18()
        let model = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, classCount: 4, bandCount: 6))
        let decoderBefore = model.stateDict()["decoder.conv.weight"]!.scalars
        XCTAssertEqual(try model.loadEncoderWeights(from: file), source.stateDict().count)
        let loaded = model.stateDict(), original = source.stateDict()
        XCTAssertEqual(loaded["backbone.layer4.1.conv2.weight"]?.scalars, original["layer4.1.conv2.weight"]?.scalars)
        XCTAssertEqual(loaded["backbone.layer2.0.downsample.1.running_var"]?.scalars, original["layer2.0.downsample.1.running_var"]?.scalars)
        XCTAssertEqual(loaded["decoder.conv.weight"]?.scalars, decoderBefore, "only the encoder changes")
        XCTAssertEqual(loaded["backbone.conv1.weight"]?.shape, [64, 6, 7, 7])

        // A grey pixel (all bands equal) meets the same stem response in both networks (6 is a multiple of 3).
        model.eval()
        let grey: [Float] = (0..<(2 * 13 * 17)).map { index -> Float in Float(index % 7) / 7 - 0.4 }
        func image(_ bands: Int) -> Tensor {
            Tensor(shape: [2, 13, 17, bands], scalars: grey.flatMap { Array(repeating: $0, count: bands) })
        }
        let six = Tensor.withoutRecording { model.encoder(image(6)) }
        let three = Tensor.withoutRecording { source(image(3)) }
        XCTAssertLessThan(maximumAbsoluteDifference(six.stem, three.stem), 1e-4)
        XCTAssertLessThan(maximumAbsoluteDifference(six.layer4, three.layer4), 1e-3)
    }

    func testAcceptsBackbonePrefixedKeysAndThreeBandsUnchanged() throws {
        let (source, file) = try torchvisionResNet18(prefix: "backbone.")
        let model = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, classCount: 4, bandCount: 3))
        try model.loadEncoderWeights(from: file)
        XCTAssertEqual(model.stateDict()["backbone.conv1.weight"]?.scalars, source.stateDict()["conv1.weight"]?.scalars)
    }

    func testStemAdaptationRule() {
        let rgb = Tensor(shape: [1, 3, 1, 1], scalars: [3, 6, 9])
        XCTAssertEqual(PSPNet.adaptStemWeight(rgb, bandCount: 4).scalars, [2.25, 4.5, 6.75, 2.25])
        XCTAssertEqual(PSPNet.adaptStemWeight(rgb, bandCount: 1).scalars, [18])
        XCTAssertEqual(PSPNet.adaptStemWeight(rgb, bandCount: 6).scalars, [1.5, 3, 4.5, 1.5, 3, 4.5])
    }

    func testRefusesNarrowNetworks() throws {
        let (_, file) = try torchvisionResNet18()
        let model = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, classCount: 4, bandCount: 6, width: 0.5))
        let before = model.stateDict()["backbone.conv1.weight"]!.scalars
        XCTAssertThrowsError(try model.loadEncoderWeights(from: file)) { error in
            XCTAssertTrue(error is WeightImportError, "\(error)")
            XCTAssertTrue("\(error)".contains("torchvision ResNet weights fit width 1.0 only: train from scratch or use --width 1"), "\(error)")
        }
        XCTAssertEqual(model.stateDict()["backbone.conv1.weight"]?.scalars, before, "a refused import changes nothing")
    }

    func testRefusesIncompleteOrForeignEncoders() throws {
        let (_, incomplete) = try torchvisionResNet18(dropping: "layer3.0.conv1.weight")
        let model = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, classCount: 4, bandCount: 6))
        XCTAssertThrowsError(try model.loadEncoderWeights(from: incomplete)) { error in
            XCTAssertTrue("\(error)".contains("missing keys: layer3.0.conv1.weight"), "\(error)")
            XCTAssertTrue("\(error)".contains("pass a torchvision resnet18 state dict"), "\(error)")
        }
        let (_, resnet18) = try torchvisionResNet18()
        let resnet50 = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet50, pyramidSizes: [], classCount: 4, bandCount: 3))
        XCTAssertThrowsError(try resnet50.loadEncoderWeights(from: resnet18)) { error in
            XCTAssertTrue(error is WeightImportError, "\(error)")
            XCTAssertTrue("\(error)".contains("resnet50 encoder"), "\(error)")
        }
    }
}
