import Foundation
import XCTest
import GeoRaster

/// `landuse train` and `landuse evaluate` run as programs on a crop of the Raleigh scene (fetched by
/// `make test` into .build-data/raleigh).
final class TrainEvaluateCommandTests: XCTestCase {
    static let data = CLITestSupport.fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build-data/raleigh")

    func testTrainThenEvaluateThroughTheBinary() throws {
        let image = Self.data.appendingPathComponent("raleigh6.vrt"), labels = Self.data.appendingPathComponent("strata.tif")
        guard FileManager.default.fileExists(atPath: image.path) else {
            return XCTFail("\(image.path) is missing: run `make test`, which fetches the Raleigh scene")
        }
        let folder = try CLITestSupport.folder("train-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("m.safetensors")
        let train = try LandUseBinary.run([
            "train", "--image", image.path, "--labels", labels.path, "--output", model.path,
            "--train-window", "60,150,100,100", "--val-window", "170,150,64,64", "--backbone", "resnet18", "--width", "0.25",
            "--output-stride", "16", "--pyramid-sizes", "1,2", "--chip-size", "64", "--batch-size", "2", "--iterations", "6",
            "--val-every", "3", "--inference-chip-size", "64", "--storage", "F16", "--seed", "5", "--json", "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(summary["iterations"] as? Int, 6)
        XCTAssertTrue([3, 6].contains(summary["best_iteration"] as? Int ?? 0))
        XCTAssertTrue(FileManager.default.fileExists(atPath: model.path + ".checkpoint"))

        let evaluate = try LandUseBinary.run(["evaluate", "--model", model.path, "--image", image.path, "--labels", labels.path,
                                              "--window", "170,150,64,64", "--json", "--quiet"])
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as! [String: Any]
        let metrics = report["metrics"] as! [String: Any]
        // The model file keeps the weights of the best validation, on this very window.
        XCTAssertEqual(metrics["miou"] as! Double, summary["best_val_miou"] as! Double, accuracy: 1e-9)
        XCTAssertEqual(report["window"] as? [Int], [170, 150, 64, 64])
        let markdown = try LandUseBinary.run(["evaluate", "--model", model.path, "--image", image.path, "--labels", labels.path,
                                              "--window", "170,150,64,64", "--quiet"])
        XCTAssertTrue(markdown.stdout.contains("Confusion matrix (rows: reference, columns: predicted)"), markdown.stdout)

        let again = try LandUseBinary.run(["train", "--image", image.path, "--labels", labels.path, "--output", model.path,
                                           "--val-window", "170,150,64,64", "--iterations", "2"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("--overwrite"), again.stderr)
    }

    func testLabelsOffTheImageGridAreRefusedWithTheFix() throws {
        let folder = try CLITestSupport.folder("train-grid")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = CLITestSupport.fixtures.appendingPathComponent("L7_ETMs.tif")
        let labels = CLITestSupport.fixtures.appendingPathComponent("lc.tif")
        let result = try LandUseBinary.run(["train", "--image", image.path, "--labels", labels.path, "--output", folder.appendingPathComponent("m.safetensors").path,
                                            "--val-window", "0,0,50,50", "--iterations", "2"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("gdalwarp"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }
}
