import Foundation
import GeoRaster
import XCTest

/// Class rasters written by LandUse, read back with `gdalinfo -json`.
final class RasterWriterTests: XCTestCase {
    private let classes = [
        RasterClass(value: 1, name: "developed", color: RasterColor(red: 230, green: 0, blue: 0)),
        RasterClass(value: 3, name: "herbaceous", color: RasterColor(red: 200, green: 220, blue: 90)),
        RasterClass(value: 5, name: "forest", color: RasterColor(red: 20, green: 120, blue: 30, alpha: 200)),
        RasterClass(value: 6, name: "water", color: RasterColor(red: 40, green: 80, blue: 220)),
    ]

    private func classValue(row: Int, column: Int) -> UInt16 { [0, 1, 3, 5, 6][(row / 40 + column / 50) % 5] }

    /// Writes a class map on the grid of L7_ETMs.tif (349 x 352; 128-pixel tiles, so 2 overview levels), in
    /// blocks of 64 rows.
    private func writeClassMap(
        to url: URL, layout: RasterWriteOptions.Layout, dataType: RasterDataType = .byte
    ) throws -> RasterProfile {
        let source = try RasterDataset.withOpened(GDALTools.fixture("L7_ETMs.tif")) { $0.profile }
        let options = RasterWriteOptions(layout: layout, tileSize: 128, overviews: .mode)
        let writer = try RasterWriter(
            url: url, like: source, bandCount: 1, dataType: dataType, nodata: 0, classes: classes, options: options)
        let blockRows = 64
        for rowOffset in stride(from: 0, to: source.height, by: blockRows) {
            let window = Window(
                columnOffset: 0, rowOffset: rowOffset, columnCount: source.width,
                rowCount: min(blockRows, source.height - rowOffset))
            var values = [UInt16](repeating: 0, count: window.pixelCount)
            for row in 0..<window.rowCount {
                for column in 0..<window.columnCount {
                    values[row * window.columnCount + column] = classValue(row: rowOffset + row, column: column)
                }
            }
            try writer.write(values, window: window)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "output must appear only when finished")
        try writer.finish()
        return source
    }

    private func checkRoundTrip(_ url: URL, source: RasterProfile, expectedType: String) throws -> [String: Any] {
        let info = try GDALTools.info(url)
        let reference = try GDALTools.info(GDALTools.fixture("L7_ETMs.tif"))
        XCTAssertEqual(info["size"] as? [Int], reference["size"] as? [Int])
        XCTAssertEqual(info["geoTransform"] as? [Double], reference["geoTransform"] as? [Double])
        let wkt = { (json: [String: Any]) in (json["coordinateSystem"] as! [String: Any])["wkt"] as! String }
        XCTAssertEqual(wkt(info), wkt(reference))
        let band = (info["bands"] as! [[String: Any]])[0]
        XCTAssertEqual(band["type"] as? String, expectedType)
        XCTAssertEqual(band["noDataValue"] as? Double, 0)
        XCTAssertEqual(band["colorInterpretation"] as? String, "Palette")
        let entries = (band["colorTable"] as! [String: Any])["entries"] as! [[Int]]
        // A TIFF colour map has 2^bits RGB entries: GDAL pads it and reads alpha back as 255.
        XCTAssertEqual(entries.count, expectedType == "Byte" ? 256 : 65536)
        for item in classes {
            let color = item.color
            XCTAssertEqual(entries[item.value], [Int(color.red), Int(color.green), Int(color.blue), 255])
        }
        XCTAssertEqual(entries[2], [0, 0, 0, 255])
        XCTAssertEqual(band["categories"] as? [String], ["", "developed", "", "herbaceous", "", "forest", "water"])
        XCTAssertEqual((band["overviews"] as? [[String: Any]])?.map { $0["size"] as! [Int] }, [[175, 176], [88, 88]])
        for (column, row) in [(120, 90), (348, 351), (0, 63), (77, 64)] {
            XCTAssertEqual(try GDALTools.pixel(url, column: column, row: row), [Double(classValue(row: row, column: column))])
        }
        return info
    }

    func testGeoTIFFClassRasterRoundTrip() throws {
        let url = try GDALTools.temporaryFolder(self).appendingPathComponent("classes.tif")
        let source = try writeClassMap(to: url, layout: .geoTIFF)
        let info = try checkRoundTrip(url, source: source, expectedType: "Byte")
        let structure = (info["metadata"] as? [String: Any])?["IMAGE_STRUCTURE"] as? [String: String]
        XCTAssertEqual(structure?["COMPRESSION"], "DEFLATE")
        let band = (info["bands"] as! [[String: Any]])[0]
        XCTAssertEqual(band["block"] as? [Int], [128, 128])
        // The attribute table that QGIS 3.30+ shows, through gdalinfo's own reader.
        let ratInfo = try GDALTools.run("gdalinfo", [url.path])
        XCTAssertTrue(ratInfo.contains("herbaceous"), ratInfo)
        let rat = try XCTUnwrap((try GDALTools.info(url))["rat"] as? [String: Any] ?? band["rat"] as? [String: Any])
        let rows = (rat["row"] as! [[String: Any]]).map { $0["f"] as! [Any] }
        XCTAssertEqual(rows.map { $0[1] as? String }, ["developed", "herbaceous", "forest", "water"])
    }

