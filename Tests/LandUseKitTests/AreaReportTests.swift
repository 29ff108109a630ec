import Foundation
import XCTest
import LandUseKit

final class AreaReportTests: XCTestCase {
    private func sampleReport() -> AreaReport {
        var tally = AreaTally()
        for _ in 0..<3 { tally.add(value: 1, area: 812.25) }
        tally.add(value: 5, area: 800)
        tally.add(value: 9, area: 10)
        tally.addNodata(count: 4)
        let classes = tally.classAreas(names: [(1, "developed"), (5, "forest, mixed"), (6, "water")])
        return AreaReport(raster: "scene.tif", crs: "EPSG:32725", areaMethod: "planar", classes: classes, nodataPixels: tally.nodataPixels)
    }

    func testTallyFractionsAndUnnamedValues() {
        let report = sampleReport()
        XCTAssertEqual(report.classes.map(\.value), [1, 5, 6, 9])
        XCTAssertEqual(report.classes.map(\.name), ["developed", "forest, mixed", "water", "class 9"])
        XCTAssertEqual(report.classes[0].areaSquareMetres, 2436.75)
        XCTAssertEqual(report.classes[0].fraction, 2436.75 / 3246.75, accuracy: 1e-15)
        XCTAssertEqual(report.classes[2].pixels, 0)
        XCTAssertEqual(report.total.pixels, 5)
        XCTAssertEqual(report.total.areaHectares, 0.324675, accuracy: 1e-12)
        XCTAssertEqual(report.nodataPixels, 4)
    }

    func testJSONHasTheDocumentedKeys() throws {
        let text = try sampleReport().rendered(as: .json)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["raster", "crs", "area_method", "classes", "total", "nodata_pixels"])
        let first = try XCTUnwrap((object["classes"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(first.keys), ["value", "name", "pixels", "area_m2", "area_ha", "fraction"])
        XCTAssertEqual(first["area_ha"] as? Double, 0.243675)
        XCTAssertEqual(try JSONDecoder().decode(AreaReport.self, from: Data(text.utf8)), sampleReport())
    }

    func testCSVIsOneTidyTableWithTheSameNumbers() throws {
        let lines = sampleReport().csv().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "raster,zone,row_type,value,name,pixels,area_m2,area_ha,fraction")
        XCTAssertEqual(lines[1], "scene.tif,,class,1,developed,3,2436.75,0.243675,\(2436.75 / 3246.75)")
        XCTAssertEqual(lines[2].components(separatedBy: ",").count, 10, "quoted name keeps its comma inside one field")
        XCTAssertTrue(lines[2].contains("\"forest, mixed\""))
        XCTAssertEqual(lines[5], "scene.tif,,total,,,5,3246.75,0.324675,1")
        XCTAssertEqual(lines[6], "scene.tif,,nodata,,,4,,,")
    }

    func testMarkdownAndFormatByExtension() {
        let text = sampleReport().markdown()
        XCTAssertTrue(text.contains("| 1 | developed | 3 | 0.2437 | 2436.75 | 0.7505 |"), text)
        XCTAssertTrue(text.contains("Nodata pixels: 4."))
        XCTAssertEqual(AreaReportFormat(path: "a/b.CSV"), .csv)
        XCTAssertEqual(AreaReportFormat(path: "r.md"), .markdown)
        XCTAssertNil(AreaReportFormat(path: "r.txt"))
    }
}
