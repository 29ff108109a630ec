import Foundation
import XCTest
import GeoRaster

/// Samples/classify_folder.sh (shell over the CLI) and classify-folder (Swift over LandUseKit) on the same
/// folder give the same merged area table.
final class SamplePipelineTests: XCTestCase {
    func testShellScriptAndSwiftProgramAgree() throws {
        let folder = try CLITestSupport.folder("pipeline")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = folder.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let source = try RasterDataset(url: CLITestSupport.fixtures.appendingPathComponent("L7_ETMs.tif"))
        for (name, window) in [("north", Window(columnOffset: 0, rowOffset: 0, columnCount: 120, rowCount: 90)),
                               ("south", Window(columnOffset: 200, rowOffset: 250, columnCount: 100, rowCount: 100))] {
            let writer = try RasterWriter(url: inputs.appendingPathComponent("\(name).tif"), like: source.profile, window: window, bandCount: 6, dataType: .byte)
            try writer.write(try source.read(window: window).values.map { UInt8($0) }, window: Window(width: window.columnCount, height: window.rowCount))
            try writer.finish()
        }
        let model = folder.appendingPathComponent("random.safetensors")
        try CLITestSupport.randomModel(bands: 6, at: model)
        let root = CLITestSupport.fixtures.deletingLastPathComponent().deletingLastPathComponent()

        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = [root.appendingPathComponent("Samples/classify_folder.sh").path, model.path, inputs.path, folder.appendingPathComponent("shell").path]
        shell.environment = ProcessInfo.processInfo.environment.merging(["LANDUSE": LandUseBinary.url.path]) { $1 }
        shell.standardOutput = FileHandle.nullDevice
        try shell.run()
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0)

        let swift = try LandUseBinary.run(inDirectory: nil, executable: LandUseBinary.url.deletingLastPathComponent().appendingPathComponent("classify-folder"),
                                          [model.path, inputs.path, folder.appendingPathComponent("swift").path])
        XCTAssertEqual(swift.status, 0, swift.stderr)

        func table(_ subfolder: String) throws -> [String] {
            try String(contentsOf: folder.appendingPathComponent("\(subfolder)/areas.csv"), encoding: .utf8)
                .split(separator: "\n").map { line in line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)[1...].joined() }
        }
        let shellTable = try table("shell"), swiftTable = try table("swift")
        XCTAssertEqual(shellTable, swiftTable)
        XCTAssertEqual(shellTable.filter { $0.contains(",total,") }.count, 2, "one total row per raster")
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("shell/areas.csv"), encoding: .utf8).split(separator: "\n").first,
                       "raster,zone,row_type,value,name,pixels,area_m2,area_ha,fraction")
    }
}
