import CGDAL
import Foundation

/// Writes a GeoTIFF or COG block by block, atomically. Owns the GDAL dataset being written.
///
/// Create it, `write` windows in any order (samples `[rows, columns, bands]`, bands fastest, as `PixelBlock`
/// holds them), then `finish()`: overviews are built, a COG is copied out through GDAL's COG driver, and the
/// finished file is renamed onto the target. Until then the output lives under a hidden temporary name in
/// the target folder; a writer dropped without `finish()` deletes it.
public final class RasterWriter {
    public let url: URL
    public let width: Int
    public let height: Int
    public let bandCount: Int
    public let dataType: RasterDataType
    public let options: RasterWriteOptions
    private var handle: GDALDatasetH?
    private let output: AtomicOutput
    private let stage: URL
    private let classes: [RasterClass]

    /// Creates the writer.
    ///
    /// - Parameters:
    ///   - geoTransform, crs: the grid; nil leaves the output without one.
    ///   - nodata: the nodata value of every band.
    ///   - classes: for a 1-band Byte or UInt16 class raster: writes a colour table, category names and a
    ///     raster attribute table so GIS tools (QGIS) show the class names and colours.
    ///   - bandDescriptions: optional description per band.
    /// Throws `outputExists` (unless `options.overwrite`), `unwritableOutput`, `unsupportedDataType`,
    /// `badValues`.
    public init(
        url: URL, width: Int, height: Int, bandCount: Int = 1, dataType: RasterDataType,
        geoTransform: GeoTransform?, crs: SpatialReference?, nodata: Double? = nil, classes: [RasterClass] = [],
        bandDescriptions: [String] = [], options: RasterWriteOptions = RasterWriteOptions()
    ) throws {
        precondition(width > 0 && height > 0 && bandCount > 0, "raster size \(width) x \(height) x \(bandCount)")
        precondition(bandDescriptions.isEmpty || bandDescriptions.count == bandCount, "one description per band")
        guard dataType.isReadable else {
            throw GeoRasterError(
                .unsupportedDataType, "LandUse writes Byte, UInt16, Int16, UInt32, Int32, Float32 or Float64, not \(dataType.rawValue)")
        }
        if !classes.isEmpty {
            guard bandCount == 1, dataType == .byte || dataType == .uint16 else {
                throw GeoRasterError(
                    .badValues, "class names and colours need a 1-band Byte or UInt16 raster, not \(bandCount) x \(dataType.rawValue)")
            }
            let limit = dataType == .byte ? 255 : 65535
            for item in classes where item.value < 0 || item.value > limit {
                throw GeoRasterError(
                    .badValues, "class value \(item.value) (\(item.name)) does not fit \(dataType.rawValue): use values 0...\(limit)")
            }
        }
        self.url = url
        self.width = width
        self.height = height
        self.bandCount = bandCount
        self.dataType = dataType
        self.options = options
        self.classes = classes.sorted { $0.value < $1.value }
        output = try AtomicOutput(target: url, overwrite: options.overwrite)
        stage = options.layout == .cloudOptimizedGeoTIFF ? output.intermediate("stage") : output.temporary

        GDALRuntime.prepare()
        let driver = GDALGetDriverByName("GTiff")
        // A COG's stage is read once more by the COG copy, which compresses the final file: the stage only needs
        // to be small on disk and quick to write and read back (ZSTD level 1 where GDAL has it).
        let stageCompression = options.layout == .cloudOptimizedGeoTIFF ? RasterWriter.fastCompression : ["COMPRESS": options.compression]
        var creation = [
            "TILED": "YES", "BLOCKXSIZE": "\(options.tileSize)", "BLOCKYSIZE": "\(options.tileSize)", "BIGTIFF": "IF_SAFER",
        ].merging(stageCompression) { _, stage in stage }
        if bandCount > 1 { creation["INTERLEAVE"] = "PIXEL" }
        if options.layout == .geoTIFF {
            creation.merge(options.creationOptions) { _, user in user }
        }
        let list = GDALStringList(creation.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        guard
            let handle = GDALCreate(
                driver, stage.path, Int32(width), Int32(height), Int32(bandCount), dataType.gdal, list.pointer)
        else {
            throw GeoRasterError.gdal(
                .unwritableOutput,
                "GDAL could not create \(url.path): check the folder is writable and the creation options are valid")
        }
        self.handle = handle
        do {
            try configure(
                handle, geoTransform: geoTransform, crs: crs, nodata: nodata, bandDescriptions: bandDescriptions)
        } catch {
            GDALClose(handle)
            self.handle = nil
            AtomicOutput.remove(stage)
            throw error
        }
    }

    /// A writer on the grid of `profile` (or of `window` of it): geotransform and CRS copied exactly.
    public convenience init(
        url: URL, like profile: RasterProfile, window: Window? = nil, bandCount: Int = 1, dataType: RasterDataType,
        nodata: Double? = nil, classes: [RasterClass] = [], bandDescriptions: [String] = [],
        options: RasterWriteOptions = RasterWriteOptions()
    ) throws {
        let window = window ?? profile.window
        try window.validate(width: profile.width, height: profile.height)
        try self.init(
            url: url, width: window.columnCount, height: window.rowCount, bandCount: bandCount, dataType: dataType,
            geoTransform: profile.geoTransform?.shifted(to: window), crs: profile.crs, nodata: nodata,
            classes: classes, bandDescriptions: bandDescriptions, options: options)
    }

    deinit {
        if let handle {
            GDALClose(handle)
            AtomicOutput.remove(stage)
            output.discard()
        }
    }

    /// Writes samples of `window`, layout `[rows, columns, bands]` with bands fastest.
    ///
    /// `bands` are 1-based band numbers (all bands when nil); GDAL converts `T` to the file's type.
    public func write<T: RasterScalar>(_ values: [T], window: Window, bands: [Int]? = nil) throws {
        guard let handle else { preconditionFailure("write after finish()") }
        let bands = bands ?? Array(1...bandCount)
        try window.validate(width: width, height: height)
        guard bands.allSatisfy({ $0 >= 1 && $0 <= bandCount }) else {
            throw GeoRasterError(.badBands, "band numbers \(bands) do not fit a \(bandCount)-band output: use 1...\(bandCount)")
        }
        guard values.count == window.pixelCount * bands.count else {
            throw GeoRasterError(
                .badValues,
                "got \(values.count) samples for \(window) x \(bands.count) band(s), expected "
                    + "\(window.pixelCount * bands.count) in [rows, columns, bands] order")
        }
        let size = MemoryLayout<T>.stride
        var bandMap = bands.map { Int32($0) }
        GDALRuntime.prepare()
        let status = values.withUnsafeBytes { buffer in
            GDALDatasetRasterIO(
                handle, GF_Write, Int32(window.columnOffset), Int32(window.rowOffset), Int32(window.columnCount),
                Int32(window.rowCount), UnsafeMutableRawPointer(mutating: buffer.baseAddress),
                Int32(window.columnCount), Int32(window.rowCount), T.rasterDataType.gdal, Int32(bands.count),
                &bandMap, Int32(size * bands.count), Int32(size * bands.count * window.columnCount), Int32(size))
        }
        guard status == CE_None else {
            throw GeoRasterError.gdal(.writeFailed, "writing \(window) to \(url.path) failed: check free disk space")
        }
    }

    /// Builds overviews, writes the COG if asked, and renames the result onto `url`. Returns `url`.
    @discardableResult
    public func finish() throws -> URL {
        guard let handle else { preconditionFailure("finish() called twice") }
        self.handle = nil
        do {
            if let resampling = options.overviews {
                var levels = overviewLevels()
                if !levels.isEmpty {
                    // Mode overviews of a class raster are computed by `ModeOverviews` (same pixels as GDAL's,
                    // a fraction of the time); GDAL only creates the empty levels ("NONE").
                    let ownMode = resampling == .mode && bandCount == 1 && (dataType == .byte || dataType == .uint16)
                    GDALRuntime.prepare()
                    guard
                        GDALBuildOverviews(
                            handle, ownMode ? "NONE" : resampling.rawValue, Int32(levels.count), &levels, 0, nil, nil, nil) == CE_None
                    else {
                        GDALClose(handle)
                        throw GeoRasterError.gdal(.writeFailed, "building overviews of \(url.path) failed")
                    }
                    if ownMode {
                        let band = GDALGetRasterBand(handle, 1)!
                        var hasNodata: Int32 = 0
                        let nodata = GDALGetRasterNoDataValue(band, &hasNodata)
                        do {
                            try ModeOverviews.fill(band: band, nodata: hasNodata != 0 ? nodata : nil)
                        } catch {
                            GDALClose(handle)
                            throw error
                        }
                    }
                }
            }
            GDALRuntime.prepare()
            GDALClose(handle)
            guard CPLGetLastErrorType() != CE_Failure, CPLGetLastErrorType() != CE_Fatal else {
                throw GeoRasterError.gdal(.writeFailed, "closing \(url.path) failed: check free disk space")
            }
            if options.layout == .cloudOptimizedGeoTIFF {
                try translateToCOG()
                AtomicOutput.remove(stage)
            }
            try output.commit()
        } catch {
            AtomicOutput.remove(stage)
            output.discard()
            throw error
        }
        return url
    }

    /// The stage compression of COG outputs: ZSTD level 1 when GDAL's GTiff driver has it, else none.
    static let fastCompression: [String: String] = {
        GDALRuntime.prepare()
        let list = GDALGetMetadataItem(GDALGetDriverByName("GTiff"), GDAL_DMD_CREATIONOPTIONLIST, nil).map { String(cString: $0) } ?? ""
        return list.contains("ZSTD") ? ["COMPRESS": "ZSTD", "ZSTD_LEVEL": "1"] : ["COMPRESS": "NONE"]
    }()

    /// Overview factors 2, 4, 8, ... until the smallest level fits one tile.
    private func overviewLevels() -> [Int32] {
        var levels: [Int32] = []
        var factor = 2
        while max(width, height) > options.tileSize * factor / 2 {
            levels.append(Int32(factor))
            factor *= 2
        }
        return levels
    }

    private func translateToCOG() throws {
        var creation = [
            "COMPRESS": options.compression, "BLOCKSIZE": "\(options.tileSize)", "BIGTIFF": "IF_SAFER",
            "OVERVIEWS": options.overviews == nil ? "NONE" : "FORCE_USE_EXISTING",
            // The copy runs after the model has finished, when every core is free: compress on all of them.
            "NUM_THREADS": "ALL_CPUS",
        ]
        creation.merge(options.creationOptions) { _, user in user }
        var arguments = ["-of", "COG"]
        for (key, value) in creation.sorted(by: { $0.key < $1.key }) { arguments += ["-co", "\(key)=\(value)"] }
        GDALRuntime.prepare()
        guard let source = GDALOpenEx(stage.path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else {
            throw GeoRasterError.gdal(.writeFailed, "could not reopen the staged raster for the COG copy of \(url.path)")
        }
        defer { GDALClose(source) }
        let list = GDALStringList(arguments)
        guard let translateOptions = GDALTranslateOptionsNew(list.pointer, nil) else {
            throw GeoRasterError.gdal(.writeFailed, "GDAL rejected the COG creation options \(creation): fix them")
        }
        defer { GDALTranslateOptionsFree(translateOptions) }
        var usageError: Int32 = 0
        guard let result = GDALTranslate(output.temporary.path, source, translateOptions, &usageError) else {
            throw GeoRasterError.gdal(.writeFailed, "GDAL's COG driver could not write \(url.path)")
        }
        GDALClose(result)
    }

    private func configure(
        _ handle: GDALDatasetH, geoTransform: GeoTransform?, crs: SpatialReference?, nodata: Double?,
        bandDescriptions: [String]
    ) throws {
        if let geoTransform {
            var coefficients = geoTransform.coefficients
            guard GDALSetGeoTransform(handle, &coefficients) == CE_None else {
                throw GeoRasterError.gdal(.writeFailed, "GDAL refused the geotransform \(coefficients)")
            }
        }
        if let crs {
            let srs = try crs.makeHandle()
            defer { OSRRelease(srs) }
            guard GDALSetSpatialRef(handle, srs) == CE_None else {
                throw GeoRasterError.gdal(.writeFailed, "GDAL refused the CRS \(crs.name)")
            }
        }
        for number in 1...bandCount {
            let band = GDALGetRasterBand(handle, Int32(number))
            if let nodata {
                guard GDALSetRasterNoDataValue(band, nodata) == CE_None else {
                    throw GeoRasterError.gdal(.badValues, "GDAL refused nodata \(nodata) for a \(dataType.rawValue) band")
                }
            }
            if !bandDescriptions.isEmpty { GDALSetDescription(band, bandDescriptions[number - 1]) }
        }
        if !classes.isEmpty { try writeClassTables(GDALGetRasterBand(handle, 1)) }
    }

    /// Colour table + category names (what QGIS's paletted renderer reads for labels) + a thematic
    /// raster attribute table (what QGIS 3.30+ and ArcGIS show as the class table).
    private func writeClassTables(_ band: GDALRasterBandH) throws {
        let entryCount = (classes.map(\.value).max() ?? 0) + 1
        let table = GDALCreateColorTable(GPI_RGB)
        defer { GDALDestroyColorTable(table) }
        var names = [String](repeating: "", count: entryCount)
        for index in 0..<entryCount {
            var entry = GDALColorEntry(c1: 0, c2: 0, c3: 0, c4: 0)
            GDALSetColorEntry(table, Int32(index), &entry)
        }
        for item in classes {
            var entry = GDALColorEntry(
                c1: Int16(item.color.red), c2: Int16(item.color.green), c3: Int16(item.color.blue),
                c4: Int16(item.color.alpha))
            GDALSetColorEntry(table, Int32(item.value), &entry)
            names[item.value] = item.name
        }
        guard GDALSetRasterColorTable(band, table) == CE_None else {
            throw GeoRasterError.gdal(.writeFailed, "GDAL refused the colour table of \(url.path)")
        }
        GDALSetRasterColorInterpretation(band, GCI_PaletteIndex)
        let nameList = GDALStringList(names)
        guard GDALSetRasterCategoryNames(band, nameList.pointer) == CE_None else {
            throw GeoRasterError.gdal(.writeFailed, "GDAL refused the category names of \(url.path)")
        }

        let rat = GDALCreateRasterAttributeTable()
        defer { GDALDestroyRasterAttributeTable(rat) }
        GDALRATSetTableType(rat, GRTT_THEMATIC)
        GDALRATCreateColumn(rat, "value", GFT_Integer, GFU_MinMax)
        GDALRATCreateColumn(rat, "class_name", GFT_String, GFU_Name)
        GDALRATCreateColumn(rat, "red", GFT_Integer, GFU_Red)
        GDALRATCreateColumn(rat, "green", GFT_Integer, GFU_Green)
        GDALRATCreateColumn(rat, "blue", GFT_Integer, GFU_Blue)
        GDALRATCreateColumn(rat, "alpha", GFT_Integer, GFU_Alpha)
        GDALRATSetRowCount(rat, Int32(classes.count))
        for (row, item) in classes.enumerated() {
            let row = Int32(row)
            GDALRATSetValueAsInt(rat, row, 0, Int32(item.value))
            GDALRATSetValueAsString(rat, row, 1, item.name)
            GDALRATSetValueAsInt(rat, row, 2, Int32(item.color.red))
            GDALRATSetValueAsInt(rat, row, 3, Int32(item.color.green))
            GDALRATSetValueAsInt(rat, row, 4, Int32(item.color.blue))
            GDALRATSetValueAsInt(rat, row, 5, Int32(item.color.alpha))
        }
        guard GDALSetDefaultRAT(band, rat) == CE_None else {
            throw GeoRasterError.gdal(.writeFailed, "GDAL refused the attribute table of \(url.path)")
        }
    }
}
