import CGDAL
import Foundation

/// Process-wide GDAL set-up: drivers registered once, and GDAL's messages captured instead of printed.
enum GDALRuntime {
    private static let registered: Void = {
        GDALAllRegister()
        // Errors are turned into GeoRasterError values that carry GDAL's message; printing them as well
        // would put the same text on stderr twice, and warnings from drivers would look like failures.
        CPLSetErrorHandler(CPLQuietErrorHandler)
        // GDAL's block cache defaults to 5% of RAM (1.2 GB on a 23 GB machine), and written blocks stay in it
        // until it is full: classifying a 40,000 x 40,000 scene would hold that much on top of the model.
        // LandUse reads and writes in windows that follow the tiles, so a smaller cache costs nothing.
        if getenv("GDAL_CACHEMAX") == nil { GDALSetCacheMax64(GDALRuntime.blockCacheLimit) }
    }()

    /// GDAL's block cache size when the environment does not set `GDAL_CACHEMAX` (bytes).
    static let blockCacheLimit: Int64 = 128 << 20

    /// Registers the drivers (once) and clears the thread's last GDAL error before a call whose failure
    /// we will report through `GeoRasterError.gdal`.
    static func prepare() {
        _ = registered
        CPLErrorReset()
    }
}
