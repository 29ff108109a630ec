import Foundation
import XCTest
import NeuralNet
import SegmentationModels
import TensorCore

/// The state dict's names, order, shapes and kinds against PyTorch's (keys-*.txt, written by
/// make_pspnet_fixtures.py from python/landuse_pspnet.py).
final class ParameterNamingTests: XCTestCase {
    @discardableResult
    func check(_ backbone: Backbone, _ decoder: Decoder, width: Float = 1, parameterCount: Int,
               file: StaticString = #filePath, line: UInt = #line) throws -> PSPNet {
        let reference = try PSPNetFixture.lines("keys-\(backbone.rawValue)-os8-1356-\(decoder.rawValue)\(PSPNetFixture.widthSuffix(width)).txt")
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let model = PSPNet(configuration: PSPNetConfiguration(
            backbone: backbone, outputStride: 8, pyramidSizes: [1, 3, 5, 6], decoder: decoder, auxWeight: 0.4,
            classCount: PSPNetFixture.classes, bandCount: PSPNetFixture.bands, width: width))
        let parameters = model.namedParameters().map { [$0.name, $0.parameter.shape.map(String.init).joined(separator: "x"), "parameter"] }
        let buffers = model.namedBuffers().map { [$0.name, $0.buffer.shape.map(String.init).joined(separator: "x"), "buffer"] }
        let referenceParameters = reference.filter { $0[2] == "parameter" }
        let referenceBuffers = reference.filter { $0[2] == "buffer" }
        // Parameters in PyTorch's order (the order optimizers see them); buffers as a set.
        XCTAssertEqual(parameters, referenceParameters, file: file, line: line)
        XCTAssertEqual(Set(buffers.map { $0.joined(separator: " ") }), Set(referenceBuffers.map { $0.joined(separator: " ") }), file: file, line: line)
        XCTAssertEqual(Set(model.stateDict().keys), Set(reference.map { $0[0] }), file: file, line: line)
        XCTAssertEqual(model.parameterCount, parameterCount, file: file, line: line)
        return model
    }

    // Counts from PyTorch: sum(p.numel() for p in PSPNet(backbone, 6, 7, 8, [1,3,5,6], decoder).parameters()).
    func testResNet18Upsample() throws { try check(.resnet18, .upsample, parameterCount: 16_764_430) }
    func testResNet18FPN() throws { try check(.resnet18, .fpn, parameterCount: 15_829_326) }
    func testResNet50Upsample() throws { try check(.resnet50, .upsample, parameterCount: 48_956_430) }
    func testResNet50FPN() throws { try check(.resnet50, .fpn, parameterCount: 41_072_462) }

    /// Width 0.5 against PyTorch's names and shapes; prints the sizes docs/model-format.md quotes (inference
    /// parameters exclude the aux head, which model files omit; F16 stores 2 bytes per scalar).
    func testHalfWidthResNet18() throws {
        let counts: [(Decoder, Int, Int)] = [(.upsample, 4_200_206, 16_764_430), (.fpn, 3_965_870, 15_829_326)]
        for (decoder, half, full) in counts {
            let model = try check(.resnet18, decoder, width: 0.5, parameterCount: half)
            XCTAssertEqual(model.encoder.channels, [32, 32, 64, 128, 256])
            let inference = model.namedParameters().filter { !$0.name.hasPrefix("aux.") }.reduce(0) { $0 + $1.parameter.value.count }
            let fullModel = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, decoder: decoder, classCount: PSPNetFixture.classes,
                                                                     bandCount: PSPNetFixture.bands))
            let fullInference = fullModel.namedParameters().filter { !$0.name.hasPrefix("aux.") }.reduce(0) { $0 + $1.parameter.value.count }
            XCTAssertEqual(fullModel.parameterCount, full)
            print(String(format: "resnet18 %@ (6 bands, 7 classes): width 0.5 %d parameters, %d for inference (%.1f MB as F16); width 1 %d, %d (%.1f MB as F16)",
                         decoder.rawValue, half, inference, Double(inference) * 2 / 1e6, full, fullInference, Double(fullInference) * 2 / 1e6))
            XCTAssertLessThan(Double(inference) * 2, 25e6, "a width-0.5 sample model fits the 25 MB limit in F16")
            XCTAssertGreaterThan(Double(fullInference) * 2, 25e6)
        }
    }

    func testAuxiliaryHeadOnlyWithAuxWeight() {
        let without = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, auxWeight: 0, classCount: 3, bandCount: 2))
        XCTAssertNil(without.auxiliaryHead)
        XCTAssertFalse(without.stateDict().keys.contains { $0.hasPrefix("aux.") })
        let with = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, auxWeight: 0.4, classCount: 3, bandCount: 2))
        XCTAssertEqual(with.stateDict()["aux.classifier.weight"]?.shape, [3, 256, 1, 1])
    }
}
