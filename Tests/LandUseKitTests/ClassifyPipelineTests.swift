import Foundation
import XCTest
import GeoRaster
import LandUseKit
import SegmentationModels
import TensorCore

/// A classifier that fails on its `failingCall`-th call (and counts its calls), to check that an error
/// raised while the reader and writer threads are busy reaches the caller and leaves no output.
final class FailingClassifier: ChipClassifier {
    struct Failure: Error {}
    let base: ChipClassifier
    let failingCall: Int
    private(set) var calls = 0
    var classCount: Int { base.classCount }

    init(base: ChipClassifier, failingCall: Int) {
        self.base = base
        self.failingCall = failingCall
    }

    func probabilities(for chips: Tensor) throws -> Tensor {
        calls += 1
        if calls == failingCall { throw Failure() }
        return try base.probabilities(for: chips)
    }
}

/// The pipelined predict (reader and writer threads) against the sequential one, with a real (random-weight)
/// PSPNet, several column strips and partial batches: every output must be bit-identical.
final class ClassifyPipelineTests: XCTestCase {
    static let input = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("L7_ETMs.tif")
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// A random-weight PSPNet (untrained: structure only) and its description.
    private func randomTool(classes: Int = 4) -> (ModelDescription, PSPNetClassifier) {
        let configuration = PSPNetConfiguration(backbone: .resnet18, outputStride: 16, pyramidSizes: [1, 2, 3, 6], decoder: .upsample,
                                                auxWeight: 0, classCount: classes, bandCount: 6)
        let description = ModelDescription(
            architecture: configuration,
            classes: (0..<classes).map { ClassInfo(value: $0 + 1, name: "class \($0 + 1)", color: [60 * $0, 90, 200 - 40 * $0]) },
            bands: (0..<6).map { BandInfo(name: "band \($0 + 1)", mean: 70, std: 25) },
            chipSize: 64, chipOverlap: 16)
        return (description, PSPNetClassifier(model: PSPNet(configuration: configuration, seed: 7)))
    }

    private func options(_ name: String, pipelined: Bool) -> ClassifyOptions {
        ClassifyOptions(
            batchSize: 3, probabilitiesURL: folder.appendingPathComponent("\(name)-probs.tif"),
            confidenceURL: folder.appendingPathComponent("\(name)-conf.tif"), layout: .geoTIFF, maximumStripWidth: 150,
            pipelined: pipelined)
    }

    func testPipelinedAndSequentialOutputsAreBitIdentical() throws {
        let (description, classifier) = randomTool()
        let tool = ClassifyTool(description: description, classifier: classifier)
        let window = Window(columnOffset: 5, rowOffset: 11, columnCount: 330, rowCount: 301)
        var summaries: [ClassifySummary] = []
        for (name, pipelined) in [("sequential", false), ("pipelined", true)] {
            var options = options(name, pipelined: pipelined)
            options.window = window
            var reports: [Int] = []
            summaries.append(try tool.run(input: Self.input, output: folder.appendingPathComponent("\(name).tif"), options: options) { reports.append($0.chipsDone) })
            XCTAssertEqual(reports.last, summaries.last?.chipsTotal, "progress reaches every chip (\(name))")
            XCTAssertEqual(reports, reports.sorted(), "progress never goes back (\(name))")
        }
        XCTAssertEqual(summaries[0].chipsClassified, summaries[1].chipsClassified)
        XCTAssertEqual(summaries[0].classPixels, summaries[1].classPixels)
        XCTAssertGreaterThan(summaries[0].classPixels.count, 1, "the random model predicts more than one class")
        for suffix in [".tif", "-probs.tif", "-conf.tif"] {
            let sequential = try RasterDataset(url: folder.appendingPathComponent("sequential\(suffix)")).read()
            let pipelined = try RasterDataset(url: folder.appendingPathComponent("pipelined\(suffix)")).read()
            XCTAssertEqual(sequential.window, pipelined.window)
            XCTAssertEqual(sequential.values.map(\.bitPattern), pipelined.values.map(\.bitPattern), suffix)
            XCTAssertEqual(sequential.isValid, pipelined.isValid, suffix)
        }
    }

    func testAClassifierErrorStopsThePipelineAndLeavesNoOutput() throws {
        let (description, classifier) = randomTool()
        let failing = FailingClassifier(base: classifier, failingCall: 4)
        let tool = ClassifyTool(description: description, classifier: failing)
        XCTAssertThrowsError(try tool.run(input: Self.input, output: folder.appendingPathComponent("classes.tif"), options: options("failed", pipelined: true))) { error in
            XCTAssertTrue(error is FailingClassifier.Failure, "\(error)")
        }
        XCTAssertEqual(failing.calls, 4, "nothing runs after the failure")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    func testCancellationStopsThePipelineAndLeavesNoOutput() throws {
        let (description, classifier) = randomTool()
        let tool = ClassifyTool(description: description, classifier: classifier)
        var polls = 0
        XCTAssertThrowsError(try tool.run(input: Self.input, output: folder.appendingPathComponent("classes.tif"), options: options("cancelled", pipelined: true), isCancelled: {
            polls += 1
            return polls > 5
        })) { error in
            XCTAssertEqual((error as? LandUseError)?.kind, .cancelled)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }
}
