import Foundation
import XCTest
import GeoRaster
import LandUseKit
import TensorCore

final class TrainingDataTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("training-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    let transform = GeoTransform(originX: 600000, pixelWidth: 30, originY: 4000000, pixelHeight: -30)

    /// 2-band image whose band 1 is 10 x the label value (band 2: row number), and a label raster with
    /// classes 1, 2, 3 (class 3 only in a 4 x 4 corner), nodata 0 in the first row and value 9 in the last.
    private func writeScene(width: Int = 60, height: Int = 40, labelTransform: GeoTransform? = nil) throws -> (URL, URL) {
        let image = folder.appendingPathComponent("image-\(UUID().uuidString).tif")
        let labels = folder.appendingPathComponent("labels-\(UUID().uuidString).tif")
        let crs = try SpatialReference(epsg: 32617)
        var labelValues = [UInt8](repeating: 0, count: width * height)
        var imageValues = [Float](repeating: 0, count: width * height * 2)
        for row in 0..<height {
            for column in 0..<width {
                var label: UInt8 = column < width / 2 ? 1 : 2
                if row >= height - 4 && column >= width - 4 { label = 3 }
                if row == 0 { label = 0 }
                if row == height - 1 { label = 9 }
                labelValues[row * width + column] = label
                imageValues[(row * width + column) * 2] = 10 * Float(label)
                imageValues[(row * width + column) * 2 + 1] = Float(row)
            }
        }
        imageValues[(5 * width + 5) * 2] = -1  // one invalid image pixel
        let imageWriter = try RasterWriter(url: image, width: width, height: height, bandCount: 2, dataType: .float32, geoTransform: transform, crs: crs, nodata: -1)
        try imageWriter.write(imageValues, window: Window(width: width, height: height))
        try imageWriter.finish()
        let labelWriter = try RasterWriter(url: labels, width: width, height: height, dataType: .byte, geoTransform: labelTransform ?? transform, crs: crs, nodata: 0)
        try labelWriter.write(labelValues, window: Window(width: width, height: height))
        try labelWriter.finish()
        return (image, labels)
    }

    private let mapping = ClassMapping(classes: [
        ClassInfo(value: 1, name: "one", color: [1, 1, 1]), ClassInfo(value: 2, name: "two", color: [2, 2, 2]), ClassInfo(value: 3, name: "three", color: [3, 3, 3]),
    ])

    func testLabelsMapToIndicesAndNodataIgnoredAndInvalidPixelsAreIgnored() throws {
        let (image, labels) = try writeScene()
        XCTAssertEqual(try LabelledScene.labelValues(labels: labels, window: nil, ignoredValues: [9]), [1, 2, 3])
        let scene = try LabelledScene.load(image: image, labels: labels, bands: nil, window: nil, mapping: mapping, ignoredValues: [9])
        XCTAssertEqual(scene.labels[0], 255, "label nodata")
        XCTAssertEqual(scene.labels[39 * 60], 255, "ignored value 9")
        XCTAssertEqual(scene.labels[5 * 60 + 5], 255, "invalid image pixel")
        XCTAssertEqual(scene.labels[1 * 60 + 0], 0)
        XCTAssertEqual(scene.labels[1 * 60 + 59], 1)
        XCTAssertEqual(scene.labels[38 * 60 + 59], 2)
        XCTAssertEqual(scene.classCounts(classCount: 3), [30 * 38 - 1, 30 * 38 - 12, 12])
        let statistics = scene.bandStatistics()
        XCTAssertEqual(statistics[1].mean, (0..<40).map { Double($0) }.reduce(0, +) / 40, accuracy: 0.05)
    }

    func testUnknownLabelValueAndGridMismatchSayTheFix() throws {
        let (image, labels) = try writeScene()
        XCTAssertThrowsError(try LabelledScene.load(image: image, labels: labels, bands: nil, window: nil, mapping: mapping, ignoredValues: [])) { error in
            XCTAssertTrue("\(error)".contains("--ignore-value 9"), "\(error)")
        }
        var shifted = transform
        shifted.originX += 15
        let (image2, labels2) = try writeScene(labelTransform: shifted)
        XCTAssertThrowsError(try LabelledScene.load(image: image2, labels: labels2, bands: nil, window: nil, mapping: mapping, ignoredValues: [9])) { error in
            XCTAssertTrue("\(error)".contains("gdalwarp -t_srs EPSG:32617 -te 600000.0 3998800.0 601800.0 4000000.0 -ts 60 40 -r near"), "\(error)")
        }
    }

    func testChipsKeepImageAndLabelsAlignedUnderDihedralTransforms() throws {
        let (image, labels) = try writeScene()
        let scene = try LabelledScene.load(image: image, labels: labels, bands: nil, window: Window(columnOffset: 3, rowOffset: 2, columnCount: 50, rowCount: 36), mapping: mapping, ignoredValues: [9])
        let bands = [BandInfo(name: "a", mean: 5, std: 2), BandInfo(name: "b", mean: 0, std: 1)]
        let sampler = ChipSampler(scene: scene, chipSize: 16, classCount: 3, bands: bands, augmentation: Augmentation(dihedral: true), rareClassFraction: 0.5)
        var generator = RandomGenerator(seed: 7)
        let (images, labelTensor) = sampler.batch(count: 12, generator: &generator)
        XCTAssertEqual(images.shape, [12, 16, 16, 2])
        var labelled = 0
        for pixel in 0..<(12 * 16 * 16) {
            let label = labelTensor[flat: pixel]
            guard label != 255 else { continue }
            labelled += 1
            XCTAssertEqual(images[flat: pixel * 2] * 2 + 5, 10 * (label + 1), accuracy: 1e-4, "chip pixel \(pixel)")
        }
        XCTAssertGreaterThan(labelled, 12 * 16 * 16 / 2)
        var again = RandomGenerator(seed: 7)
        XCTAssertEqual(sampler.batch(count: 12, generator: &again).images.scalars, images.scalars, "deterministic for a seed")
    }

    func testSoftTargetsFollowTheLabelsPixelAndDrawsStayTheSame() throws {
        let (image, labels) = try writeScene()
        let scene = try LabelledScene.load(image: image, labels: labels, bands: nil, window: Window(columnOffset: 3, rowOffset: 2, columnCount: 50, rowCount: 36), mapping: mapping, ignoredValues: [9])
        let bands = [BandInfo(name: "a", mean: 5, std: 2), BandInfo(name: "b", mean: 0, std: 1)]
        var sampler = ChipSampler(scene: scene, chipSize: 16, classCount: 3, bands: bands,
                                  augmentation: Augmentation(dihedral: true, scaleRange: 0.7...1.4), rareClassFraction: 0.5)
        var generator = RandomGenerator(seed: 9)
        let plain = sampler.batch(count: 6, generator: &generator)
        // Targets: 0.7 on the pixel's own class and 0.3 on the next, zeros where the pixel has no label.
        var targets = [Float](repeating: 0, count: scene.labels.count * 3)
        for (pixel, label) in scene.labels.enumerated() where Int(label) < 3 {
            targets[pixel * 3 + Int(label)] = 0.7
            targets[pixel * 3 + (Int(label) + 1) % 3] = 0.3
        }
        sampler.softTargets = targets
        generator = RandomGenerator(seed: 9)
        let (images, labelTensor, soft) = sampler.batchWithTargets(count: 6, generator: &generator)
        XCTAssertEqual(images.scalars, plain.images.scalars, "targets do not change the random draws")
        XCTAssertEqual(labelTensor.scalars, plain.labels.scalars)
        let targetTensor = try XCTUnwrap(soft)
        XCTAssertEqual(targetTensor.shape, [6, 16, 16, 3])
        var labelled = 0
        for pixel in 0..<(6 * 16 * 16) {
            let row = (0..<3).map { targetTensor[flat: pixel * 3 + $0] }
            let label = labelTensor[flat: pixel]
            if label == 255 {
                XCTAssertEqual(row, [0, 0, 0], "chip pixel \(pixel) has no label")
            } else {
                labelled += 1
                XCTAssertEqual(row[Int(label)], 0.7, "chip pixel \(pixel)")
                XCTAssertEqual(row[(Int(label) + 1) % 3], 0.3, "chip pixel \(pixel)")
            }
        }
        XCTAssertGreaterThan(labelled, 6 * 16 * 16 / 2)
    }

    func testRareClassOversamplingShowsTheRareClassMoreOften() throws {
        let (image, labels) = try writeScene()
        let scene = try LabelledScene.load(image: image, labels: labels, bands: nil, window: nil, mapping: mapping, ignoredValues: [9])
        let bands = [BandInfo(name: "a", mean: 0, std: 1), BandInfo(name: "b", mean: 0, std: 1)]
        func rareShare(_ fraction: Float) -> Double {
            let sampler = ChipSampler(scene: scene, chipSize: 8, classCount: 3, bands: bands, augmentation: Augmentation(dihedral: false), rareClassFraction: fraction)
            var generator = RandomGenerator(seed: 1)
            let labels = sampler.batch(count: 400, generator: &generator).labels.scalars
            return Double(labels.filter { $0 == 2 }.count) / Double(labels.filter { $0 != 255 }.count)
        }
        let uniform = rareShare(0), oversampled = rareShare(1)
        XCTAssertLessThan(uniform, 0.02)
        XCTAssertGreaterThan(oversampled, 3 * uniform, "uniform \(uniform), oversampled \(oversampled)")
    }

    func testScaleAugmentationZoomsAroundTheSameContent() throws {
        let (image, labels) = try writeScene()
        let scene = try LabelledScene.load(image: image, labels: labels, bands: nil, window: nil, mapping: mapping, ignoredValues: [9])
        let bands = [BandInfo(name: "a", mean: 0, std: 1), BandInfo(name: "b", mean: 0, std: 1)]
        let sampler = ChipSampler(scene: scene, chipSize: 16, classCount: 3, bands: bands, augmentation: Augmentation(dihedral: false, scaleRange: 2...2), rareClassFraction: 0)
        var generator = RandomGenerator(seed: 3)
        let (images, _) = sampler.batch(count: 4, generator: &generator)
        // Band 2 is the row number: zoomed 2x, it advances half a row per chip row.
        for chip in 0..<4 {
            let first = images[flat: ((chip * 16 + 4) * 16 + 8) * 2 + 1], second = images[flat: ((chip * 16 + 6) * 16 + 8) * 2 + 1]
            XCTAssertEqual(second - first, 1, accuracy: 1e-4)
        }
    }
}
