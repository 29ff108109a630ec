import Foundation
import XCTest

final class ModelInfoCommandTests: XCTestCase {
    func testDescribesAModelFileAndRefusesMalformedOnes() throws {
        let folder = try CLITestSupport.folder("model-info")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("random.safetensors")
        try CLITestSupport.randomModel(bands: 6, classes: 4, at: model)
        let text = try LandUseBinary.run(["info", model.path])
        XCTAssertEqual(text.status, 0, text.stderr)
        for expected in ["PSPNet, resnet18, output stride 16", "band 6: mean 60.0, std 30.0", "2: forest, #", "random weights for tests"] {
            XCTAssertTrue(text.stdout.contains(expected), "missing \"\(expected)\" in\n\(text.stdout)")
        }
        let json = try LandUseBinary.run(["info", model.path, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(object["kind"] as? String, "model")
        let description = object["description"] as! [String: Any]
        XCTAssertEqual((description["architecture"] as? [String: Any])?["backbone"] as? String, "resnet18")
        XCTAssertEqual((description["classes"] as? [[String: Any]])?.count, 4)
        XCTAssertGreaterThan(object["parameter_count"] as? Int ?? 0, 10_000_000)

        var truncated = try Data(contentsOf: model)
        truncated.removeLast(1000)
        let cut = folder.appendingPathComponent("cut.safetensors")
        try truncated.write(to: cut)
        let refused = try LandUseBinary.run(["info", cut.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("cut.safetensors"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("Fatal error"), refused.stderr)
    }
}
