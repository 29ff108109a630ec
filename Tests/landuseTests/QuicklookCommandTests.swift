import Foundation
import XCTest
import GeoRaster
import LandUseKit

/// `landuse quicklook` run as a program; the PNG is read back through GDAL and checked pixel by pixel against
/// the class raster's own colour table (from `gdalinfo -json`) and a nearest-neighbour resampling done here.
final class QuicklookCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try CLITestSupport.folder("quicklook-cli") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    static let width = 1000, height = 600, nodata = 255

    /// A 1000 x 600 class raster: stripes of classes 1, 2, 3, 5 (4 never occurs), a nodata rectangle.
    private func makeClasses() throws -> URL {
        let url = folder.appendingPathComponent("classes.tif")
        let classes = [
            RasterClass(value: 1, name: "water", color: RasterColor(red: 30, green: 80, blue: 200)),
            RasterClass(value: 2, name: "forest", color: RasterColor(red: 20, green: 130, blue: 40)),
            RasterClass(value: 3, name: "city", color: RasterColor(red: 200, green: 40, blue: 40)),
            RasterClass(value: 4, name: "never", color: RasterColor(red: 0, green: 0, blue: 0)),
            RasterClass(value: 5, name: "crops", color: RasterColor(red: 230, green: 200, blue: 60)),
        ]
        let writer = try RasterWriter(
            url: url, width: Self.width, height: Self.height, dataType: .byte, geoTransform: nil, crs: nil, nodata: Double(Self.nodata),
            classes: classes, options: RasterWriteOptions(layout: .geoTIFF, overviews: nil))
        var values = [UInt8](repeating: 0, count: Self.width * Self.height)
        for row in 0..<Self.height {
            for column in 0..<Self.width {
                let value = [1, 2, 3, 5][(row / 37 + column / 53 + (row * column) % 7 / 6) % 4]
                values[row * Self.width + column] = row < 120 && column < 200 ? UInt8(Self.nodata) : UInt8(value)
            }
        }
        try writer.write(values, window: Window(width: Self.width, height: Self.height))
        try writer.finish()
        return url
    }

    func testPictureShowsTheResampledClassesTheirColoursAndALegend() throws {
        let classes = try makeClasses()
        let output = folder.appendingPathComponent("quicklook.png")
        let result = try LandUseBinary.run(["quicklook", classes.path, "--output", output.path, "--max-size", "250"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("map 250 x 150 of 1000 x 600"), result.stdout)

        let info = try CLITestSupport.gdalinfo(output)
        XCTAssertEqual(info["driverShortName"] as? String, "PNG")
        let size = try XCTUnwrap(info["size"] as? [Int])
        XCTAssertEqual((info["bands"] as? [[String: Any]])?.count, 3)

        // Colours and names as GDAL reports them for the class raster.
        let band = (try CLITestSupport.gdalinfo(classes)["bands"] as! [[String: Any]])[0]
        let entries = (band["colorTable"] as! [String: Any])["entries"] as! [[Int]]
        let names = band["categories"] as! [String]

        let layout = try QuicklookTool.render(classes: classes, maxSize: 250)
        XCTAssertEqual([layout.width, layout.height], size)
        XCTAssertEqual([layout.map.columnCount, layout.map.rowCount], [250, 150])
        let picture = try RasterDataset(url: output).read()
        func pixel(_ column: Int, _ row: Int) -> [Int] {
            (0..<3).map { Int(picture.values[(row * size[0] + column) * 3 + $0]) }
        }

        // Legend: classes present in ascending order, then nodata, stacked to the right of the map.
        XCTAssertEqual(layout.legend.map(\.value), [1, 2, 3, 5, nil])
        XCTAssertEqual(layout.legend.map(\.name), [names[1], names[2], names[3], names[5], "nodata"])
        for (index, entry) in layout.legend.enumerated() {
            XCTAssertGreaterThan(entry.swatch.columnOffset, layout.map.columns.upperBound)
            if index > 0 { XCTAssertGreaterThan(entry.swatch.rowOffset, layout.legend[index - 1].swatch.rows.upperBound) }
            let expected = entry.value.map { Array(entries[$0].prefix(3)) } ?? [215, 215, 215]
            for row in entry.swatch.rows {
                for column in entry.swatch.columns { XCTAssertEqual(pixel(column, row), expected, "swatch of \(entry.name) at (\(column), \(row))") }
            }
            // The name is drawn in dark ink right of the swatch.
            let label = Window(columnOffset: entry.swatch.columns.upperBound + 1, rowOffset: entry.swatch.rowOffset, columnCount: 60, rowCount: entry.swatch.rowCount)
            let inked = label.rows.flatMap { row in label.columns.map { pixel($0, row) } }.filter { $0.allSatisfy { $0 < 60 } }.count
            XCTAssertGreaterThan(inked, 20, "label of \(entry.name)")
        }

        // Map: pixel (x, y) shows raster pixel (floor((2x+1) W / 2m), floor((2y+1) H / 2n)).
        let raster = try RasterDataset(url: classes).readSamples(UInt8.self)
        var mismatches = 0
        for y in 0..<150 {
            for x in 0..<250 {
                let value = Int(raster[((2 * y + 1) * Self.height / 300) * Self.width + (2 * x + 1) * Self.width / 500])
                let expected = value == Self.nodata ? [215, 215, 215] : Array(entries[value].prefix(3))
                if pixel(layout.map.columnOffset + x, layout.map.rowOffset + y) != expected { mismatches += 1 }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testSmallRasterIsEnlargedByAWholeFactor() throws {
        let output = folder.appendingPathComponent("lc.png")
        let result = try LandUseBinary.run(["quicklook", CLITestSupport.fixtures.appendingPathComponent("lc.tif").path, "--output", output.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("map 336 x 184 of 84 x 46"), result.stdout)
    }

    func testFailuresLeaveNoPictureAndSayWhatToDo() throws {
        let classes = try makeClasses()
        let existing = folder.appendingPathComponent("existing.png")
        try Data("keep".utf8).write(to: existing)
        var result = try LandUseBinary.run(["quicklook", classes.path, "--output", existing.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("--overwrite"), result.stderr)
        XCTAssertEqual(try String(contentsOf: existing, encoding: .utf8), "keep")

        result = try LandUseBinary.run(["quicklook", classes.path, "--output", folder.appendingPathComponent("q.jpg").path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains(".png"), result.stderr)

        result = try LandUseBinary.run(["quicklook", CLITestSupport.fixtures.appendingPathComponent("na.tif").path, "--output", folder.appendingPathComponent("na.png").path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("integer classes"), result.stderr)

        result = try LandUseBinary.run(["quicklook", classes.path, "--output", folder.appendingPathComponent("tiny.png").path, "--max-size", "8"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("16 pixels or more"), result.stderr)

        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(left, ["classes.tif", "classes.tif.aux.xml", "existing.png"])
    }
}
