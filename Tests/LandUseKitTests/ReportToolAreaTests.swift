import Foundation
import GeoRaster
import LandUseKit
import XCTest

/// Area reports against references computed in the test: PROJ footprints of every pixel, and GDAL's own
/// `gdalwarp` reprojections of the same scene.
final class ReportToolAreaTests: XCTestCase {
    func testReportEqualsPixelCountsTimesPROJFootprintAreas() throws {
        let folder = try ReportScene.temporaryFolder(self)
        let url = folder.appendingPathComponent("classes.tif")
        try ReportScene.write(to: url)
        let report = try ReportTool.report(for: url)

        let reference = ProjReference(epsg: ReportScene.epsg)
        var pixels: [Int: Int] = [:], areas: [Int: Double] = [:]
        var nodata = 0
        for row in 0..<ReportScene.size {
            for column in 0..<ReportScene.size {
                let value = Int(ReportScene.value(row: row, column: column))
                if value == Int(ReportScene.nodata) {
                    nodata += 1
                    continue
                }
                pixels[value, default: 0] += 1
                areas[value, default: 0] += reference.pixelArea(ReportScene.geoTransform, row: row, column: column)
            }
        }
        let validArea = areas.values.reduce(0, +)

        XCTAssertEqual(report.crs, "EPSG:32632")
        XCTAssertTrue(report.areaMethod.contains("geodesic area of each pixel's footprint on the WGS 84 ellipsoid"), report.areaMethod)
        XCTAssertEqual(report.classes.map(\.value), [1, 2, 3, 4, 5, 7])
        XCTAssertEqual(report.classes.map(\.name), ["water", "forest", "cropland", "urban", "grassland", "bare rock"])
        XCTAssertEqual(report.nodataPixels, nodata)
        XCTAssertEqual(report.total.pixels, ReportScene.size * ReportScene.size - nodata)
        var worst = 0.0
        for row in report.classes {
            XCTAssertEqual(row.pixels, pixels[row.value] ?? 0, row.name)
            let expected = areas[row.value] ?? 0
            if expected == 0 {
                XCTAssertEqual(row.areaSquareMetres, 0, row.name)
                continue
            }
            let relative = abs(row.areaSquareMetres - expected) / expected
            worst = max(worst, relative)
            XCTAssertLessThan(relative, 1e-6, "\(row.name): report \(row.areaSquareMetres) m², PROJ \(expected) m²")
            XCTAssertEqual(row.fraction, expected / validArea, accuracy: 1e-6)
            XCTAssertEqual(row.areaHectares, row.areaSquareMetres / 10_000)
        }
        XCTAssertEqual(report.total.areaSquareMetres, validArea, accuracy: validArea * 1e-6)
        // Nominal 30 m x 30 m pixels would be 0.08% too small here (UTM scale 0.9996): the check has teeth.
        let nominal = Double(report.total.pixels) * 900
        XCTAssertGreaterThan(abs(nominal - validArea) / validArea, 5e-4)
        print("report vs PROJ footprints: worst class relative difference \(worst)")
    }

    func testBlockSizeDoesNotChangeTheReport() throws {
        let folder = try ReportScene.temporaryFolder(self)
        let url = folder.appendingPathComponent("classes.tif")
        try ReportScene.write(to: url)
        let tiled = folder.appendingPathComponent("tiled.tif")
        try ReportScene.write(to: tiled, tileSize: 16)
        let whole = try ReportTool.report(for: url)
        // 256 x 256 tiles: blocks larger than 1,000 or 333 pixels, so full-width strips of 5 rows (the last
        // one short) or 1 row. 16 x 16 tiles: 1,000 and 333 give strips one tile high cut into windows of
        // 48 and 16 columns (200 = 4 x 48 + 8); 3,200 a full-width strip per tile row; 100 single rows.
        for (raster, blockPixels) in [(url, 1000), (url, 333), (tiled, 1000), (tiled, 333), (tiled, 3200), (tiled, 100)] {
            let blocked = try ReportTool.report(for: raster, blockPixels: blockPixels)
            XCTAssertEqual(blocked.classes.map(\.pixels), whole.classes.map(\.pixels))
            XCTAssertEqual(blocked.nodataPixels, whole.nodataPixels)
            for (a, b) in zip(blocked.classes, whole.classes) {
                XCTAssertEqual(a.areaSquareMetres, b.areaSquareMetres, accuracy: b.areaSquareMetres * 1e-12)
            }
        }
    }

