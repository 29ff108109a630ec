/// Everything about a raster except its pixels: size, bands, grid and CRS.
public struct RasterProfile: Sendable, Hashable, Codable {
    /// GDAL driver short name ("GTiff", "VRT", ...).
    public let driver: String
    public let width: Int
    public let height: Int
    public let bands: [RasterBandInfo]
    /// nil when the raster is not georeferenced.
    public let geoTransform: GeoTransform?
    /// nil when the raster has no CRS.
    public let crs: SpatialReference?

    public init(
        driver: String, width: Int, height: Int, bands: [RasterBandInfo], geoTransform: GeoTransform?,
        crs: SpatialReference?
    ) {
        self.driver = driver
        self.width = width
        self.height = height
        self.bands = bands
        self.geoTransform = geoTransform
        self.crs = crs
    }

    public var bandCount: Int { bands.count }
    /// The whole raster as a window.
    public var window: Window { Window(width: width, height: height) }
}
