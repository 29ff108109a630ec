import Foundation
import XCTest
import GeoRaster

/// The committed sample model: its recorded test figures on the east third of the Raleigh scene are
/// reproduced by `landuse evaluate`, and it beats the baselines of ../shared/DATA.md.
final class SampleModelTests: XCTestCase {
    static let root = CLITestSupport.fixtures.deletingLastPathComponent().deletingLastPathComponent()
    static let model = root.appendingPathComponent("Samples/landuse-raleigh.safetensors")
    static let data = root.appendingPathComponent(".build-data/raleigh")

    func testEastThirdFiguresAreReproducedAndBeatTheBaselines() throws {
        let image = Self.data.appendingPathComponent("raleigh6.vrt")
        guard FileManager.default.fileExists(atPath: image.path) else {
            return XCTFail("\(image.path) is missing: run `make test`, which fetches the Raleigh scene")
        }
        let info = try LandUseBinary.run(["info", Self.model.path, "--json"])
        XCTAssertEqual(info.status, 0, info.stderr)
        let description = (try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any])["description"] as! [String: Any]
        let recorded = (description["provenance"] as! [String: Any])["metrics"] as! [String: Double]
        let result = try LandUseBinary.run(["evaluate", "--model", Self.model.path, "--image", image.path,
                                            "--labels", Self.data.appendingPathComponent("strata.tif").path,
                                            "--window", "326,0,163,443", "--json", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let metrics = (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any])["metrics"] as! [String: Any]
        let accuracy = metrics["overall_accuracy"] as! Double, miou = metrics["miou"] as! Double, kappa = metrics["kappa"] as! Double
        print("sample model on the east third: OA \(accuracy), mIoU \(miou), kappa \(kappa)")
        XCTAssertEqual(accuracy, recorded["east_third_overall_accuracy"] ?? -1, accuracy: 1e-9)
        XCTAssertEqual(miou, recorded["east_third_miou"] ?? -1, accuracy: 1e-9)
        XCTAssertEqual(kappa, recorded["east_third_kappa"] ?? -1, accuracy: 1e-9)
        XCTAssertEqual(metrics["miou_classes"] as? [Int], [1, 3, 4, 5, 6, 7])
        // Random Forest 0.564 / 0.211; PyTorch PSPNet-ResNet-18 0.61 / 0.24 (DATA.md and the training issue).
        XCTAssertGreaterThan(accuracy, 0.61)
        XCTAssertGreaterThan(miou, 0.24)
        let size = try FileManager.default.attributesOfItem(atPath: Self.model.path)[.size] as! Int
        XCTAssertLessThanOrEqual(size, 25 * 1024 * 1024)
    }
    /// The seam criterion of the classify issue with the fixed sample model on the real Raleigh scene: the
    /// share of valid pixels on which class rasters made with chips of 256 (overlap 64) and of 512 (overlap 128)
    /// agree must be at least 99%. With `--tta d4` (both runs; the best-scoring setting on the east third too)
    /// the sample model agrees on 99.12%; without test-time augmentation on 98.55% (the stage-1 model alone
    /// 93.87%; docs/sample-model.md), which this guards at 98.5%. (The Olinda sample scene's figures are
    /// printed too.)
    func testChipGridsAgreeOnTheRealScene() throws {
        let image = Self.data.appendingPathComponent("raleigh6.vrt")
        guard FileManager.default.fileExists(atPath: image.path) else {
            return XCTFail("\(image.path) is missing: run `make test`, which fetches the Raleigh scene")
        }
        let folder = try CLITestSupport.folder("seams")
        defer { try? FileManager.default.removeItem(at: folder) }
        func agreement(_ input: URL, _ name: String, tta: String) throws -> (Double, Int) {
            var rasters: [[UInt8]] = []
            for (chip, overlap) in [(256, 64), (512, 128)] {
                let output = folder.appendingPathComponent("\(name)-\(tta)-\(chip).tif")
                let result = try LandUseBinary.run(["classify", input.path, "--model", Self.model.path, "--output", output.path,
                                                    "--chip-size", "\(chip)", "--overlap", "\(overlap)", "--tta", tta,
                                                    "--format", "gtiff", "--quiet"])
                XCTAssertEqual(result.status, 0, result.stderr)
                rasters.append(try RasterDataset(url: output).readSamples(UInt8.self))
            }
            let valid = zip(rasters[0], rasters[1]).filter { $0.0 != 255 && $0.1 != 255 }
            XCTAssertEqual(valid.count, rasters[0].filter { $0 != 255 }.count, "both grids leave the same pixels nodata")
            return (Double(valid.filter { $0.0 == $0.1 }.count) / Double(valid.count), valid.count)
        }
        let olindaImage = CLITestSupport.fixtures.appendingPathComponent("L7_ETMs.tif")
        var raleigh: [String: Double] = [:]
        for tta in ["none", "d4"] {
            let (agreed, pixels) = try agreement(image, "raleigh", tta: tta)
            let (olinda, _) = try agreement(olindaImage, "olinda", tta: tta)
            raleigh[tta] = agreed
            print("seams (--tta \(tta)): sample model, chips 256/64 and 512/128 agree on \(String(format: "%.2f", agreed * 100))% of \(pixels) valid pixels of the Raleigh scene (Olinda: \(String(format: "%.2f", olinda * 100))%)")
        }
        XCTAssertGreaterThanOrEqual(raleigh["d4"] ?? 0, 0.99)
        XCTAssertGreaterThanOrEqual(raleigh["none"] ?? 0, 0.985)
    }
}
