import XCTest
import LandUseKit

final class VersionBannerTests: XCTestCase {
    func testBannerNamesAllLibraries() {
        let banner = LandUseVersion.banner
        for part in ["GDAL 3.", "PROJ 9.", "oneDNN 2."] {
            XCTAssertTrue(banner.contains(part), "\(part) missing from \(banner)")
        }
    }
}
