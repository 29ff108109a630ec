import Foundation
import XCTest
import GeoRaster
import LandUseKit
import SegmentationModels

final class EvaluateToolTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Image bands hold per-pixel class scores, labels a reference that agrees with them except in a known
    /// pattern; the confusion matrix is then computed here pixel by pixel and compared with the tool's.
    func testConfusionMatrixAndMetricsEqualADirectComputation() throws {
        let width = 90, height = 70
        let transform = GeoTransform(originX: 300000, pixelWidth: 20, originY: 5000000, pixelHeight: -20)
        let crs = try SpatialReference(epsg: 32631)
        var image = [Float](repeating: 0, count: width * height * 3)
        var labels = [UInt8](repeating: 0, count: width * height)
        var predicted = [Int](repeating: -1, count: width * height)
        for row in 0..<height {
            for column in 0..<width {
                let pixel = row * width + column
                let winner = (row / 10 + column / 15) % 3
                for k in 0..<3 { image[pixel * 3 + k] = k == winner ? 90 : 30 + Float(k) }
                predicted[pixel] = winner
                var truth = winner
                if (row * 7 + column * 3) % 11 == 0 { truth = (winner + 1) % 3 }
                labels[pixel] = UInt8([10, 20, 30][truth])
                if row == 3 { labels[pixel] = 0 }          // label nodata
                if row == 4 { labels[pixel] = 99 }         // ignored value
                if row == 5 && column < 10 {                // image nodata
                    for k in 0..<3 { image[pixel * 3 + k] = -1 }
                    predicted[pixel] = -1
                }
            }
        }
        let imageURL = folder.appendingPathComponent("image.tif"), labelsURL = folder.appendingPathComponent("labels.tif")
        let imageWriter = try RasterWriter(url: imageURL, width: width, height: height, bandCount: 3, dataType: .float32, geoTransform: transform, crs: crs, nodata: -1)
        try imageWriter.write(image, window: Window(width: width, height: height))
        try imageWriter.finish()
        let labelWriter = try RasterWriter(url: labelsURL, width: width, height: height, dataType: .byte, geoTransform: transform, crs: crs, nodata: 0)
        try labelWriter.write(labels, window: Window(width: width, height: height))
        try labelWriter.finish()

        let description = ModelDescription(
            architecture: PSPNetConfiguration(backbone: .resnet18, classCount: 3, bandCount: 3),
            classes: [ClassInfo(value: 10, name: "ten", color: [0, 0, 0]), ClassInfo(value: 20, name: "twenty", color: [0, 0, 0]), ClassInfo(value: 30, name: "thirty", color: [0, 0, 0])],
            bands: (0..<3).map { BandInfo(name: "b\($0)", mean: 50, std: 20) }, chipSize: 32, chipOverlap: 8)
        let window = Window(columnOffset: 10, rowOffset: 2, columnCount: 70, rowCount: 60)
        let report = try EvaluateTool(description: description, classifier: PerPixelClassifier(classCount: 3)).run(
            image: imageURL, labels: labelsURL, options: ClassifyOptions(window: window), ignoredValues: [99])

        var expected = ConfusionMatrix(classCount: 3)
        var labelled = 0, unpredicted = 0, ignored = 0
        for row in window.rows {
            for column in window.columns {
                let pixel = row * width + column
                guard labels[pixel] != 0 else { continue }
                guard labels[pixel] != 99 else { ignored += 1; continue }
                labelled += 1
                guard predicted[pixel] >= 0 else { unpredicted += 1; continue }
                expected.add(reference: Int(labels[pixel]) / 10 - 1, predicted: predicted[pixel])
            }
        }
        XCTAssertEqual(report.metrics.confusion, (0..<3).map { r in (0..<3).map { expected.count(reference: r, predicted: $0) } })
        XCTAssertEqual(report.metrics, SegmentationMetrics(matrix: expected, classes: description.classes))
        XCTAssertEqual(report.labelledPixels, labelled)
        XCTAssertEqual(report.unpredictedPixels, unpredicted)
        XCTAssertEqual(report.ignoredPixels, ignored)
        XCTAssertGreaterThan(report.metrics.overallAccuracy, 0.85)
        XCTAssertLessThan(report.metrics.overallAccuracy, 0.95)
        XCTAssertEqual(report.window, [10, 2, 70, 60])
    }
}
