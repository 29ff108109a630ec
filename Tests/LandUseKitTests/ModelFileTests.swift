import Foundation
import XCTest
import LandUseKit
import NeuralNet
import SegmentationModels
import TensorCore

final class ModelFileTests: XCTestCase {
    private let configuration = PSPNetConfiguration(
        backbone: .resnet18, outputStride: 8, pyramidSizes: [1, 2], decoder: .upsample, auxWeight: 0.4, classCount: 3, bandCount: 2)

    private func describe(_ configuration: PSPNetConfiguration) -> ModelDescription {
        ModelDescription(
            architecture: configuration,
            classes: (0..<configuration.classCount).map { ClassInfo(value: $0 + 1, name: "class \($0 + 1)", color: [$0 * 40, 100, 200]) },
            bands: (0..<configuration.bandCount).map { BandInfo(name: "band \($0 + 1)", mean: Float(50 + $0), std: Float(10 + $0)) },
            chipSize: 128, chipOverlap: 32,
            provenance: Provenance(data: "unit test", iterations: 12, metrics: ["val_miou": 0.25], created: "2026-11-21T06:00:00Z",
                                   notes: ["seed": "7"]))
    }

    /// A network whose every tensor (BatchNorm statistics included) holds random values, so a round trip
    /// that dropped or swapped any tensor would change the outputs.
    /// Built once for the whole class: no test modifies it (loading a file builds a new network).
    private static var sharedModel: PSPNet?

    private func randomModel(_ configuration: PSPNetConfiguration) throws -> PSPNet {
        if let model = ModelFileTests.sharedModel, model.configuration == configuration { return model }
        let seed: UInt64 = 3
        let model = PSPNet(configuration: configuration, seed: seed)
        var generator = RandomGenerator(seed: seed + 100)
        var state = model.stateDict()
        for (name, tensor) in state where !name.hasSuffix("num_batches_tracked") {
            let positive = name.hasSuffix("running_var") || name.hasSuffix("bn.weight") || name.hasSuffix("bn1.weight")
            state[name] = Tensor(shape: tensor.shape) { values in
                for index in values.indices {
                    let u = generator.nextUniform()
                    values[index] = positive ? 0.5 + u : (u - 0.5) * (tensor.rank == 4 ? 0.3 : 0.2)
                }
            }
        }
        try model.load(stateDict: state)
        model.eval()
        ModelFileTests.sharedModel = model
        return model
    }

    private func input(batch: Int = 2) -> Tensor {
        var generator = RandomGenerator(seed: 11)
        return Tensor(shape: [batch, 19, 23, 2]) { values in
            for index in values.indices { values[index] = generator.nextUniform() * 2 - 1 }
        }
    }

