/// How a raster is written: layout, tiling, compression, overviews, GDAL creation options, overwrite.
public struct RasterWriteOptions: Sendable, Hashable {
    /// The file layout.
    public enum Layout: String, Sendable, Hashable {
        /// A tiled GeoTIFF.
        case geoTIFF
        /// A Cloud-Optimized GeoTIFF (GDAL's COG driver): tiles and overviews ordered for HTTP range reads.
        case cloudOptimizedGeoTIFF
    }

    public var layout: Layout
    /// Tile edge in pixels (a multiple of 16).
    public var tileSize: Int
    /// GDAL compression name ("DEFLATE", "LZW", "ZSTD", "NONE").
    public var compression: String
    /// Resampling for overviews; nil writes none. Use `.mode` for classes, `.average` for continuous data.
    public var overviews: OverviewResampling?
    /// Extra GDAL creation options passed through as KEY=VALUE (GTiff options for `.geoTIFF`, COG options
    /// for `.cloudOptimizedGeoTIFF`); they override LandUse's defaults.
    public var creationOptions: [String: String]
    /// Replace an existing output. Without it, writing onto an existing file throws `outputExists`.
    public var overwrite: Bool

    public init(
        layout: Layout = .geoTIFF, tileSize: Int = 256, compression: String = "DEFLATE",
        overviews: OverviewResampling? = nil, creationOptions: [String: String] = [:], overwrite: Bool = false
    ) {
        precondition(tileSize > 0 && tileSize % 16 == 0, "tileSize must be a positive multiple of 16, got \(tileSize)")
        self.layout = layout
        self.tileSize = tileSize
        self.compression = compression
        self.overviews = overviews
        self.creationOptions = creationOptions
        self.overwrite = overwrite
    }
}
