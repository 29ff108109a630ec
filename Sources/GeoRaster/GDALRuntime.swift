import CGDAL
import Foundation

/// Process-wide GDAL set-up: drivers registered once, and GDAL's messages captured instead of printed.
enum GDALRuntime {
    private static let registered: Void = {
        GDALAllRegister()
        // Errors are turned into GeoRasterError values that carry GDAL's message; printing them as well
        // would put the same text on stderr twice, and warnings from drivers would look like failures.
        CPLSetErrorHandler(CPLQuietErrorHandler)
    }()

    /// Registers the drivers (once) and clears the thread's last GDAL error before a call whose failure
    /// we will report through `GeoRasterError.gdal`.
    static func prepare() {
        _ = registered
        CPLErrorReset()
    }
}
