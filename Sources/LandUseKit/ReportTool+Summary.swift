import Foundation

extension ReportTool {
    /// What `landuse report` did, in one line or as `--json` (keys in docs/cli.md).
    public struct Summary: Codable, Equatable, Sendable {
        /// The report file written.
        public var output: String
        /// "json", "csv" or "markdown".
        public var format: String
        public var raster: String
        public var crs: String
        /// Number of class rows of the whole-raster report.
        public var classes: Int
        /// Number of zones (0 without zones).
        public var zones: Int
        public var totalPixels: Int
        public var totalAreaHectares: Double
        public var nodataPixels: Int

        public init(report: AreaReport, output: String, format: AreaReportFormat) {
            self.output = output
            self.format = format.rawValue
            raster = report.raster
            crs = report.crs
            classes = report.classes.count
            zones = report.zones?.count ?? 0
            totalPixels = report.total.pixels
            totalAreaHectares = report.total.areaHectares
            nodataPixels = report.nodataPixels
        }

        private enum CodingKeys: String, CodingKey {
            case output, format, raster, crs, classes, zones
            case totalPixels = "total_pixels"
            case totalAreaHectares = "total_area_ha"
            case nodataPixels = "nodata_pixels"
        }

        /// One JSON object on one line.
        public func json() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }

        /// "wrote areas.csv: 5 classes, 1234.5678 ha in 40000 pixels (120 nodata), EPSG:32632".
        public var line: String {
            let zoneText = zones > 0 ? ", \(zones) zones" : ""
            return "wrote \(output): \(classes) classes\(zoneText), \(String(format: "%.4f", totalAreaHectares)) ha in "
                + "\(totalPixels) pixels (\(nodataPixels) nodata), \(crs)"
        }
    }
}
