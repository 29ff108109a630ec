import Foundation
import GeoRaster
import XCTest

final class ClassPolygonizerTests: XCTestCase {
    /// 6 x 5 classes, 0 = nodata. Class 3 has two pixels touching only at a corner.
    private let classes: [UInt8] = [
        1, 1, 0, 2, 2, 2,
        1, 0, 3, 2, 0, 2,
        0, 3, 1, 0, 0, 2,
        5, 5, 1, 3, 3, 0,
        5, 0, 0, 3, 3, 3,
    ]
    private let window = Window(width: 6, height: 5)

    private func classRaster(in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("classes.tif")
        let writer = try RasterWriter(
            url: url, width: 6, height: 5, dataType: .byte,
            geoTransform: GeoTransform(originX: 300_000, pixelWidth: 1000, originY: 5_000_000, pixelHeight: -1000),
            crs: try SpatialReference(epsg: 32632), nodata: 0,
            classes: [
                RasterClass(value: 1, name: "developed", color: RasterColor(red: 200, green: 0, blue: 0)),
                RasterClass(value: 2, name: "agriculture", color: RasterColor(red: 250, green: 200, blue: 0)),
                RasterClass(value: 3, name: "forest", color: RasterColor(red: 0, green: 120, blue: 0)),
                RasterClass(value: 5, name: "water", color: RasterColor(red: 0, green: 0, blue: 200)),
            ])
        try writer.write(classes, window: window)
        try writer.finish()
        return url
    }

    /// Rows of the layer as GDAL's own ogr2ogr reads them: (class_value, class_name, area_m2).
    private func rows(_ gpkg: URL) throws -> [(Int, String, Double)] {
        let csv = try GDALTools.run("ogr2ogr", ["-f", "CSV", "/vsistdout/", gpkg.path, "classes"])
        let lines = csv.split(whereSeparator: \.isNewline).map(String.init)
        XCTAssertEqual(lines.first, "class_value,class_name,area_m2")
        return lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "\"", with: "") }
            return (Int(fields[0])!, fields[1], Double(fields[2])!)
        }
    }

    func testRegionsNamesAndAreas() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let raster = try classRaster(in: folder)
        let dataset = try RasterDataset(url: raster)
        let four = folder.appendingPathComponent("four.gpkg")
        XCTAssertEqual(try ClassPolygonizer().polygonize(dataset, to: four), 7)
        let fourRows = try rows(four)
        XCTAssertEqual(fourRows.count, 7)
        var regionsPerClass: [Int: Int] = [:]
        var areaPerClass: [Int: Double] = [:]
        for (value, name, area) in fourRows {
            regionsPerClass[value, default: 0] += 1
            areaPerClass[value, default: 0] += area
            XCTAssertEqual(name, [1: "developed", 2: "agriculture", 3: "forest", 5: "water"][value])
        }
        XCTAssertEqual(regionsPerClass, [1: 2, 2: 1, 3: 3, 5: 1])
        let expected = try PixelArea(profile: dataset.profile).areaByClass(classes, window: window, isValid: classes.map { $0 != 0 })
        XCTAssertEqual(Set(expected.keys), [1, 2, 3, 5])
        for (value, area) in expected {
            XCTAssertEqual(areaPerClass[value]! / area, 1, accuracy: 1e-6, "class \(value)")
        }
        // ~1 km² pixels at 45°N, 200 km west of the central meridian of UTM 32N.
        XCTAssertEqual(expected[2]! / 6e6, 1, accuracy: 2e-3)

        let eight = folder.appendingPathComponent("eight.gpkg")
        let count = try ClassPolygonizer(connectivity: .eight).polygonize(dataset, to: eight)
        XCTAssertEqual(count, 6)
        XCTAssertEqual(try rows(eight).filter { $0.0 == 3 }.count, 2)

        XCTAssertThrowsError(try ClassPolygonizer().polygonize(dataset, to: eight)) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .outputExists)
        }
        XCTAssertEqual(try ClassPolygonizer(overwrite: true).polygonize(dataset, to: eight), 7)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
    }

    func testFloatRasterIsRefused() throws {
        let dataset = try RasterDataset(url: GDALTools.fixture("na.tif"))
        let url = try GDALTools.temporaryFolder(self).appendingPathComponent("na.gpkg")
        XCTAssertThrowsError(try ClassPolygonizer().polygonize(dataset, to: url)) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .unsupportedDataType)
        }
    }
}
