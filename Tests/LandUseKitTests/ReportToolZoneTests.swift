import Foundation
import GeoRaster
import LandUseKit
import XCTest

/// Per-zone reports against a brute-force count in the test: every pixel centre taken to lon/lat by PROJ
/// and tested against the zone polygons (even-odd rule over all rings) in their own CRS, EPSG:4326.
final class ReportToolZoneTests: XCTestCase {
    /// Zone polygons as (name, code, rings), lon/lat. "north" has a hole; "east" is two features, one of them
    /// overlapping "north" and reaching past the raster's east edge; "far" misses the raster.
    private let features: [(name: String, code: Int, rings: [[(Double, Double)]])] = [
        ("north", 10, [
            [(8.900, 60.020), (8.8935, 60.0405), (8.930, 60.038), (8.975, 60.035), (8.990, 60.022), (8.950, 60.012), (8.900, 60.020)],
            [(8.940, 60.022), (8.955, 60.030), (8.965, 60.021), (8.940, 60.022)],
        ]),
        ("east", 20, [[(8.960, 59.995), (8.998, 59.993), (9.010, 60.030), (8.970, 60.027), (8.960, 59.995)]]),
        ("east", 21, [[(8.905, 59.992), (8.925, 59.990), (8.915, 60.003), (8.905, 59.992)]]),
        ("far", 30, [[(10.0, 61.0), (10.1, 61.0), (10.1, 61.1), (10.0, 61.0)]]),
    ]

    private func geoJSON(_ features: [(name: String, code: Int, rings: [[(Double, Double)]])]) -> String {
        let items = features.map { feature in
            let rings = feature.rings.map { ring in "[" + ring.map { "[\($0.0), \($0.1)]" }.joined(separator: ", ") + "]" }
            return """
                {"type": "Feature", "properties": {"name": "\(feature.name)", "code": \(feature.code)},
                 "geometry": {"type": "Polygon", "coordinates": [\(rings.joined(separator: ", "))]}}
                """
        }
        return "{\"type\": \"FeatureCollection\", \"features\": [\(items.joined(separator: ",\n"))]}"
    }

    /// The scene raster and the zones as a GeoPackage made by `ogr2ogr` from GeoJSON text.
    private func makeInputs() throws -> (raster: URL, zones: URL, folder: URL) {
        let folder = try ReportScene.temporaryFolder(self)
        let raster = folder.appendingPathComponent("classes.tif")
        try ReportScene.write(to: raster, tileSize: 16)
        let json = folder.appendingPathComponent("zones.geojson")
        try Data(geoJSON(features).utf8).write(to: json)
        let zones = folder.appendingPathComponent("zones.gpkg")
        try ReportScene.run("ogr2ogr", ["-f", "GPKG", "-nln", "zones", zones.path, json.path])
        return (raster, zones, folder)
    }

    private func contains(_ rings: [[(Double, Double)]], lon: Double, lat: Double) -> Bool {
        var inside = false
        for ring in rings {
            for index in 0..<(ring.count - 1) {
                let (x1, y1) = ring[index], (x2, y2) = ring[index + 1]
                if (y1 > lat) != (y2 > lat), lon < x1 + (lat - y1) / (y2 - y1) * (x2 - x1) { inside.toggle() }
            }
        }
        return inside
    }

