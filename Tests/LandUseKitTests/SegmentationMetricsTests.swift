import Foundation
import XCTest
import LandUseKit

final class SegmentationMetricsTests: XCTestCase {
    /// Reference/prediction pairs worked out by hand:
    ///            predicted a  b  c
    ///   ref a             5  1  0
    ///   ref b             2  3  1
    ///   ref c             0  0  0      (c absent from the reference, predicted once)
    func testFiguresMatchAHandComputation() throws {
        var matrix = ConfusionMatrix(classCount: 3)
        matrix.add(reference: 0, predicted: 0, count: 5)
        matrix.add(reference: 0, predicted: 1)
        matrix.add(reference: 1, predicted: 0, count: 2)
        matrix.add(reference: 1, predicted: 1, count: 3)
        matrix.add(reference: 1, predicted: 2)
        let classes = [ClassInfo(value: 1, name: "a", color: [0, 0, 0]), ClassInfo(value: 2, name: "b", color: [0, 0, 0]), ClassInfo(value: 7, name: "c", color: [0, 0, 0])]
        let metrics = SegmentationMetrics(matrix: matrix, classes: classes)
        XCTAssertEqual(metrics.evaluatedPixels, 12)
        XCTAssertEqual(metrics.overallAccuracy, 8.0 / 12, accuracy: 1e-12)
        XCTAssertEqual(metrics.classes[0].precision!, 5.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(metrics.classes[0].recall!, 5.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(metrics.classes[0].f1!, 2 * (5.0 / 7) * (5.0 / 6) / (5.0 / 7 + 5.0 / 6), accuracy: 1e-12)
        XCTAssertEqual(metrics.classes[0].iou!, 5.0 / 8, accuracy: 1e-12)
        XCTAssertEqual(metrics.classes[1].iou!, 3.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(metrics.classes[2].iou!, 0)
        XCTAssertNil(metrics.classes[2].recall)
        XCTAssertEqual(metrics.meanIoU, (5.0 / 8 + 3.0 / 7) / 2, accuracy: 1e-12, "mIoU over classes present in the reference")
        XCTAssertEqual(metrics.meanIoUClasses, [1, 2])
        // kappa: p_o = 8/12, p_e = (6*7 + 6*4 + 0*1) / 144
        let expected = (6.0 * 7 + 6.0 * 4) / 144
        XCTAssertEqual(metrics.kappa, (8.0 / 12 - expected) / (1 - expected), accuracy: 1e-12)
        XCTAssertEqual(metrics.confusion, [[5, 1, 0], [2, 3, 1], [0, 0, 0]])
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(metrics)) as? [String: Any]
        XCTAssertEqual(Set(json?.keys.map { $0 } ?? []), ["classes", "overall_accuracy", "miou", "miou_classes", "kappa", "evaluated_pixels", "confusion"])
        let markdown = metrics.markdown()
        XCTAssertTrue(markdown.contains("| a | 5 | 1 | 0 |"), markdown)
        XCTAssertTrue(markdown.contains("| overall accuracy | 0.6667 |"), markdown)
    }
}
