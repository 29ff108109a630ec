import Foundation
import GeoRaster
import XCTest

/// User and data errors throw a GeoRasterError whose message says what to do; nothing crashes.
final class ErrorTests: XCTestCase {
    private func error(_ body: () throws -> Void) -> GeoRasterError? {
        do {
            try body()
        } catch let error as GeoRasterError {
            return error
        } catch {
            XCTFail("expected a GeoRasterError, got \(error)")
        }
        return nil
    }

    func testMissingFile() {
        let error = error { _ = try RasterDataset(url: URL(fileURLWithPath: "/no/such/scene.tif")) }
        XCTAssertEqual(error?.kind, .fileNotFound)
        XCTAssertTrue(error?.description.contains("/no/such/scene.tif") ?? false)
        XCTAssertTrue(error?.description.contains("check the path") ?? false)
    }

    func testTextFileIsNotARasterAndCarriesGDALsMessage() throws {
        let url = try GDALTools.temporaryFolder(self).appendingPathComponent("notes.txt")
        try Data("these are not pixels\n".utf8).write(to: url)
        let error = error { _ = try RasterDataset(url: url) }
        XCTAssertEqual(error?.kind, .notARaster)
        XCTAssertTrue(error?.description.contains("gdalinfo --formats") ?? false, "\(String(describing: error))")
        XCTAssertNotNil(error?.libraryMessage, "GDAL's own message should be carried")
        XCTAssertTrue(error?.libraryMessage?.contains("not recognized as a supported file format") ?? false,
                      String(describing: error?.libraryMessage))
    }

    func testRotatedGeoTransformIsRefused() {
        let error = error { _ = try RasterDataset(url: GDALTools.fixture("geomatrix.tif")) }
        XCTAssertEqual(error?.kind, .unsupportedGeoTransform)
        XCTAssertTrue(error?.description.contains("gdalwarp") ?? false)
    }

    func testBadWindowsAndBands() throws {
        let dataset = try RasterDataset(url: GDALTools.fixture("L7_ETMs.tif"))
        let outside = error { _ = try dataset.read(window: Window(columnOffset: 300, rowOffset: 0, columnCount: 50, rowCount: 2)) }
        XCTAssertEqual(outside?.kind, .badWindow)
        XCTAssertTrue(outside?.description.contains("columns 0..<349") ?? false, "\(String(describing: outside))")
        let negative = error { _ = try dataset.read(window: Window(columnOffset: 0, rowOffset: -1, columnCount: 5, rowCount: 2)) }
        XCTAssertEqual(negative?.kind, .badWindow)
        let empty = error { _ = try dataset.readSamples(UInt8.self, window: Window(columnOffset: 0, rowOffset: 0, columnCount: 0, rowCount: 2)) }
        XCTAssertEqual(empty?.kind, .badWindow)
        let band = error { _ = try dataset.read(bands: [1, 7]) }
        XCTAssertEqual(band?.kind, .badBands)
        XCTAssertTrue(band?.description.contains("1...6") ?? false)
    }

    func testUnsupportedTypeIsRefused() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let url = folder.appendingPathComponent("complex.tif")
        try GDALTools.run("gdal_create", ["-q", "-outsize", "2", "2", "-ot", "CFloat32", url.path])
        let dataset = try RasterDataset(url: url)
        let error = error { _ = try dataset.read() }
        XCTAssertEqual(error?.kind, .unsupportedDataType)
        XCTAssertTrue(error?.description.contains("gdal_translate -ot Float32") ?? false)
    }
}
