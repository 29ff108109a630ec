import Foundation
import XCTest
import NeuralNet
import SegmentationModels
import TensorCore

/// The state dict's names, order, shapes and kinds against PyTorch's (keys-*.txt, written by
/// make_pspnet_fixtures.py from python/landuse_pspnet.py).
final class ParameterNamingTests: XCTestCase {
    func check(_ backbone: Backbone, _ decoder: Decoder, parameterCount: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try PSPNetFixture.lines("keys-\(backbone.rawValue)-os8-1356-\(decoder.rawValue).txt").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let model = PSPNet(configuration: PSPNetConfiguration(
            backbone: backbone, outputStride: 8, pyramidSizes: [1, 3, 5, 6], decoder: decoder, auxWeight: 0.4,
            classCount: PSPNetFixture.classes, bandCount: PSPNetFixture.bands))
        let parameters = model.namedParameters().map { [$0.name, $0.parameter.shape.map(String.init).joined(separator: "x"), "parameter"] }
        let buffers = model.namedBuffers().map { [$0.name, $0.buffer.shape.map(String.init).joined(separator: "x"), "buffer"] }
        let referenceParameters = reference.filter { $0[2] == "parameter" }
        let referenceBuffers = reference.filter { $0[2] == "buffer" }
        // Parameters in PyTorch's order (the order optimizers see them); buffers as a set.
        XCTAssertEqual(parameters, referenceParameters, file: file, line: line)
        XCTAssertEqual(Set(buffers.map { $0.joined(separator: " ") }), Set(referenceBuffers.map { $0.joined(separator: " ") }), file: file, line: line)
        XCTAssertEqual(Set(model.stateDict().keys), Set(reference.map { $0[0] }), file: file, line: line)
        XCTAssertEqual(model.parameterCount, parameterCount, file: file, line: line)
    }

    // Counts from PyTorch: sum(p.numel() for p in PSPNet(backbone, 6, 7, 8, [1,3,5,6], decoder).parameters()).
    func testResNet18Upsample() throws { try check(.resnet18, .upsample, parameterCount: 16_764_430) }
    func testResNet18FPN() throws { try check(.resnet18, .fpn, parameterCount: 15_829_326) }
    func testResNet50Upsample() throws { try check(.resnet50, .upsample, parameterCount: 48_956_430) }
    func testResNet50FPN() throws { try check(.resnet50, .fpn, parameterCount: 41_072_462) }

    func testAuxiliaryHeadOnlyWithAuxWeight() {
        let without = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, auxWeight: 0, classCount: 3, bandCount: 2))
        XCTAssertNil(without.auxiliaryHead)
        XCTAssertFalse(without.stateDict().keys.contains { $0.hasPrefix("aux.") })
        let with = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet18, auxWeight: 0.4, classCount: 3, bandCount: 2))
        XCTAssertEqual(with.stateDict()["aux.classifier.weight"]?.shape, [3, 256, 1, 1])
    }
}
