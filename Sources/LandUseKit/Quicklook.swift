import GeoRaster

/// A rendered quicklook of a class raster: the picture and where its parts are.
///
/// The picture is RGB, `[height, width, 3]` with channels fastest, on a white background: a title line
/// (the raster's file name and size), the class map below it (framed in grey), and to the right of the map
/// a legend with a colour swatch and a name per class present in the map (ascending value; a `nodata` entry
/// last when the map shows nodata).
public struct Quicklook: Sendable {
    /// One legend row.
    public struct LegendEntry: Sendable, Equatable {
        /// The class value; nil for the nodata entry.
        public let value: Int?
        public let name: String
        public let color: RasterColor
        /// Where the swatch is painted in the picture (filled with `color`).
        public let swatch: Window
    }

    public let width: Int
    public let height: Int
    public let pixels: [UInt8]
    /// Where the class map is painted in the picture.
    public let map: Window
    /// The class raster's size in pixels.
    public let sourceWidth: Int
    public let sourceHeight: Int
    public let legend: [LegendEntry]
}
