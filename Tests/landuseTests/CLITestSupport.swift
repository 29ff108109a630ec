import Foundation
import XCTest
import GeoRaster
import LandUseKit
import SegmentationModels

/// Files and tools the CLI tests share.
enum CLITestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A fresh temporary folder.
    static func folder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A model file with RANDOM weights (not a trained model): for testing the pipeline's structure only.
    static func randomModel(bands: Int, classes: Int = 4, at url: URL, chipSize: Int = 64, overlap: Int = 16, seed: UInt64 = 1) throws {
        let configuration = PSPNetConfiguration(backbone: .resnet18, outputStride: 16, pyramidSizes: [1, 2, 3, 6], decoder: .upsample,
                                                auxWeight: 0, classCount: classes, bandCount: bands)
        let model = PSPNet(configuration: configuration, seed: seed)
        let description = ModelDescription(
            architecture: configuration,
            classes: (0..<classes).map { ClassInfo(value: $0 + 1, name: ["water", "forest", "city", "crops", "bare", "grass"][$0 % 6], color: [50 * $0, 200 - 40 * $0, 90]) },
            bands: (0..<bands).map { BandInfo(name: "band \($0 + 1)", mean: 60, std: 30) },
            chipSize: chipSize, chipOverlap: overlap,
            provenance: Provenance(data: "random weights for tests (untrained)"))
        try ModelFile.write(model, description: description, to: url)
    }

    /// Runs a command-line tool (looked up on PATH) that must succeed and returns its standard output; fails
    /// the test (with the tool's stderr) and throws on a non-zero exit.
    @discardableResult
    static func checkedTool(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try LandUseBinary.run(inDirectory: nil, executable: URL(fileURLWithPath: "/usr/bin/env"), arguments)
        guard result.status == 0 else {
            let message = "\(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)"
            XCTFail(message, file: file, line: line)
            throw NSError(domain: "CLITestSupport", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: message])
        }
        return result.stdout
    }

    /// `gdalinfo -json` of a raster, parsed.
    static func gdalinfo(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try checkedTool(["gdalinfo", "-json", url.path]).utf8)) as! [String: Any]
    }
}
