import Foundation
import XCTest

/// `landuse report` run as a program: the three formats agree, CSV parses in Python's csv module, and every
/// failure exits non-zero with its fix on stderr and leaves no file behind.
final class ReportCommandTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    private func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    /// The NLCD fixture with 0 (outside the island) as nodata, and a zones GeoJSON in EPSG:4326.
    private func makeInputs(in folder: URL) throws -> (raster: URL, zones: URL) {
        let raster = folder.appendingPathComponent("lc.tif")
        try CLITestSupport.checkedTool(["gdal_translate", "-q", "-a_nodata", "0", fixtures.appendingPathComponent("lc.tif").path, raster.path])
        let zones = folder.appendingPathComponent("zones.geojson")
        try Data("""
            {"type": "FeatureCollection", "features": [
             {"type": "Feature", "properties": {"municipio": "San Juan, PR", "id": 1},
              "geometry": {"type": "Polygon", "coordinates": [[[-66.3, 18.2], [-65.9, 18.2], [-65.9, 18.5], [-66.3, 18.5], [-66.3, 18.2]]]}},
             {"type": "Feature", "properties": {"municipio": "Ponce", "id": 2},
              "geometry": {"type": "Polygon", "coordinates": [[[-66.8, 17.9], [-66.4, 17.95], [-66.5, 18.2], [-66.8, 18.1], [-66.8, 17.9]]]}}]}
            """.utf8).write(to: zones)
        return (raster, zones)
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testJSONCSVAndMarkdownCarryTheSameNumbers() throws {
        let folder = try temporaryFolder()
        let (raster, zones) = try makeInputs(in: folder)
        for name in ["areas.json", "areas.csv", "areas.md"] {
            let result = try LandUseBinary.run(
                ["report", "lc.tif", "--zones", zones.path, "--zone-field", "municipio", "--output", name], in: folder)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.hasPrefix("wrote \(name): "), result.stdout)
            XCTAssertTrue(result.stdout.contains("2 zones"), result.stdout)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: raster.path))
        let report = try json(try String(contentsOf: folder.appendingPathComponent("areas.json"), encoding: .utf8))
        XCTAssertEqual(report["raster"] as? String, "lc.tif")
        XCTAssertTrue((report["area_method"] as? String ?? "").contains("equal-area projection"), "\(report)")
        let classes = try XCTUnwrap(report["classes"] as? [[String: Any]])
        let zoneList = try XCTUnwrap(report["zones"] as? [[String: Any]])
        XCTAssertEqual(zoneList.map { $0["zone"] as? String }, ["San Juan, PR", "Ponce"])
        XCTAssertFalse(classes.contains { $0["value"] as? Int == 0 }, "0 is nodata, not a class")
        XCTAssertEqual(report["nodata_pixels"] as? Int, 2615)

        // Python's csv module reads the tidy table: header, one row per class, total and nodata, for the
        // raster and each zone.
        let script = """
            import csv, json, sys
            rows = list(csv.DictReader(open(sys.argv[1], newline="")))
            print(json.dumps({"header": list(rows[0].keys()), "rows": rows}))
            """
        let parsed = try json(try CLITestSupport.checkedTool(["python3", "-c", script, folder.appendingPathComponent("areas.csv").path]))
        XCTAssertEqual(parsed["header"] as? [String], ["raster", "zone", "row_type", "value", "name", "pixels", "area_m2", "area_ha", "fraction"])
        let rows = try XCTUnwrap(parsed["rows"] as? [[String: String]])
        let zoneClassCount = zoneList.reduce(0) { $0 + (($1["classes"] as? [Any])?.count ?? 0) }
        XCTAssertEqual(rows.count, classes.count + 2 + zoneClassCount + 2 * zoneList.count)
        XCTAssertEqual(Set(rows.map { $0["zone"]! }), ["", "San Juan, PR", "Ponce"])
        let markdown = try String(contentsOf: folder.appendingPathComponent("areas.md"), encoding: .utf8)
        for item in classes {
            let value = item["value"] as! Int, pixels = item["pixels"] as! Int, area = item["area_m2"] as! Double
            let row = try XCTUnwrap(rows.first { $0["zone"] == "" && $0["row_type"] == "class" && $0["value"] == "\(value)" })
            XCTAssertEqual(row["pixels"], "\(pixels)")
            // Foundation's JSONSerialization on Linux can be off in the 17th digit; the files themselves agree.
            XCTAssertEqual(Double(row["area_m2"]!)!, area, accuracy: area * 1e-15)
            let fraction = item["fraction"] as! Double
            XCTAssertEqual(Double(row["fraction"]!)!, fraction, accuracy: fraction * 1e-15)
            XCTAssertTrue(markdown.contains("| \(value) | \(item["name"] as! String) | \(pixels) | \(String(format: "%.4f", area / 10_000)) |"), "class \(value)")
        }
        let total = try XCTUnwrap(report["total"] as? [String: Any])
        let totalRow = try XCTUnwrap(rows.first { $0["zone"] == "" && $0["row_type"] == "total" })
        XCTAssertEqual(Double(totalRow["area_m2"]!)!, total["area_m2"] as! Double, accuracy: (total["area_m2"] as! Double) * 1e-15)
        XCTAssertEqual(rows.first { $0["zone"] == "" && $0["row_type"] == "nodata" }?["pixels"], "2615")
        XCTAssertTrue(markdown.contains("## Zone Ponce"))
        // 3 km Albers pixels: every pixel is exactly 900 ha.
        XCTAssertEqual(total["area_ha"] as? Double, Double(total["pixels"] as! Int) * 900)
    }

    func testStdoutReportAndJSONSummary() throws {
        let folder = try temporaryFolder()
        _ = try makeInputs(in: folder)
        let printed = try LandUseBinary.run(["report", "lc.tif", "--output", "-"], in: folder)
        XCTAssertEqual(printed.status, 0, printed.stderr)
        let report = try json(printed.stdout)
        XCTAssertNotNil(report["classes"] as? [[String: Any]])
        XCTAssertNil(report["zones"])

        let summary = try LandUseBinary.run(["report", "lc.tif", "--output", "areas.csv", "--json"], in: folder)
        XCTAssertEqual(summary.status, 0, summary.stderr)
        let object = try json(summary.stdout)
        XCTAssertEqual(
            Set(object.keys), ["output", "format", "raster", "crs", "classes", "zones", "total_pixels", "total_area_ha", "nodata_pixels"])
        XCTAssertEqual(object["format"] as? String, "csv")
        XCTAssertEqual(object["classes"] as? Int, (report["classes"] as? [Any])?.count)
        XCTAssertEqual(object["total_area_ha"] as! Double, (report["total"] as! [String: Any])["area_ha"] as! Double, accuracy: 1e-6)
    }

    func testFailuresExitNonZeroExplainAndLeaveNoFile() throws {
        let folder = try temporaryFolder()
        let (_, zones) = try makeInputs(in: folder)
        let existing = folder.appendingPathComponent("areas.json")
        try Data("{}\n".utf8).write(to: existing)

        let clobber = try LandUseBinary.run(["report", "lc.tif", "--output", "areas.json"], in: folder)
        XCTAssertEqual(clobber.status, 1)
        XCTAssertTrue(clobber.stderr.contains("already exists") && clobber.stderr.contains("--overwrite"), clobber.stderr)
        XCTAssertEqual(try String(contentsOf: existing, encoding: .utf8), "{}\n")
        let replaced = try LandUseBinary.run(["report", "lc.tif", "--output", "areas.json", "--overwrite"], in: folder)
        XCTAssertEqual(replaced.status, 0, replaced.stderr)
        XCTAssertNotNil(try json(try String(contentsOf: existing, encoding: .utf8))["classes"])

        let cases: [(arguments: [String], message: String, output: String)] = [
            (["report", "lc.tif", "--output", "areas.xlsx"], "end the output name with .json, .csv or .md", "areas.xlsx"),
            (["report", "missing.tif", "--output", "m.csv"], "no file at", "m.csv"),
            (["report", "zones.geojson", "--output", "v.csv"], "is not a raster GDAL can read", "v.csv"),
            (["report", "lc.tif", "--zones", zones.path, "--zone-field", "name", "--output", "z.csv"],
             "has no field \"name\"; its fields are municipio, id", "z.csv"),
            (["report", "lc.tif", "--zones", "nowhere.gpkg", "--output", "n.csv"], "no zones file at", "n.csv"),
            (["report", "lc.tif", "--output", "nofolder/a.csv"], "does not exist: create it first", "nofolder/a.csv"),
        ]
        for item in cases {
            let result = try LandUseBinary.run(item.arguments, in: folder)
            XCTAssertEqual(result.status, 1, item.arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains(item.message), "\(item.arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(item.output).path), item.output)
        }
        let usage = try LandUseBinary.run(["report", "lc.tif", "--zone-field", "municipio", "--output", "u.csv"], in: folder)
        XCTAssertEqual(usage.status, 64)
        XCTAssertTrue(usage.stderr.contains("--zone-field and --zone-layer need --zones"), usage.stderr)
        let missingOutput = try LandUseBinary.run(["report", "lc.tif"], in: folder)
        XCTAssertEqual(missingOutput.status, 64)
        XCTAssertTrue(missingOutput.stderr.contains("--output"), missingOutput.stderr)

        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(left, ["areas.json", "lc.tif", "lc.tif.aux.xml", "zones.geojson"], "no temporary or partial files remain")
    }
}
