import XCTest
import GeoRaster

final class VersionTests: XCTestCase {
    func testLoadsGDAL3AndPROJ9() {
        XCTAssertTrue(GeoLibraryVersions.gdal.hasPrefix("3."), GeoLibraryVersions.gdal)
        XCTAssertTrue(GeoLibraryVersions.proj.hasPrefix("9."), GeoLibraryVersions.proj)
    }
}
