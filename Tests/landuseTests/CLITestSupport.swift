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

    /// Runs a command-line tool and returns its exit status and standard output.
    @discardableResult
    static func tool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func gdalinfo(_ url: URL) throws -> [String: Any] {
        let result = try tool(["gdalinfo", "-json", url.path])
        guard result.status == 0 else { throw NSError(domain: "gdalinfo", code: Int(result.status)) }
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as! [String: Any]
    }
}
