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

    func testWidthRoundTripsAndDefaultsToOneWhenAbsent() throws {
        let narrow = PSPNetConfiguration(backbone: .resnet18, decoder: .fpn, classCount: 7, bandCount: 6, width: 0.5)
        let data = try JSONEncoder().encode(narrow)
        XCTAssertEqual(try JSONDecoder().decode(PSPNetConfiguration.self, from: data), narrow)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["width"] as? Double, 0.5)
        // A file written before the width multiplier existed.
        let old = #"{"backbone":"resnet18","output_stride":8,"pyramid_sizes":[1,3,5,6],"decoder":"upsample","aux_weight":0.4,"class_count":3,"band_count":6}"#
        let decoded = try JSONDecoder().decode(PSPNetConfiguration.self, from: Data(old.utf8))
        XCTAssertEqual(decoded.width, 1)
        XCTAssertEqual(decoded, PSPNetConfiguration(backbone: .resnet18, classCount: 3, bandCount: 6))
    }

    func testWidthOutsideTheRangeIsAProblem() {
        for bad: Float in [0.1, 0, -0.5, 1.5, .nan] {
            let problems = PSPNetConfiguration(classCount: 7, bandCount: 6, width: bad).problems.joined(separator: "\n")
            XCTAssertTrue(problems.contains("width is") && problems.contains("e.g. 0.5"), "width \(bad): \(problems)")
        }
        for good: Float in [0.25, 0.5, 0.75, 1] {
            XCTAssertTrue(PSPNetConfiguration(classCount: 7, bandCount: 6, width: good).problems.isEmpty, "width \(good)")
        }
    }

    func testScaledChannelsRoundsHalfAwayFromZeroWithAFloorOfEight() {
        XCTAssertEqual([64, 128, 256, 512].map { PSPNetConfiguration.scaledChannels($0, width: 1) }, [64, 128, 256, 512])
        XCTAssertEqual([64, 128, 256, 512].map { PSPNetConfiguration.scaledChannels($0, width: 0.5) }, [32, 64, 128, 256])
        XCTAssertEqual(PSPNetConfiguration.scaledChannels(64, width: 0.3), 19)       // 19.2
        XCTAssertEqual(PSPNetConfiguration.scaledChannels(16, width: 0.53125), 9)    // 8.5 rounds up
        XCTAssertEqual(PSPNetConfiguration.scaledChannels(16, width: 0.25), 8)       // 4, raised to the floor
        XCTAssertEqual(PSPNetConfiguration(classCount: 2, bandCount: 1, width: 0.75).scaledChannels(512), 384)
    }

    func testBlockCountsFollowTorchvision() {
        XCTAssertEqual(Backbone.resnet18.blockCounts, [2, 2, 2, 2])
        XCTAssertEqual(Backbone.resnet50.blockCounts, [3, 4, 6, 3])
        XCTAssertEqual(Backbone.resnet101.blockCounts, [3, 4, 23, 3])
    }
}
