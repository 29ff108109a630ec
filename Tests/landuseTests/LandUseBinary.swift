import Foundation
import XCTest

/// The built `landuse` executable, found next to the test bundle in the build products folder.
enum LandUseBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var url: URL {
        var folder = Bundle.main.bundleURL
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            folder = bundle.bundleURL.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("landuse")
    }

    /// Runs `landuse` with `arguments`, waiting for it to exit.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
        try run(inDirectory: directory, executable: url, arguments)
    }

    /// Runs `executable` (another product of this package) with `arguments`, waiting for it to exit.
    static func run(inDirectory directory: URL?, executable: URL, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
