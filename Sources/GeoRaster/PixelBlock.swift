/// Samples of a window as Float32, band-interleaved by pixel, with a per-pixel validity mask.
///
/// `values` has layout `[rows, columns, bands]`, bands fastest: the sample of band slot `b` at (row, column)
/// is `values[(row * columnCount + column) * bandCount + b]`, the NHWC order of the engine. `isValid` has
/// one entry per pixel (`row * columnCount + column`); a pixel is valid only when it is valid in every
/// band read (not nodata, not NaN, not masked by GDAL's mask band).
public struct PixelBlock: Sendable, Equatable {
    public let window: Window
    /// The 1-based band numbers that were read, in slot order.
    public let bands: [Int]
    public var values: [Float]
    public var isValid: [Bool]

    public init(window: Window, bands: [Int], values: [Float], isValid: [Bool]) {
        precondition(
            values.count == window.pixelCount * bands.count,
            "values has \(values.count) samples, expected \(window.rowCount) x \(window.columnCount) x \(bands.count)")
        precondition(isValid.count == window.pixelCount, "isValid has \(isValid.count) entries, expected \(window.pixelCount)")
        self.window = window
        self.bands = bands
        self.values = values
        self.isValid = isValid
    }

    public var rowCount: Int { window.rowCount }
    public var columnCount: Int { window.columnCount }
    public var bandCount: Int { bands.count }
    /// How many pixels are valid.
    public var validCount: Int { isValid.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// The sample at (row, column) of band slot `band` (0-based slot in `bands`, not the band number).
    public subscript(row row: Int, column column: Int, band band: Int) -> Float {
        values[(row * columnCount + column) * bandCount + band]
    }

    public func isValid(row: Int, column: Int) -> Bool { isValid[row * columnCount + column] }
}