    func testCOGClassRasterRoundTrip() throws {
        let url = try GDALTools.temporaryFolder(self).appendingPathComponent("classes-cog.tif")
        let source = try writeClassMap(to: url, layout: .cloudOptimizedGeoTIFF, dataType: .uint16)
        let info = try checkRoundTrip(url, source: source, expectedType: "UInt16")
        let structure = (info["metadata"] as? [String: Any])?["IMAGE_STRUCTURE"] as? [String: String]
        XCTAssertEqual(structure?["LAYOUT"], "COG")
        XCTAssertEqual(structure?["COMPRESSION"], "DEFLATE")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers.filter { $0.hasPrefix(".") }, [], "temporary files must be gone")
    }

    func testExistingOutputIsNotClobbered() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let url = folder.appendingPathComponent("exists.tif")
        try Data("keep me".utf8).write(to: url)
        let grid = GeoTransform(originX: 0, pixelWidth: 1, originY: 0, pixelHeight: -1)
        XCTAssertThrowsError(
            try RasterWriter(url: url, width: 2, height: 2, dataType: .byte, geoTransform: grid, crs: nil)
        ) { error in
            let error = error as! GeoRasterError
            XCTAssertEqual(error.kind, .outputExists)
            XCTAssertTrue(error.description.contains("overwrite"), error.description)
        }
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "keep me")

        let writer = try RasterWriter(
            url: url, width: 2, height: 1, dataType: .float32, geoTransform: grid, crs: nil,
            options: RasterWriteOptions(overwrite: true))
        try writer.write([Float(0.5), 2.25], window: Window(width: 2, height: 1))
        try writer.finish()
        XCTAssertEqual(try GDALTools.pixel(url, column: 1, row: 0), [2.25])
    }

    func testAbandonedWriterLeavesNothing() throws {
        let folder = try GDALTools.temporaryFolder(self)
        do {
            let writer = try RasterWriter(
                url: folder.appendingPathComponent("never.tif"), width: 4, height: 4, dataType: .byte,
                geoTransform: nil, crs: nil)
            try writer.write([UInt8](repeating: 1, count: 4), window: Window(width: 4, height: 1))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    func testUnwritableFolderAndBadWindowThrow() throws {
        XCTAssertThrowsError(
            try RasterWriter(
                url: URL(fileURLWithPath: "/nonexistent-folder/out.tif"), width: 2, height: 2, dataType: .byte,
                geoTransform: nil, crs: nil)
        ) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .unwritableOutput)
            XCTAssertTrue("\(error)".contains("mkdir"), "\(error)")
        }
        let folder = try GDALTools.temporaryFolder(self)
        let writer = try RasterWriter(
            url: folder.appendingPathComponent("w.tif"), width: 4, height: 4, dataType: .byte, geoTransform: nil, crs: nil)
        XCTAssertThrowsError(try writer.write([UInt8](repeating: 1, count: 4), window: Window(columnOffset: 2, rowOffset: 0, columnCount: 4, rowCount: 1))) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .badWindow)
        }
        XCTAssertThrowsError(try writer.write([UInt8](repeating: 1, count: 3), window: Window(width: 4, height: 1))) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .badValues)
        }
    }

    func testCreationOptionsPassThrough() throws {
        let url = try GDALTools.temporaryFolder(self).appendingPathComponent("lzw.tif")
        let writer = try RasterWriter(
            url: url, width: 40, height: 30, bandCount: 3, dataType: .float32,
            geoTransform: GeoTransform(originX: 10, pixelWidth: 0.01, originY: 50, pixelHeight: -0.01),
            crs: try SpatialReference(epsg: 4326), nodata: -9999, bandDescriptions: ["p0", "p1", "p2"],
            options: RasterWriteOptions(tileSize: 16, creationOptions: ["COMPRESS": "LZW", "PREDICTOR": "3"]))
        let values = (0..<(40 * 30 * 3)).map { Float($0) / 7 }
        try writer.write(values, window: Window(width: 40, height: 30))
        try writer.finish()
        let info = try GDALTools.info(url)
        let structure = (info["metadata"] as? [String: Any])?["IMAGE_STRUCTURE"] as? [String: String]
        XCTAssertEqual(structure?["COMPRESSION"], "LZW")
        XCTAssertEqual(structure?["PREDICTOR"], "3")
        XCTAssertEqual((info["bands"] as! [[String: Any]]).map { $0["description"] as? String }, ["p0", "p1", "p2"])
        let block = try RasterDataset.withOpened(url) { try $0.read() }
        XCTAssertEqual(block.values, values)
        // gdallocationinfo prints 15 significant digits.
        let printed = try GDALTools.pixel(url, column: 5, row: 2, bands: [3])[0]
        XCTAssertEqual(printed, Double(values[(2 * 40 + 5) * 3 + 2]), accuracy: 1e-13)
    }

    /// A CRS without an authority code (lc.tif's Albers) is copied as exactly as an EPSG one.
    func testCustomCRSIsCopiedExactly() throws {
        let source = GDALTools.fixture("lc.tif")
        let url = try GDALTools.temporaryFolder(self).appendingPathComponent("albers.tif")
        let dataset = try RasterDataset(url: source)
        let window = Window(columnOffset: 10, rowOffset: 5, columnCount: 20, rowCount: 16)
        let writer = try RasterWriter(url: url, like: dataset.profile, window: window, dataType: .uint16)
        try writer.write(try dataset.readSamples(UInt16.self, window: window), window: Window(width: 20, height: 16))
        try writer.finish()
        let ours = try GDALTools.info(url), theirs = try GDALTools.info(source)
        let wkt = { (json: [String: Any]) in (json["coordinateSystem"] as! [String: Any])["wkt"] as! String }
        XCTAssertEqual(wkt(ours), wkt(theirs))
        let g = theirs["geoTransform"] as! [Double]
        XCTAssertEqual(ours["geoTransform"] as? [Double], [g[0] + 10 * g[1], g[1], 0, g[3] + 5 * g[5], 0, g[5]])
        XCTAssertEqual(try GDALTools.pixel(url, column: 3, row: 4), try GDALTools.pixel(source, column: 13, row: 9))
    }

    /// Mode overviews are computed by GeoRaster, not GDAL: every overview pixel must equal `gdaladdo -r mode`'s
    /// on the same full-resolution pixels, for an odd-sized noisy class raster (many ties and nodata holes) in
    /// Byte and UInt16, as a tiled GeoTIFF and as a COG.
    func testModeOverviewsEqualGDALs() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let (width, height) = (301, 203)
        var state: UInt64 = 12345
        let values = (0..<(width * height)).map { _ -> UInt16 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return [0, 1, 3, 3, 5, 6, 200][Int(state >> 33) % 7]
        }
        for (dataType, layout) in [(RasterDataType.byte, RasterWriteOptions.Layout.geoTIFF), (.uint16, .cloudOptimizedGeoTIFF)] {
            let ours = folder.appendingPathComponent("ours-\(dataType.rawValue).tif")
            let writer = try RasterWriter(
                url: ours, width: width, height: height, dataType: dataType, geoTransform: nil, crs: nil, nodata: 0,
                options: RasterWriteOptions(layout: layout, tileSize: 64, overviews: .mode))
            try writer.write(values, window: Window(columnOffset: 0, rowOffset: 0, columnCount: width, rowCount: height))
            try writer.finish()
            let reference = folder.appendingPathComponent("reference-\(dataType.rawValue).tif")
            try GDALTools.run("gdal_translate", ["-q", "-co", "TILED=YES", ours.path, reference.path])
            try GDALTools.run("gdaladdo", ["-q", "-r", "mode", reference.path, "2", "4", "8"])
            var compared = 0
            for level in 0..<3 {
                let extract = { (url: URL) throws -> [UInt16] in
                    let out = folder.appendingPathComponent("\(url.deletingPathExtension().lastPathComponent)-ovr\(level).tif")
                    try GDALTools.run("gdal_translate", ["-q", "-ovr", "\(level)", url.path, out.path])
                    return try RasterDataset.withOpened(out) { try $0.readSamples(UInt16.self) }
                }
                let mine = try extract(ours), theirs = try extract(reference)
                XCTAssertEqual(mine.count, ((width + (2 << level) - 1) / (2 << level)) * ((height + (2 << level) - 1) / (2 << level)))
                XCTAssertEqual(mine.count, theirs.count)
                let differing = zip(mine, theirs).filter { $0 != $1 }.count
                XCTAssertEqual(differing, 0, "\(dataType.rawValue) overview level \(level + 1): \(differing) of \(mine.count) pixels differ from gdaladdo's")
                compared += mine.count
            }
            XCTAssertEqual(compared, 151 * 102 + 76 * 51 + 38 * 26)
        }
    }
}
