import XCTest
import Foundation

/// Runs the built `landuse` binary the way a user or a pipeline script does.
final class CLIVersionTests: XCTestCase {
    func testVersionFlag() throws {
        let result = try LandUseBinary.run(["--version"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("landuse "), result.stdout)
    }
}
