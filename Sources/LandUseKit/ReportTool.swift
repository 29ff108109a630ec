import Foundation
import GeoRaster

/// `landuse report` (and `landuse classify --report`): pixels and ground area per class of a class raster,
/// for the whole raster and optionally per zone polygon.
///
/// The raster is read in windows of at most `blockPixelLimit` pixels that follow its storage blocks (see
/// `BlockPlan`), and GDAL's cached blocks are released after each strip, so memory does not grow with the
/// raster: a 40,000 x 40,000 tiled raster is read in windows of 256 rows x 8,192 columns. Every pixel counts
/// with its own ground area from `PixelArea` (geodesic on the CRS's ellipsoid, or planar in an equal-area
/// projection), so the same scene in UTM, EPSG:4326 or Web Mercator reports the same hectares. Pixels that
/// GDAL's mask marks invalid (nodata) are counted as nodata, never as a class.
public enum ReportTool {
    /// Upper bound on the pixels read per window (2^21: about 50 MB of working memory).
    public static let blockPixelLimit = 1 << 21

    /// The area report of band `band` of the class raster at `url`.
    ///
    /// - Parameters:
    ///   - classNames: names by class value; nil takes the raster's category names (what LandUse's class
    ///     rasters carry), and values without a name are reported as "class V". Every named class gets a row,
    ///     with zero pixels when absent; rows are in ascending value order.
    ///   - zones: zone polygons; the report then has one entry per zone as well.
    ///   - rasterName: the `raster` field of the report; the path as given by default.
    ///   - blockPixels: at most this many pixels are read at once (at least one row when the raster's blocks are
    ///     larger); the result does not depend on it.
    /// Throws `GeoRasterError` (missing file, not a raster, no CRS, zone problems) and `LandUseError`
    /// (`badInput` for a band that does not hold integer classes).
    public static func report(
        for url: URL, classNames: [Int: String]? = nil, zones: Zones? = nil, band: Int = 1, rasterName: String? = nil,
        blockPixels: Int = blockPixelLimit
    ) throws -> AreaReport {
        precondition(blockPixels > 0, "blockPixels must be positive, got \(blockPixels)")
        let dataset = try RasterDataset(url: url)
        let profile = dataset.profile
        guard band >= 1, band <= profile.bandCount else {
            throw LandUseError(.badOption, "\(url.relativePath) has \(profile.bandCount) band(s), not band \(band): choose a band in 1...\(profile.bandCount)")
        }
        let info = profile.bands[band - 1]
        guard info.dataType.isInteger, info.dataType.isReadable else {
            throw LandUseError(
                .badInput,
                "\(url.relativePath) band \(band) is \(info.dataType.rawValue), and an area report needs integer classes: "
                    + "pass a class raster (Byte, UInt16, Int16, Int32), e.g. `gdal_translate -ot UInt16 IN.tif CLASSES.tif`")
        }
        let names = classList(classNames: classNames, band: info)
        let pixelArea = try PixelArea(profile: profile)
        let zoneLayer = try zones.map { try ZoneLayer(url: $0.url, layer: $0.layer, field: $0.field, raster: profile) }

        var total = AreaTally()
        var zoneTallies = [AreaTally](repeating: AreaTally(), count: zoneLayer?.count ?? 0)
        var block = BlockTally()
        let plan = BlockPlan(profile: profile, band: band, blockPixels: blockPixels)
        for strip in plan.strips {
            for window in plan.windows(in: strip) {
                let values = try classValues(dataset, window: window, band: band, type: info.dataType)
                let isValid = try dataset.validity(window: window, bands: [band])
                var areas: [Double] = []
                areas.reserveCapacity(window.pixelCount)
                for row in window.rows { areas.append(contentsOf: pixelArea.areas(row: row, columns: window.columns)) }
                block.add(values: values, areas: areas, isValid: isValid, range: 0..<window.pixelCount)
                block.flush(into: &total)
                for mask in try zoneLayer?.masks(in: window) ?? [] {
                    let columns = mask.window.columnCount
                    for row in 0..<mask.window.rowCount {
                        let start = (mask.window.rowOffset - window.rowOffset + row) * window.columnCount
                            + mask.window.columnOffset - window.columnOffset
                        block.add(
                            values: values, areas: areas, isValid: isValid, range: start..<(start + columns),
                            inside: mask.isInside, insideStart: row * columns)
                    }
                    block.flush(into: &zoneTallies[mask.zone])
                }
            }
            if plan.releasesBlocks { dataset.releaseCachedBlocks(band: band) }
        }

        let crs = profile.crs.map { $0.authorityCode ?? $0.name } ?? ""
        let zoneAreas = zoneLayer.map { layer in
            layer.zoneNames.enumerated().map { zone, name in
                ZoneArea(zone: name, classes: zoneTallies[zone].classAreas(names: names), nodataPixels: zoneTallies[zone].nodataPixels)
            }
        }
        return AreaReport(
            raster: rasterName ?? url.relativePath, crs: crs, areaMethod: pixelArea.methodDescription,
            classes: total.classAreas(names: names), nodataPixels: total.nodataPixels, zones: zoneAreas)
    }

