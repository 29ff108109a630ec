import CPROJ
import Foundation
import GeoRaster
import XCTest

/// A synthetic 200 x 200 class raster in UTM zone 32N at 60°N (Norway), 30 m pixels, five named classes
/// and a nodata corner, plus the GDAL tools and the PROJ reference the report tests check against.
enum ReportScene {
    static let epsg = 32632
    static let size = 200
    static let nodata: UInt8 = 255
    /// Upper-left corner 6 km west of the central meridian at about 60.03°N.
    static let geoTransform = GeoTransform(originX: 494_000, pixelWidth: 30, originY: 6_656_000, pixelHeight: -30)
    static let classes = [
        RasterClass(value: 1, name: "water", color: RasterColor(red: 30, green: 90, blue: 200)),
        RasterClass(value: 2, name: "forest", color: RasterColor(red: 20, green: 120, blue: 40)),
        RasterClass(value: 3, name: "cropland", color: RasterColor(red: 230, green: 200, blue: 60)),
        RasterClass(value: 4, name: "urban", color: RasterColor(red: 200, green: 40, blue: 40)),
        RasterClass(value: 5, name: "grassland", color: RasterColor(red: 140, green: 220, blue: 100)),
        RasterClass(value: 7, name: "bare rock", color: RasterColor(red: 120, green: 120, blue: 120)),
    ]

    /// The class of pixel (row, column): blobs with curved edges, a nodata triangle at the top left; class 7
    /// is named but absent.
    static func value(row: Int, column: Int) -> UInt8 {
        if row + column < 30 { return nodata }
        let r = Double(row), c = Double(column)
        if (r - 60) * (r - 60) + (c - 140) * (c - 140) < 35 * 35 { return 1 }
        if row >= 120, row < 170, column >= 20, column < 90 { return 4 }
        if c < 100 + 15 * sin(r / 13) { return 2 }
        if row >= 100 { return 3 }
        return 5
    }

    static var values: [UInt8] {
        (0..<size).flatMap { row in (0..<size).map { value(row: row, column: $0) } }
    }

    /// Writes the scene as a tiled GeoTIFF with category names, a colour table and nodata 255.
    static func write(to url: URL, tileSize: Int = 256) throws {
        let writer = try RasterWriter(
            url: url, width: size, height: size, dataType: .byte, geoTransform: geoTransform,
            crs: try SpatialReference(epsg: epsg), nodata: Double(nodata), classes: classes,
            options: RasterWriteOptions(tileSize: tileSize))
        try writer.write(values, window: Window(width: size, height: size))
        try writer.finish()
    }

    /// A fresh temporary folder, removed when the test ends.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    /// Runs a gdal-bin tool; throws with its stderr on a non-zero exit.
    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: tool, code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "\(tool) failed: \(String(decoding: errors, as: UTF8.self))"])
        }
    }
}

/// Longitude/latitude and geodesic areas straight from PROJ, with none of GeoRaster's code: the reference.
final class ProjReference {
    private let context: OpaquePointer?
    private let operation: OpaquePointer
    private var geodesic = geod_geodesic()

    /// Converts coordinates of EPSG:`epsg` to WGS 84 longitude/latitude; areas on the WGS 84 ellipsoid.
    init(epsg: Int) {
        context = proj_context_create()
        let raw = proj_create_crs_to_crs(context, "EPSG:\(epsg)", "EPSG:4326", nil)!
        operation = proj_normalize_for_visualization(context, raw)!
        proj_destroy(raw)
        geod_init(&geodesic, 6_378_137, 1 / 298.257223563)
    }

    deinit {
        proj_destroy(operation)
        proj_context_destroy(context)
    }

    /// (longitude, latitude) in degrees of a point in the source CRS.
    func lonLat(x: Double, y: Double) -> (lon: Double, lat: Double) {
        let result = proj_trans(operation, PJ_FWD, proj_coord(x, y, 0, 0))
        return (result.xy.x, result.xy.y)
    }

    /// Geodesic area in m² of the footprint of pixel (row, column) of `geoTransform`, each edge split in two.
    func pixelArea(_ geoTransform: GeoTransform, row: Int, column: Int) -> Double {
        let outline: [(Double, Double)] = [(0, 0), (0.5, 0), (1, 0), (1, 0.5), (1, 1), (0.5, 1), (0, 1), (0, 0.5)]
        var lats: [Double] = [], lons: [Double] = []
        for (dc, dr) in outline {
            let x = geoTransform.originX + (Double(column) + dc) * geoTransform.pixelWidth
            let y = geoTransform.originY + (Double(row) + dr) * geoTransform.pixelHeight
            let point = lonLat(x: x, y: y)
            lons.append(point.lon)
            lats.append(point.lat)
        }
        var area = 0.0, perimeter = 0.0
        geod_polygonarea(&geodesic, &lats, &lons, Int32(lats.count), &area, &perimeter)
        return abs(area)
    }
}
