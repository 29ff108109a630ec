import Foundation
import XCTest
import SegmentationModels

final class PSPNetConfigurationTests: XCTestCase {
    func testRoundTripsThroughJSON() throws {
        let configuration = PSPNetConfiguration(
            backbone: .resnet18, outputStride: 16, pyramidSizes: [1, 2, 3, 6], decoder: .fpn,
            auxWeight: 0.3, classCount: 7, bandCount: 6)
        let data = try JSONEncoder().encode(configuration)
        let decoded = try JSONDecoder().decode(PSPNetConfiguration.self, from: data)
        XCTAssertEqual(decoded, configuration)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        XCTAssertEqual(object?["backbone"] as? String, "resnet18")
        XCTAssertEqual(object?["pyramid_sizes"] as? [Int], [1, 2, 3, 6])
        XCTAssertEqual(object?["decoder"] as? String, "fpn")
    }

    func testUnknownBackboneIsRefused() {
        let json = #"{"backbone":"resnet99","output_stride":8,"pyramid_sizes":[],"decoder":"upsample","aux_weight":0.4,"class_count":3,"band_count":6}"#
        XCTAssertThrowsError(try JSONDecoder().decode(PSPNetConfiguration.self, from: Data(json.utf8)))
    }

    func testProblemsNameTheFix() {
        let bad = PSPNetConfiguration(outputStride: 4, pyramidSizes: [0, 2, 2], classCount: 1, bandCount: 0)
        let problems = bad.problems.joined(separator: "\n")
        XCTAssertTrue(problems.contains("use 8 or 16"), problems)
        XCTAssertTrue(problems.contains("pyramid size 0"), problems)
        XCTAssertTrue(problems.contains("repeat"), problems)
        XCTAssertTrue(problems.contains("at least 2 classes"), problems)
        XCTAssertTrue(problems.contains("at least 1 input band"), problems)
        XCTAssertTrue(PSPNetConfiguration(classCount: 7, bandCount: 6).problems.isEmpty)
    }

    func testBlockCountsFollowTorchvision() {
        XCTAssertEqual(Backbone.resnet18.blockCounts, [2, 2, 2, 2])
        XCTAssertEqual(Backbone.resnet50.blockCounts, [3, 4, 6, 3])
        XCTAssertEqual(Backbone.resnet101.blockCounts, [3, 4, 23, 3])
    }
}
