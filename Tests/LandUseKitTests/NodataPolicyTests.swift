import Foundation
import XCTest
import GeoRaster
import LandUseKit
import SegmentationModels
import TensorCore

/// `masked_as_mean` against `fill_missing_bands` on a raster whose band 2 drops out at scattered pixels.
final class NodataPolicyTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nodata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    let width = 70, height = 50

    private func dropout(_ pixel: Int) -> Bool { pixel % 7 == 3 }

    /// 3 bands; band 2 is nodata (-1) at every 7th pixel; the last row is nodata in every band.
    private func writeImage() throws -> URL {
        let url = folder.appendingPathComponent("image.tif")
        var values = [Float](repeating: 0, count: width * height * 3)
        for pixel in 0..<(width * height) {
            for band in 0..<3 { values[pixel * 3 + band] = Float((pixel * (band + 3) + band * 17) % 90) + 5 }
            if dropout(pixel) { values[pixel * 3 + 1] = -1 }
            if pixel / width == height - 1 { for band in 0..<3 { values[pixel * 3 + band] = -1 } }
        }
        let writer = try RasterWriter(url: url, width: width, height: height, bandCount: 3, dataType: .float32,
                                      geoTransform: GeoTransform(originX: 0, pixelWidth: 10, originY: 0, pixelHeight: -10),
                                      crs: try SpatialReference(epsg: 32630), nodata: -1)
        try writer.write(values, window: Window(width: width, height: height))
        try writer.finish()
        return url
    }

    private func model(_ policy: NodataPolicy) -> ModelDescription {
        ModelDescription(
            architecture: PSPNetConfiguration(backbone: .resnet18, classCount: 3, bandCount: 3),
            classes: (0..<3).map { ClassInfo(value: $0 + 1, name: "c\($0)", color: [0, 0, 0]) },
            bands: (0..<3).map { BandInfo(name: "b\($0)", mean: 50, std: 25) }, nodata: policy, chipSize: 32, chipOverlap: 8)
    }

    func testFillMissingBandsClassifiesPixelsThatOneBandMisses() throws {
        let input = try writeImage()
        let block = try RasterDataset(url: input).read()
        for policy in NodataPolicy.allCases {
            let description = model(policy)
            let output = folder.appendingPathComponent("\(policy.rawValue).tif")
            let summary = try ClassifyTool(description: description, classifier: PerPixelClassifier(classCount: 3)).run(
                input: input, output: output, options: ClassifyOptions(layout: .geoTIFF))
            let classes = try RasterDataset(url: output).readSamples(UInt8.self)
            var nodata = 0
            for pixel in 0..<(width * height) {
                if pixel / width == height - 1 || (policy == .maskedAsMean && dropout(pixel)) {
                    XCTAssertEqual(classes[pixel], 255, "\(policy) pixel \(pixel)")
                    nodata += 1
                    continue
                }
                // The per-pixel model's scores are the normalised bands; a missing band scores 0 (its mean).
                let scores = (0..<3).map { band -> Float in
                    band == 1 && dropout(pixel) ? 0 : (block.values[pixel * 3 + band] - 50) / 25
                }
                let best = scores.indices.max { scores[$0] < scores[$1] }!
                XCTAssertEqual(Int(classes[pixel]), best + 1, "\(policy) pixel \(pixel)")
            }
            XCTAssertEqual(summary.nodataPixels, nodata)
        }
    }

    func testTrainingScenesMarkMissingSamplesAndTheirStatisticsSkipThem() throws {
        let input = try writeImage()
        let labels = folder.appendingPathComponent("labels.tif")
        let writer = try RasterWriter(url: labels, width: width, height: height, dataType: .byte,
                                      geoTransform: GeoTransform(originX: 0, pixelWidth: 10, originY: 0, pixelHeight: -10),
                                      crs: try SpatialReference(epsg: 32630), nodata: 0)
        try writer.write((0..<(width * height)).map { UInt8($0 % 3 + 1) }, window: Window(width: width, height: height))
        try writer.finish()
        let mapping = ClassMapping(classes: (1...3).map { ClassInfo(value: $0, name: "c\($0)", color: [0, 0, 0]) })
        let strict = try LabelledScene.load(image: input, labels: labels, bands: nil, window: nil, mapping: mapping, ignoredValues: [])
        let filled = try LabelledScene.load(image: input, labels: labels, bands: nil, window: nil, mapping: mapping, ignoredValues: [], policy: .fillMissingBands)
        let pixel = 3  // a dropout pixel
        XCTAssertEqual(strict.labels[pixel], 255)
        XCTAssertEqual(filled.labels[pixel], UInt8(pixel % 3))
        XCTAssertTrue(filled.pixels[pixel * 3 + 1].isNaN)
        XCTAssertFalse(filled.pixels[pixel * 3].isNaN)
        // Band 2's statistics come from its valid samples only (no -1 and no NaN).
        let block = try RasterDataset(url: input).read()
        let valid = (0..<(width * (height - 1))).filter { !dropout($0) }.map { Double(block.values[$0 * 3 + 1]) }
        let mean = valid.reduce(0, +) / Double(valid.count)
        XCTAssertEqual(filled.bandStatistics()[1].mean, mean, accuracy: 1e-6)
        let sampler = ChipSampler(scene: filled, chipSize: 16, classCount: 3, bands: (0..<3).map { BandInfo(name: "b\($0)", mean: 50, std: 25) },
                                  augmentation: Augmentation(dihedral: false), rareClassFraction: 0)
        var generator = RandomGenerator(seed: 2)
        let images = sampler.batch(count: 8, generator: &generator).images.scalars
        XCTAssertFalse(images.contains { $0.isNaN }, "missing samples enter as 0, never NaN")
    }
}
