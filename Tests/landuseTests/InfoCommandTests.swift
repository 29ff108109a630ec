import Foundation
import XCTest

/// `landuse info` against `gdalinfo -json`, both run as programs.
final class InfoCommandTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    private func landuseInfo(_ url: URL) throws -> [String: Any] {
        let result = try LandUseBinary.run(["info", url.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    private func compact(_ text: String) -> String { String(text.filter { !$0.isWhitespace }) }

    func testJSONAgreesWithGdalinfo() throws {
        for name in ["L7_ETMs.tif", "lc.tif", "na.tif"] {
            let url = fixtures.appendingPathComponent(name)
            let ours = try landuseInfo(url)
            let theirs = try CLITestSupport.gdalinfo(url)
            XCTAssertEqual([ours["width"] as! Int, ours["height"] as! Int], theirs["size"] as! [Int], name)
            let ourBands = ours["bands"] as! [[String: Any]]
            let theirBands = theirs["bands"] as! [[String: Any]]
            XCTAssertEqual(ours["bandCount"] as? Int, theirBands.count, name)
            XCTAssertEqual(ourBands.count, theirBands.count, name)
            for (our, their) in zip(ourBands, theirBands) {
                XCTAssertEqual(our["band"] as? Int, their["band"] as? Int)
                XCTAssertEqual(our["dataType"] as? String, their["type"] as? String, name)
                XCTAssertEqual(our["block"] as? [Int], their["block"] as? [Int], name)
                XCTAssertEqual(our["colorInterpretation"] as? String, their["colorInterpretation"] as? String, name)
                XCTAssertEqual(our["nodata"] as? Double, their["noDataValue"] as? Double, name)
            }
            let ourTransform = ours["geoTransform"] as! [Double]
            let theirTransform = theirs["geoTransform"] as! [Double]
            for (a, b) in zip(ourTransform, theirTransform) {
                XCTAssertEqual(a, b, accuracy: 1e-12 * max(1, abs(b)), name)
            }
            let ourCRS = ours["crs"] as! [String: Any]
            let theirCRS = theirs["coordinateSystem"] as! [String: Any]
            XCTAssertEqual(compact(ourCRS["wkt"] as! String), compact(theirCRS["wkt"] as! String), name)
        }
    }

    func testNodataOfGeneratedRaster() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("info-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("nodata.tif")
        try CLITestSupport.checkedTool([
            "gdal_translate", "-q", "-ot", "Int16", "-a_nodata", "-32768", "-b", "1", "-b", "2",
            fixtures.appendingPathComponent("L7_ETMs.tif").path, url.path,
        ])
        let ours = try landuseInfo(url)
        let bands = ours["bands"] as! [[String: Any]]
        XCTAssertEqual(bands.map { $0["nodata"] as? Double }, [-32768, -32768])
        XCTAssertEqual(bands.map { $0["dataType"] as? String }, ["Int16", "Int16"])
        XCTAssertEqual(bands.map { $0["mask"] as? [String] }, [["NODATA"], ["NODATA"]])
    }

    func testReadableSummary() throws {
        let result = try LandUseBinary.run(["info", fixtures.appendingPathComponent("L7_ETMs.tif").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("349 x 352 pixels, 6 bands"), result.stdout)
        XCTAssertTrue(result.stdout.contains("SIRGAS 2000 / UTM zone 25S (EPSG:31985), projected"), result.stdout)
        XCTAssertTrue(result.stdout.contains("band 6      Byte"), result.stdout)
    }

    func testErrorsExitNonZeroWithTheMessageOnStderr() throws {
        let missing = try LandUseBinary.run(["info", "/no/such/file.tif"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no file at /no/such/file.tif"), missing.stderr)
        XCTAssertEqual(missing.stdout, "")

        let rotated = try LandUseBinary.run(["info", fixtures.appendingPathComponent("geomatrix.tif").path, "--json"])
        XCTAssertNotEqual(rotated.status, 0)
        XCTAssertTrue(rotated.stderr.contains("rotated or sheared geotransform"), rotated.stderr)

        let text = try LandUseBinary.run(["info", fixtures.appendingPathComponent("README.md").path])
        XCTAssertNotEqual(text.status, 0)
        XCTAssertTrue(text.stderr.contains("is not a raster GDAL can read"), text.stderr)
    }
}
