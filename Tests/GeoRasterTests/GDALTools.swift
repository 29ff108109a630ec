import Foundation
import XCTest

/// GDAL's own command-line tools (gdal-bin), the reference the GeoRaster tests check against.
enum GDALTools {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }

    /// Runs a gdal-bin tool and returns its stdout; fails the test on a non-zero exit.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = "\(tool) \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))"
            XCTFail(message, file: file, line: line)
            throw NSError(domain: "GDALTools", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: message])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `gdalinfo -json` parsed into a dictionary.
    static func info(_ url: URL, _ extra: [String] = []) throws -> [String: Any] {
        let text = try run("gdalinfo", ["-json"] + extra + [url.path])
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    /// `gdallocationinfo -valonly` of one pixel, one value per band.
    static func pixel(_ url: URL, column: Int, row: Int, bands: [Int] = []) throws -> [Double] {
        let bandArguments = bands.flatMap { ["-b", "\($0)"] }
        let text = try run("gdallocationinfo", ["-valonly"] + bandArguments + [url.path, "\(column)", "\(row)"])
        return text.split(whereSeparator: \.isNewline).map { Double($0.trimmingCharacters(in: .whitespaces)) ?? .nan }
    }

    /// A fresh temporary folder, removed when the test ends.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("georaster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    /// WKT with all whitespace removed, to compare GDAL's multi-line WKT with LandUse's one-line WKT.
    static func compact(_ wkt: String) -> String {
        String(wkt.filter { !$0.isWhitespace })
    }
}

/// Element-wise |a - b| <= 1e-12 * max(1, |b|): tolerant only of the last printed digit.
func assertClose(_ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(a) vs \(b)", file: file, line: line)
    for (x, y) in zip(a, b) where abs(x - y) > 1e-12 * max(1, abs(y)) {
        XCTFail("\(a) is not close to \(b)", file: file, line: line)
        return
    }
}