    /// The area report of a class raster whose classes are `classes` (a model's classes: what
    /// `landuse classify --report` passes for its finished output).
    public static func report(
        for url: URL, classes: [ClassInfo], zones: Zones? = nil, rasterName: String? = nil
    ) throws -> AreaReport {
        var names: [Int: String] = [:]
        for item in classes { names[item.value] = item.name }
        return try report(for: url, classNames: names, zones: zones, rasterName: rasterName)
    }

    /// The format of a report written to `url`, from its extension (.json, .csv, .md).
    /// Throws `badOption` naming the three for any other extension.
    public static func format(forOutput url: URL) throws -> AreaReportFormat {
        guard let format = AreaReportFormat(path: url.path) else {
            throw LandUseError(
                .badOption,
                "cannot tell the report format of \(url.lastPathComponent): end the output name with .json, .csv or .md")
        }
        return format
    }

    /// Writes `report` to `url` in the format its extension names, atomically (temporary name, then rename).
    /// Throws `badOption` for an unknown extension and `GeoRasterError` `outputExists` for an existing file
    /// without `overwrite`.
    public static func write(_ report: AreaReport, to url: URL, overwrite: Bool) throws {
        let format = try format(forOutput: url)
        try AtomicFile.write(Data(try report.rendered(as: format).utf8), to: url, overwrite: overwrite)
    }

    /// Computes the report of `classRaster` and writes it to `output`: the one call behind `landuse report`
    /// and `landuse classify --report`. The output's format and folder and the overwrite rule are checked
    /// before any pixel is read, so a long run does not fail at its end.
    @discardableResult
    public static func writeReport(
        for classRaster: URL, classes: [ClassInfo]? = nil, zones: Zones? = nil, to output: URL, overwrite: Bool,
        rasterName: String? = nil
    ) throws -> AreaReport {
        _ = try format(forOutput: output)
        try AtomicFile.checkWritable(output, overwrite: overwrite)
        let report: AreaReport
        if let classes {
            report = try self.report(for: classRaster, classes: classes, zones: zones, rasterName: rasterName)
        } else {
            report = try self.report(for: classRaster, zones: zones, rasterName: rasterName)
        }
        try write(report, to: output, overwrite: overwrite)
        return report
    }

    /// The named classes in ascending value order: the given names, else the band's non-empty category
    /// names other than the nodata value.
    static func classList(classNames: [Int: String]?, band: RasterBandInfo) -> [(value: Int, name: String)] {
        if let classNames {
            return classNames.sorted { $0.key < $1.key }.map { (value: $0.key, name: $0.value) }
        }
        let nodata = band.nodata.flatMap { $0.isFinite ? Int(exactly: $0) : nil }
        return band.categoryNames.enumerated()
            .filter { !$0.element.isEmpty && $0.offset != nodata }
            .map { (value: $0.offset, name: $0.element) }
    }

    private static func classValues(_ dataset: RasterDataset, window: Window, band: Int, type: RasterDataType) throws -> [Int] {
        if type == .uint32 {
            return try dataset.readSamples(UInt32.self, window: window, band: band).map { Int($0) }
        }
        return try dataset.readSamples(Int32.self, window: window, band: band).map { Int($0) }
    }
}
