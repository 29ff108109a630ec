import Foundation
import GeoRaster
import XCTest

final class RasterReadTests: XCTestCase {
    func testProfileOfL7MatchesGdalinfo() throws {
        let url = GDALTools.fixture("L7_ETMs.tif")
        let reference = try GDALTools.info(url)
        let profile = try RasterDataset.withOpened(url) { $0.profile }
        let size = reference["size"] as! [Int]
        XCTAssertEqual([profile.width, profile.height], size)
        XCTAssertEqual(profile.driver, "GTiff")
        let bands = reference["bands"] as! [[String: Any]]
        XCTAssertEqual(profile.bandCount, bands.count)
        for (info, band) in zip(profile.bands, bands) {
            XCTAssertEqual(info.dataType.rawValue, band["type"] as? String)
            XCTAssertEqual([info.blockWidth, info.blockHeight], band["block"] as? [Int])
            XCTAssertEqual(info.colorInterpretation, band["colorInterpretation"] as? String)
            XCTAssertNil(info.nodata)
            XCTAssertEqual(info.maskFlags, .allValid)
            XCTAssertEqual(info.overviewCount, (band["overviews"] as? [Any])?.count ?? 0)
        }
        // gdalinfo -json prints 17 significant digits through its own formatter, not shortest round-trip.
        assertClose(profile.geoTransform?.coefficients ?? [], reference["geoTransform"] as! [Double])
        let crs = try XCTUnwrap(profile.crs)
        XCTAssertEqual(crs.authorityCode, "EPSG:31985")
        XCTAssertEqual(crs.kind, .projected)
        XCTAssertEqual(crs.unitName, "metre")
        XCTAssertEqual(crs.metersPerUnit, 1)
        let referenceWKT = (reference["coordinateSystem"] as! [String: Any])["wkt"] as! String
        XCTAssertEqual(GDALTools.compact(crs.wkt), GDALTools.compact(referenceWKT))
    }

    func testPixelsOfL7MatchGdallocationinfo() throws {
        let url = GDALTools.fixture("L7_ETMs.tif")
        let window = Window(columnOffset: 100, rowOffset: 200, columnCount: 7, rowCount: 5)
        let block = try RasterDataset.withOpened(url) { try $0.read(window: window, bands: [4, 1, 6]) }
        XCTAssertEqual(block.values.count, 7 * 5 * 3)
        XCTAssertEqual(block.validCount, 35)
        for (row, column) in [(0, 0), (4, 6), (2, 3), (1, 5)] {
            let expected = try GDALTools.pixel(
                url, column: window.columnOffset + column, row: window.rowOffset + row, bands: [4, 1, 6])
            let got = (0..<3).map { Double(block[row: row, column: column, band: $0]) }
            XCTAssertEqual(got, expected, "pixel row \(row) column \(column)")
        }
    }

    func testWholeRasterMatchesGdalTranslate() throws {
        let url = GDALTools.fixture("lc.tif")
        let folder = try GDALTools.temporaryFolder(self)
        let raw = folder.appendingPathComponent("lc.raw")
        try GDALTools.run("gdal_translate", ["-q", "-of", "ENVI", "-ot", "Int32", url.path, raw.path])
        let data = try Data(contentsOf: raw)
        let expected = data.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        let dataset = try RasterDataset(url: url)
        XCTAssertEqual(try dataset.readSamples(Int32.self), expected)
        XCTAssertEqual(try dataset.read().values, expected.map(Float.init))
    }

    func testClassTablesOfLcFixture() throws {
        let profile = try RasterDataset.withOpened(GDALTools.fixture("lc.tif")) { $0.profile }
        let band = profile.bands[0]
        XCTAssertEqual(band.colorInterpretation, "Palette")
        XCTAssertEqual(band.description, "Layer_1")
        XCTAssertEqual(band.colorTable?.count, 256)
        XCTAssertEqual(band.colorTable?[11], RasterColor(red: 71, green: 107, blue: 161, alpha: 255))
        XCTAssertEqual(profile.crs?.kind, .projected)
        XCTAssertNil(profile.crs?.authorityCode)
    }

    func testNaNPixelOfNaFixtureIsInvalid() throws {
        let url = GDALTools.fixture("na.tif")
        let block = try RasterDataset.withOpened(url) { try $0.read() }
        XCTAssertEqual(block.validCount, 99)
        XCTAssertFalse(block.isValid(row: 0, column: 0))
        XCTAssertTrue(block[row: 0, column: 0, band: 0].isNaN)
        let expected = try GDALTools.pixel(url, column: 3, row: 7)
        XCTAssertEqual(Double(block[row: 7, column: 3, band: 0]), expected[0], accuracy: 1e-6)
        let crs = try RasterDataset.withOpened(url) { $0.profile.crs }
        XCTAssertEqual(crs?.kind, .geographic)
        XCTAssertEqual(crs?.authorityCode, "EPSG:4326")
        XCTAssertNil(crs?.metersPerUnit)
    }
}
