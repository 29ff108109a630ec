import Foundation

/// Per-pixel weights that blend overlapping chip predictions without seams.
///
/// Along each axis the weight rises over the first `ramp` pixels as sin²(π/2 · (i + 0.5) / ramp) (the
/// rising half of a Hann window), stays 1 in the middle and falls symmetrically at the far edge; the 2-D
/// weight is the product of the two axes. Weights are strictly positive, so a pixel covered by a single
/// chip (at the raster's edge) keeps that chip's prediction after normalisation, and where chips overlap
/// the prediction fades smoothly from one chip to the next. `ramp` is the grid's overlap (at least 1).
public struct BlendWindow: Sendable {
    public let size: Int
    public let ramp: Int
    /// The 1-D profile of length `size`.
    public let profile: [Float]

    public init(size: Int, ramp: Int) {
        precondition(size > 0, "BlendWindow: size \(size) must be positive")
        self.size = size
        self.ramp = max(1, min(ramp, size / 2))
        var profile = [Float](repeating: 1, count: size)
        for index in 0..<self.ramp {
            let phase = Double.pi / 2 * (Double(index) + 0.5) / Double(self.ramp)
            let weight = Float(sin(phase) * sin(phase))
            profile[index] = weight
            profile[size - 1 - index] = weight
        }
        self.profile = profile
    }

    /// The weight of pixel (`row`, `column`) of a chip.
    public func weight(row: Int, column: Int) -> Float { profile[row] * profile[column] }
}
