/// A rectangle of pixels: `rowCount` rows from `rowOffset`, `columnCount` columns from `columnOffset`.
///
/// Rows count down from the top edge, columns right from the left edge, both from 0.
public struct Window: Sendable, Hashable, Codable, CustomStringConvertible {
    public var columnOffset: Int
    public var rowOffset: Int
    public var columnCount: Int
    public var rowCount: Int

    public init(columnOffset: Int, rowOffset: Int, columnCount: Int, rowCount: Int) {
        self.columnOffset = columnOffset
        self.rowOffset = rowOffset
        self.columnCount = columnCount
        self.rowCount = rowCount
    }

    /// The whole raster of `width` x `height` pixels.
    public init(width: Int, height: Int) {
        self.init(columnOffset: 0, rowOffset: 0, columnCount: width, rowCount: height)
    }

    public var pixelCount: Int { columnCount * rowCount }
    public var rows: Range<Int> { rowOffset..<(rowOffset + rowCount) }
    public var columns: Range<Int> { columnOffset..<(columnOffset + columnCount) }

    public var description: String {
        "rows \(rowOffset)..<\(rowOffset + rowCount), columns \(columnOffset)..<\(columnOffset + columnCount)"
    }

    /// Throws unless the window is non-empty and lies inside a `width` x `height` raster.
    public func validate(width: Int, height: Int) throws {
        guard columnCount > 0, rowCount > 0 else {
            throw GeoRasterError(
                .badWindow,
                "window \(self) is empty: give it at least one row and one column")
        }
        guard columnOffset >= 0, rowOffset >= 0, columnOffset + columnCount <= width,
            rowOffset + rowCount <= height
        else {
            throw GeoRasterError(
                .badWindow,
                "window \(self) reaches outside the raster's \(height) rows x \(width) columns: "
                    + "clip it to rows 0..<\(height) and columns 0..<\(width)")
        }
    }
}