    func testWarpedToEPSG4326And3857ReportTheUTMHectaresWithin1Percent() throws {
        let folder = try ReportScene.temporaryFolder(self)
        let utm = folder.appendingPathComponent("utm.tif")
        try ReportScene.write(to: utm)
        let reference = try ReportTool.report(for: utm)

        // About a third of the 30 m pixel on the ground at 60°N: 10 m = 9.0e-5° of latitude, 1.8e-4° of
        // longitude, and 20 Web Mercator metres (scale 1 / cos 60° = 2).
        let targets: [(String, [String])] = [
            ("EPSG:4326", ["-tap", "-tr", "0.00018", "0.00009"]),
            ("EPSG:3857", ["-tap", "-tr", "20", "20"]),
        ]
        for (crs, resolution) in targets {
            let warped = folder.appendingPathComponent("\(crs.replacingOccurrences(of: ":", with: "_")).tif")
            try ReportScene.run("gdalwarp", ["-q", "-t_srs", crs, "-r", "near"] + resolution + [utm.path, warped.path])
            let report = try ReportTool.report(for: warped)
            XCTAssertEqual(report.crs, crs)
            var lines: [String] = []
            for (ours, theirs) in zip(report.classes, reference.classes) {
                XCTAssertEqual(ours.value, theirs.value)
                guard theirs.areaSquareMetres > 0 else {
                    XCTAssertEqual(ours.pixels, 0, "\(crs) \(ours.name)")
                    continue
                }
                let relative = (ours.areaSquareMetres - theirs.areaSquareMetres) / theirs.areaSquareMetres
                lines.append("\(ours.name) \(String(format: "%+.4f%%", relative * 100))")
                XCTAssertLessThan(abs(relative), 0.01, "\(crs) \(ours.name): \(ours.areaHectares) ha vs UTM \(theirs.areaHectares) ha")
            }
            let total = (report.total.areaSquareMetres - reference.total.areaSquareMetres) / reference.total.areaSquareMetres
            print("\(crs) vs UTM: total \(String(format: "%+.4f%%", total * 100)); " + lines.joined(separator: ", "))
            XCTAssertLessThan(abs(total), 0.01)
            if crs == "EPSG:3857" {
                // Counting pixels at their nominal 20 m x 20 m would report about four times the area.
                let nominal = Double(report.total.pixels) * 400
                XCTAssertGreaterThan(nominal / reference.total.areaSquareMetres, 3.5)
            }
        }
    }

    func testClassesFromAModelAndRefusedInputs() throws {
        let folder = try ReportScene.temporaryFolder(self)
        let url = folder.appendingPathComponent("classes.tif")
        try ReportScene.write(to: url)
        let named = try ReportTool.report(
            for: url, classes: [ClassInfo(value: 2, name: "woods", color: [0, 0, 0]), ClassInfo(value: 9, name: "snow", color: [1, 1, 1])])
        // Model names replace the category names; values the model does not name follow as "class V".
        XCTAssertEqual(named.classes.map(\.name), ["woods", "snow", "class 1", "class 3", "class 4", "class 5"])
        XCTAssertEqual(named.classes[1].pixels, 0)

        let float = folder.appendingPathComponent("float.tif")
        try ReportScene.run("gdal_translate", ["-q", "-ot", "Float32", url.path, float.path])
        XCTAssertThrowsError(try ReportTool.report(for: float)) { error in
            XCTAssertEqual((error as? LandUseError)?.kind, .badInput)
            XCTAssertTrue("\(error)".contains("needs integer classes"), "\(error)")
        }
        XCTAssertThrowsError(try ReportTool.report(for: folder.appendingPathComponent("absent.tif"))) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .fileNotFound)
        }
    }

    func testWriteIsAtomicAndRefusesToClobber() throws {
        let folder = try ReportScene.temporaryFolder(self)
        let url = folder.appendingPathComponent("classes.tif")
        try ReportScene.write(to: url)
        let output = folder.appendingPathComponent("areas.csv")
        try Data("keep me\n".utf8).write(to: output)
        XCTAssertThrowsError(try ReportTool.writeReport(for: url, to: output, overwrite: false)) { error in
            XCTAssertEqual((error as? GeoRasterError)?.kind, .outputExists)
        }
        XCTAssertEqual(try String(contentsOf: output, encoding: .utf8), "keep me\n")
        let report = try ReportTool.writeReport(for: url, to: output, overwrite: true)
        XCTAssertEqual(try String(contentsOf: output, encoding: .utf8), report.csv())

        XCTAssertThrowsError(try ReportTool.writeReport(for: url, to: folder.appendingPathComponent("areas.xlsx"), overwrite: false)) { error in
            XCTAssertEqual((error as? LandUseError)?.kind, .badOption)
            XCTAssertTrue("\(error)".contains(".json, .csv or .md"), "\(error)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(left, ["areas.csv", "classes.tif", "classes.tif.aux.xml"])
    }
}
