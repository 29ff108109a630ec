import Foundation
import XCTest
import GeoRaster
import LandUseKit

/// `--precision` on `landuse classify`: bf16 runs where the CPU has AVX512-BF16 and otherwise is refused
/// with a message that names the fix; an unknown precision is a usage error.
final class PrecisionOptionTests: XCTestCase {
    func testBFloat16ClassifiesOrIsRefusedAndUnknownPrecisionIsAUsageError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precision-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("random.safetensors")
        try CLITestSupport.randomModel(bands: 6, at: model)
        let input = CLITestSupport.fixtures.appendingPathComponent("L7_ETMs.tif").path
        let output = folder.appendingPathComponent("bf16.tif").path
        let result = try LandUseBinary.run(["classify", input, "--model", model.path, "--output", output,
                                            "--precision", "bf16", "--format", "gtiff", "--quiet"])
        if ModelPrecision.bfloat16.isSupportedOnThisCPU {
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try RasterDataset(url: URL(fileURLWithPath: output)).profile.width, 349)
        } else {
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.stderr.contains("--precision f32"), result.stderr)
        }
        let unknown = try LandUseBinary.run(["classify", input, "--model", model.path, "--output", folder.appendingPathComponent("x.tif").path,
                                             "--precision", "f16", "--quiet"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.tif").path))
    }
}
