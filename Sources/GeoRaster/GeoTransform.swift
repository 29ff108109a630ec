/// The affine map from pixel (column, row) to CRS coordinates, restricted to north-up grids.
///
/// `x = originX + column * pixelWidth`, `y = originY + row * pixelHeight` (pixelHeight is negative for the
/// usual north-up raster). Rotated or sheared geotransforms are refused when a dataset is opened: see the
/// GeoRaster section of docs/DESIGN.md.
public struct GeoTransform: Sendable, Hashable, Codable {
    public var originX: Double
    public var pixelWidth: Double
    public var originY: Double
    public var pixelHeight: Double

    public init(originX: Double, pixelWidth: Double, originY: Double, pixelHeight: Double) {
        self.originX = originX
        self.pixelWidth = pixelWidth
        self.originY = originY
        self.pixelHeight = pixelHeight
    }

    /// GDAL's six coefficients `[originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight]`.
    ///
    /// Throws `unsupportedGeoTransform` when either rotation term is non-zero.
    public init(coefficients c: [Double]) throws {
        precondition(c.count == 6, "a geotransform has 6 coefficients, got \(c.count)")
        guard c[2] == 0, c[4] == 0 else {
            throw GeoRasterError(
                .unsupportedGeoTransform,
                "the raster has a rotated or sheared geotransform \(c) that LandUse does not support: "
                    + "warp it to a north-up grid first, e.g. `gdalwarp INPUT north-up.tif`")
        }
        guard c[1] != 0, c[5] != 0 else {
            throw GeoRasterError(
                .unsupportedGeoTransform,
                "the raster's geotransform \(c) has a zero pixel size: set a valid geotransform "
                    + "(e.g. with `gdal_edit.py -a_ullr`) before using it")
        }
        self.init(originX: c[0], pixelWidth: c[1], originY: c[3], pixelHeight: c[5])
    }

    /// GDAL's six coefficients, rotations zero.
    public var coefficients: [Double] { [originX, pixelWidth, 0, originY, 0, pixelHeight] }

    /// CRS coordinates of a pixel-space point (column, row may be fractional; 0.5 is a pixel centre).
    public func coordinate(column: Double, row: Double) -> (x: Double, y: Double) {
        (originX + column * pixelWidth, originY + row * pixelHeight)
    }

    /// The geotransform of a window of this grid (same pixel size, shifted origin).
    public func shifted(to window: Window) -> GeoTransform {
        let origin = coordinate(column: Double(window.columnOffset), row: Double(window.rowOffset))
        return GeoTransform(originX: origin.x, pixelWidth: pixelWidth, originY: origin.y, pixelHeight: pixelHeight)
    }

    /// |pixelWidth x pixelHeight| in squared CRS units.
    public var planarPixelArea: Double { abs(pixelWidth * pixelHeight) }
}
