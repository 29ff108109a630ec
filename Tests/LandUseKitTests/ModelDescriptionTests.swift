import Foundation
import XCTest
import LandUseKit
import SegmentationModels

final class ModelDescriptionTests: XCTestCase {
    private func sample() -> ModelDescription {
        ModelDescription(
            architecture: PSPNetConfiguration(backbone: .resnet18, classCount: 2, bandCount: 2),
            classes: [ClassInfo(value: 1, name: "developed", color: [255, 0, 0]), ClassInfo(value: 5, name: "forest", color: [0, 128, 0])],
            bands: [BandInfo(name: "blue", mean: 80, std: 12), BandInfo(name: "nir", mean: 60, std: 20)],
            provenance: Provenance(data: "test", iterations: 10, metrics: ["val_miou": 0.5]))
    }

    func testRoundTripsThroughJSONWithDocumentedKeys() throws {
        let description = sample()
        let data = try JSONEncoder().encode(description)
        XCTAssertEqual(try JSONDecoder().decode(ModelDescription.self, from: data), description)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["format_version", "architecture", "classes", "bands", "nodata", "chip_size", "chip_overlap", "provenance"])
        XCTAssertEqual(object["nodata"] as? String, "masked_as_mean")
        XCTAssertTrue(description.problems.isEmpty, description.problems.joined(separator: "; "))
        XCTAssertEqual(description.nodataClassValue, 255)
    }

    func testInconsistentDescriptionsNameTheFix() {
        var description = sample()
        description.classes.append(ClassInfo(value: 5, name: "again", color: [0, 0, 0]))
        description.bands[1].std = 0
        description.chipOverlap = 200
        description.formatVersion = 99
        let problems = description.problems.joined(separator: "\n")
        for expected in ["3 classes but the network has 2", "repeat", "std must be a positive", "overlap below half", "upgrade landuse"] {
            XCTAssertTrue(problems.contains(expected), "missing \"\(expected)\" in:\n\(problems)")
        }
    }

    func testClassValuesAbove254NeedUInt16Nodata() {
        var description = sample()
        description.classes[1].value = 300
        XCTAssertEqual(description.nodataClassValue, 65535)
    }
}
