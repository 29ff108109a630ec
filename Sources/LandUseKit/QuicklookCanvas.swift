import GeoRaster

/// An RGB picture in memory, `[height, width, 3]` with channels fastest, that quicklooks are painted on.
struct QuicklookCanvas {
    let width: Int
    let height: Int
    private(set) var pixels: [UInt8]

    init(width: Int, height: Int, background: RasterColor) {
        precondition(width > 0 && height > 0, "canvas size \(width) x \(height)")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(Window(width: width, height: height), with: background)
    }

    /// Paints one pixel; coordinates must lie on the canvas.
    @inline(__always)
    mutating func set(column: Int, row: Int, to color: RasterColor) {
        precondition(column >= 0 && column < width && row >= 0 && row < height, "pixel (\(column), \(row)) outside \(width) x \(height)")
        let start = (row * width + column) * 3
        pixels[start] = color.red
        pixels[start + 1] = color.green
        pixels[start + 2] = color.blue
    }

    mutating func fill(_ area: Window, with color: RasterColor) {
        for row in area.rows {
            for column in area.columns { set(column: column, row: row, to: color) }
        }
    }

    /// A one-pixel frame just outside `area`.
    mutating func frame(_ area: Window, with color: RasterColor) {
        let outer = Window(columnOffset: area.columnOffset - 1, rowOffset: area.rowOffset - 1,
                           columnCount: area.columnCount + 2, rowCount: area.rowCount + 2)
        fill(Window(columnOffset: outer.columnOffset, rowOffset: outer.rowOffset, columnCount: outer.columnCount, rowCount: 1), with: color)
        fill(Window(columnOffset: outer.columnOffset, rowOffset: outer.rows.upperBound - 1, columnCount: outer.columnCount, rowCount: 1), with: color)
        fill(Window(columnOffset: outer.columnOffset, rowOffset: outer.rowOffset, columnCount: 1, rowCount: outer.rowCount), with: color)
        fill(Window(columnOffset: outer.columns.upperBound - 1, rowOffset: outer.rowOffset, columnCount: 1, rowCount: outer.rowCount), with: color)
    }

    /// Draws `text` with its top-left corner at (`column`, `row`), each font pixel a `scale` x `scale` square.
    mutating func draw(_ text: String, column: Int, row: Int, scale: Int, color: RasterColor) {
        let font = BitmapFont.standard
        for (index, character) in text.enumerated() {
            let left = column + index * BitmapFont.advance * scale
            for y in 0..<BitmapFont.glyphHeight {
                for x in 0..<BitmapFont.glyphWidth where font.isSet(character, x: x, y: y) {
                    fill(Window(columnOffset: left + x * scale, rowOffset: row + y * scale, columnCount: scale, rowCount: scale), with: color)
                }
            }
        }
    }
}
