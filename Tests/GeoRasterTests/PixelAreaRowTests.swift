import GeoRaster
import XCTest

/// `areas(row:columns:)` (the fast path area reports use) gives exactly the numbers of `area(row:column:)`.
final class PixelAreaRowTests: XCTestCase {
    func testRowAreasEqualPixelAreasBitForBit() throws {
        let grids: [(Int, GeoTransform)] = [
            (32632, GeoTransform(originX: 300_000, pixelWidth: 30, originY: 6_700_000, pixelHeight: -30)),
            (4326, GeoTransform(originX: 8, pixelWidth: 0.001, originY: 61, pixelHeight: -0.0005)),
            (3857, GeoTransform(originX: 900_000, pixelWidth: 50, originY: 8_400_000, pixelHeight: -50)),
            (6933, GeoTransform(originX: 0, pixelWidth: 1000, originY: 5_000_000, pixelHeight: -1000)),
        ]
        for (epsg, transform) in grids {
            // 517 x 301: more pixels than grid nodes in both directions, a short last node interval.
            let area = try PixelArea(geoTransform: transform, crs: try SpatialReference(epsg: epsg), width: 517, height: 301)
            for row in [0, 1, 150, 299, 300] {
                for columns in [0..<517, 3..<4, 250..<517, 0..<0] {
                    XCTAssertEqual(area.areas(row: row, columns: columns), columns.map { area.area(row: row, column: $0) }, "EPSG:\(epsg) row \(row) \(columns)")
                }
            }
        }
    }
}
