import CGDAL
import Foundation

/// A raster opened read-only through GDAL. Owns the GDAL dataset handle and closes it in `deinit`.
///
/// Prefer the scoped `RasterDataset.withOpened(url) { dataset in ... }`. A dataset is not safe to read from
/// two threads at once (GDAL datasets are not thread-safe); open one per thread instead.
public final class RasterDataset {
    let handle: GDALDatasetH
    public let url: URL
    /// Size, bands, grid and CRS, read once when the dataset is opened.
    public let profile: RasterProfile

    /// Opens `url` read-only.
    ///
    /// Throws `fileNotFound`, `notARaster`, or `unsupportedGeoTransform` (rotated or sheared grids).
    public init(url: URL) throws {
        GDALRuntime.prepare()
        let path = url.path
        if !path.hasPrefix("/vsi"), !FileManager.default.fileExists(atPath: path) {
            throw GeoRasterError(
                .fileNotFound, "no file at \(path): check the path (and the working directory for relative paths)")
        }
        let flags = UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR)
        guard let handle = GDALOpenEx(path, flags, nil, nil, nil) else {
            throw GeoRasterError.gdal(
                .notARaster,
                "\(path) is not a raster GDAL can read: pass a GeoTIFF, COG, VRT, JPEG2000 or another format "
                    + "listed by `gdalinfo --formats`")
        }
        self.handle = handle
        self.url = url
        do {
            profile = try RasterDataset.readProfile(handle)
        } catch {
            GDALClose(handle)
            throw error
        }
    }

    deinit { GDALClose(handle) }

    /// Opens `url`, runs `body`, and closes the dataset when `body` returns or throws.
    public static func withOpened<Result>(_ url: URL, _ body: (RasterDataset) throws -> Result) throws -> Result {
        let dataset = try RasterDataset(url: url)
        return try withExtendedLifetime(dataset) { try body(dataset) }
    }

    func band(_ number: Int) -> GDALRasterBandH {
        precondition(number >= 1 && number <= profile.bandCount, "band \(number) of \(profile.bandCount)")
        return GDALGetRasterBand(handle, Int32(number))
    }

    private static func readProfile(_ handle: GDALDatasetH) throws -> RasterProfile {
        let width = Int(GDALGetRasterXSize(handle))
        let height = Int(GDALGetRasterYSize(handle))
        let count = Int(GDALGetRasterCount(handle))
        let path = String(cString: GDALGetDescription(handle))
        guard count > 0 else {
            throw GeoRasterError(
                .notARaster,
                "\(path) has no raster bands (is it a vector file or a container of subdatasets? "
                    + "list them with `gdalinfo \(path)` and open one)")
        }
        let driver = GDALGetDatasetDriver(handle).map { String(cString: GDALGetDriverShortName($0)) } ?? ""

        var coefficients = [Double](repeating: 0, count: 6)
        var geoTransform: GeoTransform?
        if GDALGetGeoTransform(handle, &coefficients) == CE_None {
            geoTransform = try GeoTransform(coefficients: coefficients)
        }
        CPLErrorReset()
        var crs: SpatialReference?
        if let srs = GDALGetSpatialRef(handle) {
            crs = try SpatialReference(handle: srs)
        }

        var bands: [RasterBandInfo] = []
        for number in 1...count {
            let band = GDALGetRasterBand(handle, Int32(number))!
            var hasNodata: Int32 = 0
            let nodata = GDALGetRasterNoDataValue(band, &hasNodata)
            var blockWidth: Int32 = 0, blockHeight: Int32 = 0
            GDALGetBlockSize(band, &blockWidth, &blockHeight)
            var colorTable: [RasterColor]?
            if let table = GDALGetRasterColorTable(band) {
                colorTable = (0..<GDALGetColorEntryCount(table)).map { index in
                    let entry = GDALGetColorEntry(table, index)!.pointee
                    return RasterColor(
                        red: UInt8(clamping: entry.c1), green: UInt8(clamping: entry.c2),
                        blue: UInt8(clamping: entry.c3), alpha: UInt8(clamping: entry.c4))
                }
            }
            bands.append(
                RasterBandInfo(
                    number: number,
                    dataType: RasterDataType(gdal: GDALGetRasterDataType(band)),
                    nodata: hasNodata != 0 ? nodata : nil,
                    maskFlags: MaskFlags(rawValue: GDALGetMaskFlags(band)),
                    colorInterpretation: String(cString: GDALGetColorInterpretationName(GDALGetRasterColorInterpretation(band))),
                    description: String(cString: GDALGetDescription(band)),
                    blockWidth: Int(blockWidth),
                    blockHeight: Int(blockHeight),
                    overviewCount: Int(GDALGetOverviewCount(band)),
                    colorTable: colorTable,
                    categoryNames: stringsFromGDALList(GDALGetRasterCategoryNames(band))))
        }
        return RasterProfile(
            driver: driver, width: width, height: height, bands: bands, geoTransform: geoTransform, crs: crs)
    }
}
