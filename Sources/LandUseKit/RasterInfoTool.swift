import Foundation
import GeoRaster

/// `landuse info` for rasters: opens a raster read-only and describes it.
public enum RasterInfoTool {
    /// Describes the raster at `url`. Throws `GeoRasterError` (missing file, not a raster, rotated grid).
    public static func report(for url: URL) throws -> RasterInfoReport {
        try RasterDataset.withOpened(url) { RasterInfoReport(url: url, profile: $0.profile) }
    }
}
