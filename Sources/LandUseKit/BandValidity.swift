import GeoRaster

/// Reads a block with validity decided by a `NodataPolicy`.
///
/// `masked_as_mean` is GeoRaster's own rule (a pixel is valid when every band is). `fill_missing_bands`
/// also needs to know which band failed at a pixel: each band's validity (GDAL mask band, nodata value,
/// NaN) is read separately, a pixel is valid when any band is, and `sampleValid` marks the samples to
/// replace with the band mean.
struct PolicyBlock {
    /// Pixel validity follows the policy; `values` are raw samples.
    var block: PixelBlock
    /// Per sample `[rows, columns, bands]`, only for `fill_missing_bands`: false where that band is invalid.
    var sampleValid: [Bool]?

    /// `reusing`: a spent result whose memory this read may take (see `RasterDataset.read(window:bands:reusing:)`).
    static func read(_ dataset: RasterDataset, window: Window, bands: [Int], policy: NodataPolicy, reusing spent: consuming PolicyBlock? = nil) throws -> PolicyBlock {
        var sampleValid: [Bool] = []
        var spentBlock: PixelBlock?
        if let donor = spent.take() {
            // Once `donor` is gone the arrays taken here are referenced once, so they are reused in place.
            sampleValid = donor.sampleValid ?? []
            spentBlock = donor.block
        }
        var block = try dataset.read(window: window, bands: bands, reusing: spentBlock.take())
        guard policy == .fillMissingBands, bands.count > 1 else { return PolicyBlock(block: block, sampleValid: nil) }
        let count = bands.count
        sampleValid.removeAll(keepingCapacity: true)
        sampleValid.append(contentsOf: repeatElement(false, count: window.pixelCount * count))
        // The block's own validity (every band valid) is rebuilt as "any band valid", in the same memory.
        var pixelValid = block.isValid
        block.isValid = []
        for pixel in pixelValid.indices { pixelValid[pixel] = false }
        var bandValid: [Bool]?
        for (slot, band) in bands.enumerated() {
            let valid = try dataset.validity(window: window, bands: [band], reusing: bandValid.take())
            for pixel in 0..<window.pixelCount where valid[pixel] && !block.values[pixel * count + slot].isNaN {
                sampleValid[pixel * count + slot] = true
                pixelValid[pixel] = true
            }
            bandValid = valid
        }
        return PolicyBlock(block: PixelBlock(window: block.window, bands: block.bands, values: block.values, isValid: pixelValid),
                           sampleValid: sampleValid)
    }
}
