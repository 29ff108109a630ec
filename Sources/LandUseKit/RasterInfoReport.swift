import Foundation
import GeoRaster

/// What `landuse info RASTER` reports, as a Codable value (the `--json` output; keys in docs/cli.md).
public struct RasterInfoReport: Codable, Sendable, Equatable {
    /// The kind of file described; always "raster" for now (model files will report "model").
    public var kind: String = "raster"
    public var path: String
    public var driver: String
    public var width: Int
    public var height: Int
    public var bandCount: Int
    /// GDAL's six coefficients, or nil for a raster without a grid.
    public var geoTransform: [Double]?
    public var crs: CRS?
    public var bands: [Band]

    public struct CRS: Codable, Sendable, Equatable {
        public var name: String
        /// "EPSG:31985", or nil when the CRS has no authority code.
        public var authority: String?
        /// "geographic", "projected" or "other".
        public var type: String
        /// Linear unit of a projected CRS ("metre"), "degree" for geographic.
        public var unit: String
        /// Metres per linear unit (projected CRS only).
        public var metersPerUnit: Double?
        /// WKT2 (2019), one line.
        public var wkt: String

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(authority, forKey: .authority)
            try container.encode(type, forKey: .type)
            try container.encode(unit, forKey: .unit)
            try container.encode(metersPerUnit, forKey: .metersPerUnit)
            try container.encode(wkt, forKey: .wkt)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(path, forKey: .path)
        try container.encode(driver, forKey: .driver)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(bandCount, forKey: .bandCount)
        try container.encode(geoTransform, forKey: .geoTransform)
        try container.encode(crs, forKey: .crs)
        try container.encode(bands, forKey: .bands)
    }

    public struct Band: Codable, Sendable, Equatable {
        /// 1-based band number.
        public var band: Int
        public var dataType: String
        /// The nodata value; NaN is written as the string "NaN" in JSON.
        public var nodata: Double?
        /// GDAL mask flags: "ALL_VALID", "PER_DATASET", "ALPHA", "NODATA".
        public var mask: [String]
        public var colorInterpretation: String
        public var description: String
        /// [width, height] of a block in pixels.
        public var block: [Int]
        public var overviews: Int
        /// Number of colour-table entries, nil without a colour table.
        public var colorTableEntries: Int?
        /// Category names indexed by pixel value (empty when none).
        public var categories: [String]

        // Written by hand so that absent values appear as JSON null rather than missing keys.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(band, forKey: .band)
            try container.encode(dataType, forKey: .dataType)
            try container.encode(nodata, forKey: .nodata)
            try container.encode(mask, forKey: .mask)
            try container.encode(colorInterpretation, forKey: .colorInterpretation)
            try container.encode(description, forKey: .description)
            try container.encode(block, forKey: .block)
            try container.encode(overviews, forKey: .overviews)
            try container.encode(colorTableEntries, forKey: .colorTableEntries)
            try container.encode(categories, forKey: .categories)
        }
    }

    public init(url: URL, profile: RasterProfile) {
        path = url.path
        driver = profile.driver
        width = profile.width
        height = profile.height
        bandCount = profile.bandCount
        geoTransform = profile.geoTransform?.coefficients
        crs = profile.crs.map { crs in
            CRS(
                name: crs.name, authority: crs.authorityCode, type: crs.kind.rawValue, unit: crs.unitName,
                metersPerUnit: crs.metersPerUnit, wkt: crs.wkt)
        }
        bands = profile.bands.map { band in
            Band(
                band: band.number, dataType: band.dataType.rawValue, nodata: band.nodata, mask: band.maskFlags.names,
                colorInterpretation: band.colorInterpretation, description: band.description,
                block: [band.blockWidth, band.blockHeight], overviews: band.overviewCount,
                colorTableEntries: band.colorTable?.count, categories: band.categoryNames)
        }
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The readable summary `landuse info` prints.
    public var summary: String {
        var lines: [String] = []
        func line(_ label: String, _ value: String) {
            lines.append(label.padding(toLength: 12, withPad: " ", startingAt: 0) + value)
        }
        lines.append("\(URL(fileURLWithPath: path).lastPathComponent) (\(driver))")
        line("size", "\(width) x \(height) pixels, \(bandCount) band\(bandCount == 1 ? "" : "s")")
        if let crs {
            let code = crs.authority.map { " (\($0))" } ?? ""
            let factor = crs.metersPerUnit.map { $0 == 1 ? "" : ", \($0) m per unit" } ?? ""
            line("CRS", "\(crs.name)\(code), \(crs.type), unit \(crs.unit)\(factor)")
        } else {
            line("CRS", "none")
        }
        if let g = geoTransform {
            line("origin", "x \(g[0]), y \(g[3])")
            line("pixel size", "\(g[1]) x \(g[5])")
            let right = g[0] + Double(width) * g[1], bottom = g[3] + Double(height) * g[5]
            line("extent", "x \(min(g[0], right)) ... \(max(g[0], right)), y \(min(g[3], bottom)) ... \(max(g[3], bottom))")
        } else {
            line("grid", "none (not georeferenced)")
        }
        for band in bands {
            var parts = [band.dataType]
            parts.append("nodata " + (band.nodata.map { $0.isNaN ? "NaN" : "\($0)" } ?? "none"))
            parts.append("mask " + band.mask.joined(separator: "+"))
            parts.append(band.colorInterpretation)
            parts.append("block \(band.block[0])x\(band.block[1])")
            if band.overviews > 0 { parts.append("\(band.overviews) overviews") }
            if let entries = band.colorTableEntries { parts.append("colour table (\(entries) entries)") }
            let named = band.categories.filter { !$0.isEmpty }.count
            if named > 0 { parts.append("\(named) named categories") }
            if !band.description.isEmpty { parts.append("\"\(band.description)\"") }
            line("band \(band.band)", parts.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
