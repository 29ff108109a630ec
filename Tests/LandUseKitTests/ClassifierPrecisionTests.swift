import Foundation
import XCTest
import GeoRaster
import LandUseKit
import SegmentationModels
import TensorCore

/// `PSPNetClassifier`'s compiled plans on the sample scene: bfloat16 against Float32, and the plan against
/// the training path. No trained model exists yet, so these use a seeded randomly initialised PSPNet
/// (Kaiming-normal convolutions, unit BatchNorm): its classes are arbitrary but depend on the pixels.
final class ClassifierPrecisionTests: XCTestCase {
    static let scene = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/L7_ETMs.tif")
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("precision-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private let classes = 7

    private var description: ModelDescription {
        ModelDescription(
            architecture: PSPNetConfiguration(backbone: .resnet18, classCount: classes, bandCount: 6),
            classes: (0..<classes).map { ClassInfo(value: 1 + $0, name: "class \($0)", color: [30 * $0, 100, 200]) },
            bands: (0..<6).map { BandInfo(name: "band \($0 + 1)", mean: 70, std: 30) },
            chipSize: 128, chipOverlap: 16)
    }

    private func classify(_ classifier: ChipClassifier, description: ModelDescription, name: String) throws -> [Int] {
        let output = folder.appendingPathComponent("\(name).tif")
        try ClassifyTool(description: description, classifier: classifier)
            .run(input: Self.scene, output: output, options: ClassifyOptions(batchSize: 4, layout: .geoTIFF))
        return try RasterDataset(url: output).readSamples(UInt8.self).map(Int.init)
    }

    /// Issue 6 asks for 99.5% agreement on a trained model, whose classes have wide margins: with the
    /// trained sample model (Samples/landuse-raleigh.safetensors) present, that is the bar. Until it exists
    /// the test runs a RANDOM model, whose class probabilities are nearly flat, so rounding flips more
    /// pixels: it measured 99.25% (docs/DESIGN.md, "Inference plan"), and the bar is that rounded down, so a
    /// regression in the bf16 path (e.g. a lost Float32 bias or accumulator) still fails here.
    func testBFloat16AgreesWithFloat32OnTheSampleScene() throws {
        let trained = Self.scene.deletingLastPathComponent().appendingPathComponent("landuse-raleigh.safetensors")
        if FileManager.default.fileExists(atPath: trained.path) {
            let file = try ModelFile(contentsOf: trained)
            try checkAgreement(model: file.model, description: file.modelDescription, required: 0.995, label: "trained sample model")
        } else {
            try checkAgreement(model: PSPNet(configuration: description.architecture, seed: 11), description: description,
                               required: 0.99, label: "random seed-11 ResNet-18 PSPNet")
        }
    }

    private func checkAgreement(model: PSPNet, description: ModelDescription, required: Double, label: String) throws {
        guard ModelPrecision.bfloat16.isSupportedOnThisCPU else {
            XCTAssertThrowsError(try PSPNetClassifier(model: model, precision: .bfloat16))
            return
        }
        let full = try classify(PSPNetClassifier(model: model), description: description, name: "f32")
        let half = try classify(PSPNetClassifier(model: model, precision: .bfloat16), description: description, name: "bf16")
        let valid = full.indices.filter { full[$0] != description.nodataClassValue }
        let agreeing = valid.filter { full[$0] == half[$0] }.count
        let agreement = Double(agreeing) / Double(max(valid.count, 1))
        let used = Set(valid.map { full[$0] })
        print("bf16 vs f32 classes on the sample scene (\(label)): \(String(format: "%.3f", 100 * agreement))% of \(valid.count) valid pixels agree; \(used.count) classes in use")
        XCTAssertGreaterThan(valid.count, 100_000)
        XCTAssertGreaterThanOrEqual(used.count, 2, "a model that gives one class everywhere would make agreement meaningless")
        XCTAssertGreaterThanOrEqual(agreement, required)
    }

    /// The plan-backed classifier gives the training path's probabilities (softmax of eval-mode logits).
    func testPlanClassifierMatchesTheTrainingPath() throws {
        let model = PSPNet(configuration: description.architecture, seed: 11)
        var generator = RandomGenerator(seed: 5)
        let chips = Tensor.randomUniform(shape: [3, 64, 64, 6], lowerBound: -2, upperBound: 2, generator: &generator)
        let planned = try PSPNetClassifier(model: model).probabilities(for: chips)
        let reference = Tensor.withoutRecording { softmax(model(chips)) }
        let error = zip(planned.scalars, reference.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        XCTAssertLessThanOrEqual(error, 1e-4)
    }
}