    func testZoneCountsEqualBruteForcePointInPolygon() throws {
        let (raster, zones, _) = try makeInputs()
        let report = try ReportTool.report(for: raster, zones: ReportTool.Zones(url: zones, field: "name"))
        let zoneReports = try XCTUnwrap(report.zones)
        XCTAssertEqual(zoneReports.map(\.zone), ["north", "east", "far"])

        let reference = ProjReference(epsg: ReportScene.epsg)
        let names = ["north", "east", "far"]
        var pixels = [String: [Int: Int]](), nodata = [String: Int](), areas = [String: Double]()
        var inBoth = 0
        let transform = ReportScene.geoTransform
        for row in 0..<ReportScene.size {
            for column in 0..<ReportScene.size {
                let centre = reference.lonLat(
                    x: transform.originX + (Double(column) + 0.5) * transform.pixelWidth,
                    y: transform.originY + (Double(row) + 0.5) * transform.pixelHeight)
                let value = Int(ReportScene.value(row: row, column: column))
                var zonesHit = 0
                for name in names where features.contains(where: { $0.name == name && contains($0.rings, lon: centre.lon, lat: centre.lat) }) {
                    zonesHit += 1
                    if value == Int(ReportScene.nodata) {
                        nodata[name, default: 0] += 1
                    } else {
                        pixels[name, default: [:]][value, default: 0] += 1
                        areas[name, default: 0] += reference.pixelArea(transform, row: row, column: column)
                    }
                }
                if zonesHit == 2 { inBoth += 1 }
            }
        }
        XCTAssertGreaterThan(inBoth, 100, "the zones overlap, and overlapping pixels count in both")
        XCTAssertGreaterThan(nodata["north", default: 0], 0, "north reaches into the nodata corner")
        for zone in zoneReports {
            let expected = pixels[zone.zone] ?? [:]
            XCTAssertEqual(zone.classes.map(\.value), [1, 2, 3, 4, 5, 7], zone.zone)
            for row in zone.classes {
                XCTAssertEqual(row.pixels, expected[row.value] ?? 0, "\(zone.zone) class \(row.name)")
            }
            XCTAssertEqual(zone.nodataPixels, nodata[zone.zone] ?? 0, zone.zone)
            let area = areas[zone.zone] ?? 0
            XCTAssertEqual(zone.total.areaSquareMetres, area, accuracy: area * 1e-6, zone.zone)
            print("zone \(zone.zone): \(zone.total.pixels) pixels, \(zone.nodataPixels) nodata, \(zone.total.areaHectares) ha")
        }
        XCTAssertGreaterThan(zoneReports[0].total.pixels, 1000)
        XCTAssertGreaterThan(zoneReports[1].total.pixels, 1000)
        XCTAssertEqual(zoneReports[2].total.pixels, 0)

        // Windows of 16 rows x 48 columns (zones cut across them) and single rows give the same zones.
        for blockPixels in [1000, 100] {
            let blocked = try ReportTool.report(for: raster, zones: ReportTool.Zones(url: zones, field: "name"), blockPixels: blockPixels)
            XCTAssertEqual(blocked.zones?.map { $0.classes.map(\.pixels) }, zoneReports.map { $0.classes.map(\.pixels) })
            XCTAssertEqual(blocked.zones?.map(\.nodataPixels), zoneReports.map(\.nodataPixels))
        }
    }

    func testZoneNamesFromAnIntegerFieldOrTheFeatureID() throws {
        let (raster, zones, _) = try makeInputs()
        let byCode = try ReportTool.report(for: raster, zones: ReportTool.Zones(url: zones, field: "code"))
        XCTAssertEqual(byCode.zones?.map(\.zone), ["10", "20", "21", "30"])
        let byID = try ReportTool.report(for: raster, zones: ReportTool.Zones(url: zones, layer: "zones"))
        XCTAssertEqual(byID.zones?.map(\.zone), ["1", "2", "3", "4"])
        // "east" as a whole equals its two features.
        let byName = try ReportTool.report(for: raster, zones: ReportTool.Zones(url: zones, field: "name"))
        XCTAssertEqual(byName.zones?[1].total.pixels, byCode.zones![1].total.pixels + byCode.zones![2].total.pixels)
    }

    func testMissingFieldLayerAndNonPolygonsAreExplained() throws {
        let (raster, zones, folder) = try makeInputs()
        XCTAssertThrowsError(try ReportTool.report(for: raster, zones: ReportTool.Zones(url: zones, field: "municipality"))) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .badZones)
            XCTAssertTrue("\(error)".contains("has no field \"municipality\"; its fields are name, code"), "\(error)")
        }
        XCTAssertThrowsError(try ReportTool.report(for: raster, zones: ReportTool.Zones(url: zones, field: "name", layer: "parcels"))) { error in
            XCTAssertTrue("\(error)".contains("has no layer \"parcels\"; its layers are zones"), "\(error)")
        }
        let lines = folder.appendingPathComponent("roads.geojson")
        try Data("""
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "a"},
             "geometry": {"type": "LineString", "coordinates": [[8.9, 60.0], [8.95, 60.02]]}}]}
            """.utf8).write(to: lines)
        XCTAssertThrowsError(try ReportTool.report(for: raster, zones: ReportTool.Zones(url: lines, field: "name"))) { error in
            XCTAssertTrue("\(error)".contains("is a Line String, and zones must be polygons"), "\(error)")
        }
        XCTAssertThrowsError(try ReportTool.report(for: raster, zones: ReportTool.Zones(url: raster, field: "name"))) { error in
            XCTAssertTrue("\(error)".contains("is not a vector file GDAL can read"), "\(error)")
        }
    }
}
