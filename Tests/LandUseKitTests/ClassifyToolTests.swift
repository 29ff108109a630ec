import Foundation
import XCTest
import GeoRaster
import LandUseKit
import SegmentationModels
import TensorCore

/// A classifier whose answer at a pixel depends only on that pixel: softmax(4 x the first `classCount`
/// normalised bands). Blending chips that agree must reproduce it exactly, whatever the chip grid.
final class PerPixelClassifier: ChipClassifier {
    let classCount: Int
    private(set) var chipsSeen = 0

    init(classCount: Int) { self.classCount = classCount }

    func probabilities(for chips: Tensor) throws -> Tensor {
        let (count, size, bands) = (chips.shape[0], chips.shape[1], chips.shape[3])
        chipsSeen += count
        return Tensor(shape: [count, size, size, classCount]) { output in
            chips.withUnsafeBufferPointer { input in
                for pixel in 0..<(count * size * size) {
                    var total: Float = 0
                    for k in 0..<classCount {
                        let e = exp(4 * input[pixel * bands + k])
                        output[pixel * classCount + k] = e
                        total += e
                    }
                    for k in 0..<classCount { output[pixel * classCount + k] /= total }
                }
            }
        }
    }
}

final class ClassifyToolTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("classify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func description(bands: Int, classes: Int = 3, chipSize: Int = 64, overlap: Int = 16) -> ModelDescription {
        ModelDescription(
            architecture: PSPNetConfiguration(backbone: .resnet18, classCount: classes, bandCount: bands),
            classes: (0..<classes).map { ClassInfo(value: 10 + $0, name: "class \($0)", color: [40 * $0, 100, 200]) },
            bands: (0..<bands).map { BandInfo(name: "band \($0 + 1)", mean: 60 + Float($0), std: 20) },
            chipSize: chipSize, chipOverlap: overlap)
    }

    /// The expected class value of every pixel, computed directly from the input.
    private func expectedClasses(_ url: URL, description: ModelDescription, bands: [Int]) throws -> [Int] {
        let block = try RasterDataset(url: url).read(bands: bands)
        let classes = description.classes.count
        return (0..<block.window.pixelCount).map { pixel in
            guard block.isValid[pixel] else { return description.nodataClassValue }
            let scores = (0..<classes).map { k in (block.values[pixel * bands.count + k] - description.bands[k].mean) / description.bands[k].std }
            return description.classes[scores.indices.max { scores[$0] < scores[$1] }!].value
        }
    }

    private func classes(of url: URL) throws -> [Int] {
        try RasterDataset(url: url).readSamples(UInt8.self).map(Int.init)
    }

    func testPerPixelModelIsReproducedExactlyAcrossChipGridsAndStrips() throws {
        let input = Self.fixtures.appendingPathComponent("L7_ETMs.tif")
        let model = description(bands: 6)
        let expected = try expectedClasses(input, description: model, bands: Array(1...6))
        for (index, (chip, overlap, strip)) in [(64, 16, 8192), (128, 32, 8192), (64, 0, 8192), (48, 8, 100)].enumerated() {
            let output = folder.appendingPathComponent("classes-\(index).tif")
            let summary = try ClassifyTool(description: model, classifier: PerPixelClassifier(classCount: 3)).run(
                input: input, output: output,
                options: ClassifyOptions(chipSize: chip, overlap: overlap, layout: .geoTIFF, maximumStripWidth: strip))
            XCTAssertEqual(try classes(of: output), expected, "chip \(chip), overlap \(overlap), strip \(strip)")
            XCTAssertEqual(summary.validPixels, 349 * 352)
            XCTAssertEqual(summary.chipsSkipped, 0)
            let profile = try RasterDataset(url: output).profile
            let source = try RasterDataset(url: input).profile
            XCTAssertEqual(profile.geoTransform, source.geoTransform)
            XCTAssertEqual(profile.crs?.wkt, source.crs?.wkt)
            XCTAssertEqual(profile.bands[0].nodata, 255)
            XCTAssertEqual(profile.bands[0].categoryNames.count >= 13, true, "category names up to value 12")
        }
    }

    func testNodataIsPreservedAndEmptyChipsAreSkipped() throws {
        // 150 x 100 Float32, 3 bands; the left 70 columns are nodata, plus one NaN pixel.
        let input = folder.appendingPathComponent("holes.tif")
        let writer = try RasterWriter(url: input, width: 150, height: 100, bandCount: 3, dataType: .float32,
                                      geoTransform: GeoTransform(originX: 500000, pixelWidth: 10, originY: 7000000, pixelHeight: -10),
                                      crs: try SpatialReference(epsg: 32633), nodata: -9999)
        var values = [Float](repeating: 0, count: 150 * 100 * 3)
        for row in 0..<100 {
            for column in 0..<150 {
                for band in 0..<3 {
                    values[(row * 150 + column) * 3 + band] = column < 70 ? -9999 : Float((row * 13 + column * 7 + band * 29) % 120)
                }
            }
        }
        values[(50 * 150 + 100) * 3 + 1] = .nan
        try writer.write(values, window: Window(width: 150, height: 100))
        try writer.finish()

        let model = description(bands: 3, chipSize: 32, overlap: 8)
        let classifier = PerPixelClassifier(classCount: 3)
        let output = folder.appendingPathComponent("classes.tif")
        let summary = try ClassifyTool(description: model, classifier: classifier).run(
            input: input, output: output, options: ClassifyOptions(layout: .geoTIFF))
        let found = try classes(of: output)
        XCTAssertEqual(found, try expectedClasses(input, description: model, bands: [1, 2, 3]))
        XCTAssertEqual(found[50 * 150 + 100], 255, "NaN pixel is nodata")
        XCTAssertTrue((0..<100).allSatisfy { row in (0..<70).allSatisfy { found[row * 150 + $0] == 255 } })
        XCTAssertEqual(summary.nodataPixels, 70 * 100 + 1)
        // Chip columns start at 0, 24, 48, 72, ...: the first two lie wholly in the nodata part.
        XCTAssertEqual(summary.chipsSkipped, 2 * ChipGrid(rasterWidth: 150, rasterHeight: 100, chipSize: 32, overlap: 8).rowCount)
        XCTAssertEqual(classifier.chipsSeen, summary.chipsClassified)
    }

    func testRasterSmallerThanAChipIsPaddedAndCroppedBack() throws {
        let input = Self.fixtures.appendingPathComponent("L7_ETMs.tif")
        let small = folder.appendingPathComponent("small.tif")
        let block = try RasterDataset(url: input).read(window: Window(columnOffset: 10, rowOffset: 20, columnCount: 37, rowCount: 23))
        let writer = try RasterWriter(url: small, like: try RasterDataset(url: input).profile,
                                      window: Window(columnOffset: 10, rowOffset: 20, columnCount: 37, rowCount: 23), bandCount: 6, dataType: .byte)
        try writer.write(block.values.map { UInt8($0) }, window: Window(width: 37, height: 23))
        try writer.finish()
        let model = description(bands: 6)
        let output = folder.appendingPathComponent("small-classes.tif")
        try ClassifyTool(description: model, classifier: PerPixelClassifier(classCount: 3)).run(input: small, output: output, options: ClassifyOptions(layout: .geoTIFF))
        XCTAssertEqual(try classes(of: output), try expectedClasses(small, description: model, bands: Array(1...6)))
    }

    func testBandSelectionAndBandCountErrors() throws {
        let input = Self.fixtures.appendingPathComponent("L7_ETMs.tif")
        let model = description(bands: 4)
        let tool = ClassifyTool(description: model, classifier: PerPixelClassifier(classCount: 3))
        let output = folder.appendingPathComponent("out.tif")
        XCTAssertThrowsError(try tool.run(input: input, output: output)) { error in
            XCTAssertTrue("\(error)".contains("model expects 4 bands"), "\(error)")
            XCTAssertTrue("\(error)".contains("pass --bands"), "\(error)")
        }
        XCTAssertThrowsError(try tool.run(input: input, output: output, options: ClassifyOptions(bands: [1, 2, 9, 3]))) { error in
            XCTAssertTrue("\(error)".contains("band 9"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        try tool.run(input: input, output: output, options: ClassifyOptions(bands: [4, 3, 2, 1], layout: .geoTIFF))
        XCTAssertEqual(try classes(of: output), try expectedClasses(input, description: model, bands: [4, 3, 2, 1]))
    }

    func testExistingOutputIsNotClobberedWithoutOverwrite() throws {
        let input = Self.fixtures.appendingPathComponent("L7_ETMs.tif")
        let output = folder.appendingPathComponent("exists.tif")
        try Data("keep me".utf8).write(to: output)
        let tool = ClassifyTool(description: description(bands: 6), classifier: PerPixelClassifier(classCount: 3))
        XCTAssertThrowsError(try tool.run(input: input, output: output)) { error in
            XCTAssertTrue("\(error)".contains("overwrite"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: output, encoding: .utf8), "keep me")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["exists.tif"], "no temporary file left behind")
        try tool.run(input: input, output: output, options: ClassifyOptions(overwrite: true))
        XCTAssertEqual(try RasterDataset(url: output).profile.width, 349)
    }

    func testCancellationLeavesNoOutput() throws {
        let input = Self.fixtures.appendingPathComponent("L7_ETMs.tif")
        let output = folder.appendingPathComponent("cancelled.tif")
        var calls = 0
        let tool = ClassifyTool(description: description(bands: 6), classifier: PerPixelClassifier(classCount: 3))
        XCTAssertThrowsError(try tool.run(input: input, output: output, options: ClassifyOptions(confidenceURL: folder.appendingPathComponent("conf.tif")), isCancelled: {
            calls += 1
            return calls > 2
        })) { error in
            XCTAssertEqual((error as? LandUseError)?.kind, .cancelled)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    func testDihedralTransformsInvertAndTTAKeepsAPerPixelModelExact() throws {
        let x = Tensor(shape: [2, 5, 5, 3], scalars: (0..<150).map { Float($0) })
        for transform in DihedralTransform.all {
            XCTAssertEqual(transform.apply(transform.apply(x), inverse: true).scalars, x.scalars)
        }
        XCTAssertEqual(Set(DihedralTransform.all.map { $0.apply(x).scalars }).count, 8, "the 8 views differ")
        let input = Self.fixtures.appendingPathComponent("L7_ETMs.tif")
        let model = description(bands: 6)
        let output = folder.appendingPathComponent("tta.tif")
        try ClassifyTool(description: model, classifier: PerPixelClassifier(classCount: 3)).run(
            input: input, output: output, options: ClassifyOptions(augmentation: .d4, layout: .geoTIFF))
        XCTAssertEqual(try classes(of: output), try expectedClasses(input, description: model, bands: Array(1...6)))
    }
}
