/// One class of a class (thematic) raster: the pixel value, its name and its display colour.
///
/// In a GeoTIFF the colour table is a TIFF colour map, which has no alpha: GDAL reads alpha back as 255.
/// The alpha survives in the raster attribute table the writer adds.
public struct RasterClass: Sendable, Hashable, Codable {
    public var value: Int
    public var name: String
    public var color: RasterColor

    public init(value: Int, name: String, color: RasterColor) {
        self.value = value
        self.name = name
        self.color = color
    }
}