    private func temporaryURL(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("landuse-modelfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.appendingPathComponent(name)
    }

    private func assertRefused(_ data: Data, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ModelFile(data: data, name: "bad.safetensors"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(error is ModelFileError, message, file: file, line: line)
            XCTAssertTrue(message.hasPrefix("model file bad.safetensors: "), message, file: file, line: line)
            for fragment in fragments { XCTAssertTrue(message.contains(fragment), "\"\(fragment)\" not in: \(message)", file: file, line: line) }
        }
    }

    func testRoundTripGivesIdenticalOutputsAndMetadata() throws {
        let model = try randomModel(configuration)
        let description = describe(configuration)
        let url = try temporaryURL("model.safetensors")
        try ModelFile.write(model, description: description, to: url)

        let loaded = try ModelFile(contentsOf: url)
        XCTAssertEqual(loaded.modelDescription, description)
        XCTAssertEqual(try ModelFile.readDescription(contentsOf: url), description)
        XCTAssertFalse(loaded.hasAuxiliaryHead)
        XCTAssertFalse(loaded.model.isTraining, "a loaded model is ready for inference")
        let x = input()
        let expected = Tensor.withoutRecording { model(x) }
        let actual = Tensor.withoutRecording { loaded.model(x) }
        XCTAssertEqual(actual.shape, [2, 19, 23, 3])
        XCTAssertEqual(actual.scalars, expected.scalars)

        let info = try ModelFileInfo(contentsOf: url)
        XCTAssertEqual(info.modelDescription, description)
        XCTAssertEqual(info.parameterCount, model.parameterCount - model.auxiliaryHead!.parameters().reduce(0) { $0 + $1.value.count })
        XCTAssertEqual(info.storage, [.float32: info.tensorCount])
        XCTAssertFalse(info.hasAuxiliaryHead)
        XCTAssertGreaterThan(info.byteCount, info.parameterCount * 4)

        let stored = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(stored.names.count, info.tensorCount)
        XCTAssertFalse(stored.names.contains { $0.hasPrefix("aux.") }, "inference files leave the aux head out")
        XCTAssertTrue(stored.names.contains("backbone.layer4.1.conv2.weight"))
        XCTAssertTrue(stored.names.allSatisfy { stored.entries[$0]!.dtype == .float32 })
        let json = try XCTUnwrap(stored.metadata[ModelFile.metadataKey])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual((object["architecture"] as? [String: Any])?["backbone"] as? String, "resnet18")
        XCTAssertEqual(object["format_version"] as? Int, ModelDescription.currentFormatVersion)
    }

    func testTrainingCheckpointKeepsTheAuxiliaryHead() throws {
        let model = try randomModel(configuration)
        let data = try ModelFile.encode(model, description: describe(configuration), includeAuxiliaryHead: true)
        let loaded = try ModelFile(data: data, name: "checkpoint.safetensors")
        XCTAssertTrue(loaded.hasAuxiliaryHead)
        let original = model.stateDict(), restored = loaded.model.stateDict()
        XCTAssertEqual(Set(original.keys), Set(restored.keys))
        for (name, tensor) in original { XCTAssertEqual(restored[name]?.scalars, tensor.scalars, name) }
    }

    func testHalfPrecisionStorage() throws {
        let model = try randomModel(configuration)
        let x = input()
        let expected = Tensor.withoutRecording { model(x) }
        let full = try ModelFile.encode(model, description: describe(configuration))
        let scale = expected.scalars.map(abs).max()!
        for (storage, tolerance) in [(SafeTensorsDType.float16, Float(2e-2)), (.bfloat16, Float(1.5e-1))] {
            let data = try ModelFile.encode(model, description: describe(configuration), storage: storage)
            XCTAssertLessThan(data.count, full.count * 6 / 10, "\(storage) stores 2 bytes per value")
            let stored = try SafeTensorsFile(data: data)
            XCTAssertTrue(stored.names.allSatisfy { stored.entries[$0]!.dtype == storage })
            let loaded = try ModelFile(data: data, name: "half.safetensors")
            let actual = Tensor.withoutRecording { loaded.model(x) }
            let error = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(error, tolerance * scale, "\(storage): max error \(error) for logits up to \(scale)")
            XCTAssertGreaterThan(error, 0, "\(storage) rounding must be visible, or the test is not exercising it")
        }
    }

    func testRefusesAMissingTensor() throws {
        let model = try randomModel(configuration)
        let json = try metadataJSON(describe(configuration))
        var tensors = model.stateDict().filter { !$0.key.hasPrefix("aux.") }
        tensors["backbone.layer4.1.conv2.weight"] = nil
        let data = try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: json])
        let fragments = [
            "missing tensor backbone.layer4.1.conv2.weight",
            "does not match its architecture (resnet18, output stride 8, pyramid sizes [1, 2], upsample decoder, 3 classes, 2 bands)",
        ]
        assertRefused(data, fragments)
        let url = try temporaryURL("missing.safetensors")
        try data.write(to: url)
        XCTAssertThrowsError(try ModelFileInfo(contentsOf: url)) { error in
            for fragment in fragments { XCTAssertTrue("\(error)".contains(fragment), "\(error)") }
        }
    }

    func testRefusesAWrongShapeAndAnUnexpectedTensor() throws {
        let model = try randomModel(configuration)
        var wider = configuration
        wider.classCount = 4
        let json = try metadataJSON(describe(wider))
        assertRefused(try SafeTensorsWriter.encode(model.stateDict(), metadata: [ModelFile.metadataKey: json]), [
            "tensor aux.classifier.bias has shape [3] but the architecture needs [4]", "more wrong shapes",
        ])
        var tensors = model.stateDict()
        tensors["decoder.extra.weight"] = Tensor(shape: [2], repeating: 1)
        assertRefused(try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: try metadataJSON(describe(configuration))]),
                      ["unexpected tensor decoder.extra.weight"])
    }

    func testRefusesUnknownArchitectureNames() throws {
        let model = try randomModel(configuration)
        let json = try metadataJSON(describe(configuration))
        let tensors = model.stateDict()
        assertRefused(try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: json.replacingOccurrences(of: "\"resnet18\"", with: "\"resnet99\"")]),
                      ["unknown backbone \"resnet99\"", "resnet18, resnet34, resnet50, resnet101"])
        assertRefused(try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: json.replacingOccurrences(of: "\"upsample\"", with: "\"unet\"")]),
                      ["unknown decoder \"unet\"", "upsample, fpn"])
    }

    func testRefusesMissingOrInvalidMetadata() throws {
        let model = try randomModel(configuration)
        let tensors = model.stateDict()
        assertRefused(try SafeTensorsWriter.encode(tensors), ["no LandUse description", "python/export_model.py"])
        assertRefused(try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: "{not json"]), ["not a JSON object"])
        let json = try metadataJSON(describe(configuration))
        assertRefused(try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: json.replacingOccurrences(of: "\"chip_size\"", with: "\"chip\"")]),
                      ["lacks the key \"chip_size\""])
        var description = describe(configuration)
        description.bands.removeLast()
        assertRefused(try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: try metadataJSON(description)]),
                      ["the description is not valid", "lists 1 bands but the network takes 2"])
        assertRefused(try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: json.replacingOccurrences(of: "\"format_version\":1", with: "\"format_version\":9")]),
                      ["format version 9 is newer", "upgrade landuse"])
    }

    func testRefusesMalformedFiles() throws {
        let valid = try ModelFile.encode(try randomModel(configuration), description: describe(configuration))
        assertRefused(Data([1, 2, 3]), ["not a readable safetensors file"])
        assertRefused(Data("GIF89a, not a model at all".utf8), ["not a readable safetensors file"])
        assertRefused(valid.prefix(valid.count - 100), ["not a readable safetensors file"])
        XCTAssertThrowsError(try ModelFile(contentsOf: URL(fileURLWithPath: "/nonexistent/model.safetensors"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("model file /nonexistent/model.safetensors: "), "\(error)")
        }
    }

    func testWriteRefusesADescriptionOfAnotherNetwork() throws {
        let model = try randomModel(configuration)
        var other = configuration
        other.backbone = .resnet34
        XCTAssertThrowsError(try ModelFile.encode(model, description: describe(other))) { error in
            XCTAssertTrue("\(error)".contains("differs from the network's"), "\(error)")
        }
    }

    /// A width-0.5 network round-trips, `info` names its width, and its tensors do not pass for width 1's.
    func testHalfWidthRoundTripAndInfo() throws {
        var narrow = configuration
        narrow.width = 0.5
        let model = PSPNet(configuration: narrow, seed: 4)
        model.eval()
        let url = try temporaryURL("narrow.safetensors")
        try ModelFile.write(model, description: describe(narrow), to: url)
        let loaded = try ModelFile(contentsOf: url)
        XCTAssertEqual(loaded.modelDescription.architecture.width, 0.5)
        XCTAssertEqual(loaded.model.stateDict()["backbone.layer4.1.conv2.weight"]?.shape, [256, 256, 3, 3])
        let x = input()
        XCTAssertEqual(Tensor.withoutRecording { loaded.model(x) }.scalars, Tensor.withoutRecording { model(x) }.scalars)

        let report = try ModelInfoTool.report(for: url)
        XCTAssertTrue(report.summary.contains("aux weight 0.4, width 0.5\n"), report.summary)
        let json = try report.json()
        XCTAssertTrue(json.contains("\"width\" : 0.5"), json)
        let fullURL = try temporaryURL("full.safetensors")
        try ModelFile.write(try randomModel(configuration), description: describe(configuration), to: fullURL)
        XCTAssertFalse(try ModelInfoTool.report(for: fullURL).summary.contains("width"), "width 1 is not mentioned")

        // Width-1 tensors under a width-0.5 description.
        let tensors = try randomModel(configuration).stateDict().filter { !$0.key.hasPrefix("aux.") }
        assertRefused(try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: try metadataJSON(describe(narrow))]), [
            "has shape [64] but the architecture needs [32]", "more wrong shapes", ", width 0.5)",
        ])
        var tooNarrow = narrow
        tooNarrow.width = 0.1
        assertRefused(try SafeTensorsWriter.encode(tensors, metadata: [ModelFile.metadataKey: try metadataJSON(describe(tooNarrow))]),
                      ["the description is not valid", "width is 0.1"])
    }

    private func metadataJSON(_ description: ModelDescription) throws -> String {
        String(decoding: try JSONEncoder().encode(description), as: UTF8.self)
    }
}
