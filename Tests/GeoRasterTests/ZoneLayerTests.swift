import Foundation
import GeoRaster
import XCTest

/// `ZoneLayer` masks against a point-in-polygon test of every pixel centre, for zones already in the raster's
/// CRS (a Shapefile written by `ogr2ogr`), read in windows of any shape.
final class ZoneLayerTests: XCTestCase {
    private let geoTransform = GeoTransform(originX: 400_000, pixelWidth: 30, originY: 5_000_000, pixelHeight: -30)
    private let width = 50, height = 40
    /// A concave polygon with a hole, and a triangle that overlaps it and leaves the raster.
    private let zones: [(name: String, rings: [[(Double, Double)]])] = [
        ("pond", [
            [(400_101, 4_999_903), (401_013, 4_999_977), (400_707, 4_999_517), (401_288, 4_999_081), (400_244, 4_998_877), (400_101, 4_999_903)],
            [(400_433, 4_999_391), (400_641, 4_999_402), (400_512, 4_999_207), (400_433, 4_999_391)],
        ]),
        ("wedge", [[(400_902, 4_999_611), (401_733, 4_999_702), (401_121, 4_998_512), (400_902, 4_999_611)]]),
    ]

    private func profile() throws -> RasterProfile {
        RasterProfile(
            driver: "MEM", width: width, height: height, bands: [], geoTransform: geoTransform,
            crs: try SpatialReference(epsg: 32633))
    }

    private func writeShapefile(in folder: URL) throws -> URL {
        let features = zones.map { zone in
            let rings = zone.rings.map { "[" + $0.map { "[\($0.0), \($0.1)]" }.joined(separator: ",") + "]" }
            return "{\"type\":\"Feature\",\"properties\":{\"label\":\"\(zone.name)\"},"
                + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[\(rings.joined(separator: ","))]}}"
        }
        let json = folder.appendingPathComponent("zones.json")
        try Data("{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}".utf8).write(to: json)
        let shapefile = folder.appendingPathComponent("zones.shp")
        try GDALTools.run("ogr2ogr", ["-f", "ESRI Shapefile", "-s_srs", "EPSG:32633", "-a_srs", "EPSG:32633", shapefile.path, json.path])
        return shapefile
    }

    private func contains(_ rings: [[(Double, Double)]], x: Double, y: Double) -> Bool {
        var inside = false
        for ring in rings {
            for index in 0..<(ring.count - 1) {
                let (x1, y1) = ring[index], (x2, y2) = ring[index + 1]
                if (y1 > y) != (y2 > y), x < x1 + (y - y1) / (y2 - y1) * (x2 - x1) { inside.toggle() }
            }
        }
        return inside
    }

    func testMasksInAnyWindowEqualPixelCentresInPolygons() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let layer = try ZoneLayer(url: try writeShapefile(in: folder), field: "label", raster: try profile())
        XCTAssertEqual(layer.zoneNames, ["pond", "wedge"])
        XCTAssertEqual(layer.layerName, "zones")

        var expected = [[Bool]](repeating: [Bool](repeating: false, count: width * height), count: zones.count)
        for row in 0..<height {
            for column in 0..<width {
                let x = geoTransform.originX + (Double(column) + 0.5) * geoTransform.pixelWidth
                let y = geoTransform.originY + (Double(row) + 0.5) * geoTransform.pixelHeight
                for (zone, item) in zones.enumerated() where contains(item.rings, x: x, y: y) {
                    expected[zone][row * width + column] = true
                }
            }
        }
        XCTAssertGreaterThan(zip(expected[0], expected[1]).filter { $0 && $1 }.count, 10, "the zones overlap")

        // Whole raster, blocks of 7 rows, and 13 x 11 tiles: the same pixels every time.
        let tilings: [[Window]] = [
            [Window(width: width, height: height)],
            stride(from: 0, to: height, by: 7).map { Window(columnOffset: 0, rowOffset: $0, columnCount: width, rowCount: min(7, height - $0)) },
            stride(from: 0, to: height, by: 11).flatMap { row in
                stride(from: 0, to: width, by: 13).map { column in
                    Window(columnOffset: column, rowOffset: row, columnCount: min(13, width - column), rowCount: min(11, height - row))
                }
            },
        ]
        for windows in tilings {
            var found = [[Bool]](repeating: [Bool](repeating: false, count: width * height), count: zones.count)
            for window in windows {
                for mask in try layer.masks(in: window) {
                    XCTAssertNotNil(mask.window.intersection(window))
                    XCTAssertEqual(mask.window.intersection(window), mask.window, "a mask stays inside its window")
                    for row in 0..<mask.window.rowCount {
                        for column in 0..<mask.window.columnCount where mask.isInside[row * mask.window.columnCount + column] {
                            found[mask.zone][(mask.window.rowOffset + row) * width + mask.window.columnOffset + column] = true
                        }
                    }
                }
            }
            for zone in zones.indices {
                XCTAssertEqual(found[zone].filter { $0 }.count, expected[zone].filter { $0 }.count, "\(zones[zone].name), \(windows.count) windows")
                XCTAssertEqual(found[zone], expected[zone], "\(zones[zone].name), \(windows.count) windows")
            }
        }
    }

    func testSeveralLayersNeedALayerName() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let shapefile = try writeShapefile(in: folder)
        let gpkg = folder.appendingPathComponent("two.gpkg")
        try GDALTools.run("ogr2ogr", ["-f", "GPKG", "-nln", "lakes", gpkg.path, shapefile.path])
        try GDALTools.run("ogr2ogr", ["-update", "-nln", "parks", gpkg.path, shapefile.path])
        XCTAssertThrowsError(try ZoneLayer(url: gpkg, field: "label", raster: try profile())) { error in
            XCTAssertTrue("\(error)".contains("has 2 layers (lakes, parks): choose the zones"), "\(error)")
        }
        let parks = try ZoneLayer(url: gpkg, layer: "parks", field: "label", raster: try profile())
        XCTAssertEqual(parks.layerName, "parks")
        XCTAssertEqual(parks.zoneNames, ["pond", "wedge"])
        let whole = Window(width: width, height: height)
        let fromShapefile = try ZoneLayer(url: shapefile, field: "label", raster: try profile())
        XCTAssertEqual(try parks.masks(in: whole), try fromShapefile.masks(in: whole), "GeoPackage and Shapefile give the same masks")
    }

    func testMissingFieldListsTheFields() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let shapefile = try writeShapefile(in: folder)
        XCTAssertThrowsError(try ZoneLayer(url: shapefile, field: "name", raster: try profile())) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .badZones)
            XCTAssertTrue("\(error)".contains("has no field \"name\"; its fields are label: pass one of them"), "\(error)")
        }
        XCTAssertThrowsError(try ZoneLayer(url: folder.appendingPathComponent("none.gpkg"), field: "label", raster: try profile())) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .fileNotFound)
        }
    }
}
