import Foundation
import GeoRaster
import XCTest

final class PixelAreaTests: XCTestCase {
    /// Area of the ellipsoidal quadrangle between two parallels and two meridians, in closed form:
    /// A = b² Δλ / 2 · [ sin φ / (1 − e² sin² φ) + atanh(e sin φ) / e ] from φ1 to φ2.
    private func quadrangleArea(
        semiMajor a: Double, inverseFlattening: Double, latitudes: (Double, Double), longitudeSpan: Double
    ) -> Double {
        let f = 1 / inverseFlattening
        let b = a * (1 - f)
        let e = sqrt(f * (2 - f))
        func q(_ degrees: Double) -> Double {
            let s = sin(degrees * .pi / 180)
            return s / (1 - e * e * s * s) + atanh(e * s) / e
        }
        return b * b * (longitudeSpan * .pi / 180) / 2 * abs(q(latitudes.1) - q(latitudes.0))
    }

    func testOneDegreeCellsMatchClosedFormOnTheirEllipsoid() throws {
        // WGS 84 and NAD27 (Clarke 1866): the ellipsoid must come from the CRS.
        let cases: [(epsg: Int, a: Double, inverseFlattening: Double)] = [
            (4326, 6378137, 298.257223563),
            (4267, 6378206.4, 294.978698213898),
        ]
        for item in cases {
            let grid = GeoTransform(originX: 10, pixelWidth: 1, originY: 61, pixelHeight: -1)
            let areas = try PixelArea(geoTransform: grid, crs: try SpatialReference(epsg: item.epsg), width: 3, height: 62)
            XCTAssertEqual(areas.method, .geodesicPerRow)
            for (row, latitudes) in [(60, (0.0, 1.0)), (0, (60.0, 61.0)), (1, (59.0, 60.0))] {
                let expected = quadrangleArea(
                    semiMajor: item.a, inverseFlattening: item.inverseFlattening, latitudes: latitudes, longitudeSpan: 1)
                let got = areas.area(row: row, column: 1)
                XCTAssertEqual(got / expected, 1, accuracy: 1e-6, "EPSG:\(item.epsg) cell \(latitudes): \(got) vs \(expected)")
                XCTAssertEqual(areas.area(row: row, column: 0), got, "geographic areas vary by row only")
            }
        }
    }

    func testUTMPixelAreasFollowTheScaleFactor() throws {
        // L7_ETMs.tif is in UTM 25S (central meridian 33°W) about 200 km west of it. A transverse Mercator's
        // point scale is k ≈ k0 (1 + x² / (2 k0² R²)) at easting offset x, so a 28.5 m pixel covers 28.5² / k² m².
        let profile = try RasterDataset.withOpened(GDALTools.fixture("L7_ETMs.tif")) { $0.profile }
        let areas = try PixelArea(profile: profile)
        XCTAssertEqual(areas.method, .geodesicGrid)
        let grid = try XCTUnwrap(profile.geoTransform)
        let radius = 6_357_700.0  // sqrt(M N) of GRS 80 at 8°S
        for column in [0, 170, 348] {
            let x = grid.coordinate(column: Double(column) + 0.5, row: 0).x - 500_000
            let k = 0.9996 * (1 + x * x / (2 * 0.9996 * 0.9996 * radius * radius))
            let expected = grid.planarPixelArea / (k * k)
            XCTAssertEqual(areas.area(row: 100, column: column) / expected, 1, accuracy: 2e-5, "column \(column)")
        }
        XCTAssertLessThan(
            areas.area(row: 10, column: 0), areas.area(row: 10, column: 348),
            "further from the central meridian a UTM pixel covers less ground")
        let albers = try PixelArea(profile: try RasterDataset.withOpened(GDALTools.fixture("lc.tif")) { $0.profile })
        XCTAssertEqual(albers.method, .planarEqualArea)
        XCTAssertEqual(albers.area(row: 5, column: 7), 9_000_000)
    }

    /// One 0.7° x 0.5° quadrangle in northern Italy rasterised by gdal_rasterize in four CRSs.
    func testSameRegionInFourCRSsHasTheSameArea() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let (west, east, south, north) = (10.2, 10.9, 45.1, 45.6)
        var ring: [[Double]] = []
        for step in 0...70 { ring.append([west + Double(step) * 0.01, south]) }
        for step in 1...50 { ring.append([east, south + Double(step) * 0.01]) }
        for step in 1...70 { ring.append([east - Double(step) * 0.01, north]) }
        for step in 1...50 { ring.append([west, north - Double(step) * 0.01]) }
        let geojson: [String: Any] = [
            "type": "FeatureCollection",
            "features": [["type": "Feature", "properties": [:] as [String: Any], "geometry": ["type": "Polygon", "coordinates": [ring]]]],
        ]
        let source = folder.appendingPathComponent("region.geojson")
        try JSONSerialization.data(withJSONObject: geojson).write(to: source)
        let reference = quadrangleArea(
            semiMajor: 6378137, inverseFlattening: 298.257223563, latitudes: (south, north), longitudeSpan: east - west)

        let cases: [(epsg: Int, resolution: [String], method: PixelArea.Method)] = [
            // Pixel edges fall on the quadrangle's edges here, so this raster holds it exactly.
            (4326, ["0.0025", "0.002"], .geodesicPerRow),
            // ~100 m on the ground: rasterisation then misses or adds at most ~0.2% along the edges.
            (3857, ["142", "142"], .geodesicGrid),
            (32632, ["100", "100"], .geodesicGrid),
            (6933, ["100", "100"], .planarEqualArea),
        ]
        var totals: [Double] = []
        for item in cases {
            let vector = folder.appendingPathComponent("region-\(item.epsg).gpkg")
            let raster = folder.appendingPathComponent("region-\(item.epsg).tif")
            try GDALTools.run("ogr2ogr", ["-f", "GPKG", "-t_srs", "EPSG:\(item.epsg)", "-nln", "region", vector.path, source.path])
            try GDALTools.run(
                "gdal_rasterize",
                ["-q", "-burn", "1", "-init", "0", "-ot", "Byte", "-tap", "-tr"] + item.resolution + ["-l", "region", vector.path, raster.path])
            let dataset = try RasterDataset(url: raster)
            let classes = try dataset.readSamples(UInt8.self)
            let areas = try PixelArea(profile: dataset.profile)
            XCTAssertEqual(areas.method, item.method, "EPSG:\(item.epsg)")
            let total = areas.areaByClass(classes, window: dataset.profile.window)[1] ?? 0
            XCTAssertEqual(total / reference, 1, accuracy: 5e-3, "EPSG:\(item.epsg): \(total) m² vs \(reference) m²")
            totals.append(total)
        }
        XCTAssertLessThan((totals.max()! - totals.min()!) / totals.min()!, 5e-3, "\(totals)")
    }

    func testUngeoreferencedRasterThrows() throws {
        let url = try GDALTools.temporaryFolder(self).appendingPathComponent("plain.tif")
        try GDALTools.run("gdal_create", ["-outsize", "3", "3", url.path])
        let profile = try RasterDataset.withOpened(url) { $0.profile }
        XCTAssertThrowsError(try PixelArea(profile: profile)) { error in
            XCTAssertTrue("\(error)".contains("gdal_edit.py"), "\(error)")
        }
    }
}
