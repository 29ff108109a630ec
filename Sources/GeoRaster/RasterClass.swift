/// One class of a class (thematic) raster: the pixel value, its name and its display colour.
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
