import CGDAL

extension RasterDataset {
    /// Reads `bands` (1-based numbers; all bands when nil) of `window` (the whole raster when nil) as Float32.
    ///
    /// Layout `[rows, columns, bands]`, bands fastest (see `PixelBlock`). Integer samples convert exactly up to
    /// 2^24; larger 32-bit integers and Float64 samples round to the nearest Float32. Validity is decided in the
    /// source type by GDAL's mask band (nodata, per-dataset masks, alpha) and afterwards by NaN.
    /// Throws `badWindow` for a window outside the raster, `badBands` for unknown band numbers and
    /// `unsupportedDataType` for 64-bit integer or complex bands.
    ///
    /// `reusing`: a block this call may take the memory of (a previous result that is no longer needed), so
    /// that a loop reading windows of one size fills the same buffers instead of fresh pages every time.
    public func read(window: Window? = nil, bands: [Int]? = nil, reusing spent: consuming PixelBlock? = nil) throws -> PixelBlock {
        let window = window ?? profile.window
        let bands = bands ?? Array(1...profile.bandCount)
        try check(window: window, bands: bands)
        let bandCount = bands.count
        var values: [Float] = []
        var recycledValidity: [Bool]?
        if let block = spent.take() {
            // Once `block` is gone these are the only references: reused in place, not copied.
            values = block.values
            recycledValidity = block.isValid
        }
        if values.count != window.pixelCount * bandCount {
            // GDAL overwrites every sample, so a buffer of the right size needs no clearing.
            values.removeAll(keepingCapacity: true)
            values.append(contentsOf: repeatElement(0, count: window.pixelCount * bandCount))
        }
        let sampleSize = MemoryLayout<Float>.stride
        var bandMap = bands.map { Int32($0) }
        GDALRuntime.prepare()
        let status = values.withUnsafeMutableBytes { buffer in
            GDALDatasetRasterIO(
                handle, GF_Read, Int32(window.columnOffset), Int32(window.rowOffset),
                Int32(window.columnCount), Int32(window.rowCount), buffer.baseAddress,
                Int32(window.columnCount), Int32(window.rowCount), GDT_Float32, Int32(bandCount), &bandMap,
                Int32(sampleSize * bandCount), Int32(sampleSize * bandCount * window.columnCount), Int32(sampleSize))
        }
        guard status == CE_None else {
            throw GeoRasterError.gdal(.readFailed, "reading \(window) of \(url.path) failed: check that the file is complete")
        }
        var isValid = try validity(window: window, bands: bands, reusing: recycledValidity.take())
        // Integer samples cannot be NaN: only floating-point bands need the scan.
        let mayHoldNaN = bands.contains { [.float32, .float64].contains(profile.bands[$0 - 1].dataType) }
        for pixel in 0..<window.pixelCount where mayHoldNaN && isValid[pixel] {
            for slot in 0..<bandCount where values[pixel * bandCount + slot].isNaN {
                isValid[pixel] = false
                break
            }
        }
        return PixelBlock(window: window, bands: bands, values: values, isValid: isValid)
    }

    /// Reads one band of `window` in its own integer type `T` (e.g. `Int32` or `UInt16` for class rasters).
    ///
    /// Row-major `[rows, columns]`. GDAL converts other source types to `T`, clamping out-of-range values.
    public func readSamples<T: RasterScalar>(
        _ type: T.Type = T.self, window: Window? = nil, band: Int = 1
    ) throws -> [T] {
        let window = window ?? profile.window
        try check(window: window, bands: [band])
        var values = [T](repeating: T(), count: window.pixelCount)
        GDALRuntime.prepare()
        let status = values.withUnsafeMutableBytes { buffer in
            GDALRasterIO(
                self.band(band), GF_Read, Int32(window.columnOffset), Int32(window.rowOffset),
                Int32(window.columnCount), Int32(window.rowCount), buffer.baseAddress,
                Int32(window.columnCount), Int32(window.rowCount), T.rasterDataType.gdal, 0, 0)
        }
        guard status == CE_None else {
            throw GeoRasterError.gdal(.readFailed, "reading \(window) of \(url.path) failed: check that the file is complete")
        }
        return values
    }

    /// Per-pixel validity of `bands` over `window` from GDAL's mask bands and nodata values (no NaN test):
    /// valid when every band's mask is non-zero and no band holds its nodata value.
    ///
    /// `reusing`: an array whose memory this call may take (see `read(window:bands:reusing:)`).
    public func validity(window: Window, bands: [Int], reusing spent: consuming [Bool]? = nil) throws -> [Bool] {
        try check(window: window, bands: bands)
        var isValid = spent.take() ?? []
        isValid.removeAll(keepingCapacity: true)
        isValid.append(contentsOf: repeatElement(true, count: window.pixelCount))
        var mask: [UInt8] = []
        var readPerDatasetMask = false
        for number in bands {
            let band = self.band(number)
            let flags = MaskFlags(rawValue: GDALGetMaskFlags(band))
            if flags.contains(.allValid) { continue }
            if flags.contains(.perDataset) {
                if readPerDatasetMask { continue }
                readPerDatasetMask = true
            }
            if mask.isEmpty { mask = [UInt8](repeating: 0, count: window.pixelCount) }
            GDALRuntime.prepare()
            let status = mask.withUnsafeMutableBytes { buffer in
                GDALRasterIO(
                    GDALGetMaskBand(band), GF_Read, Int32(window.columnOffset), Int32(window.rowOffset),
                    Int32(window.columnCount), Int32(window.rowCount), buffer.baseAddress,
                    Int32(window.columnCount), Int32(window.rowCount), GDT_Byte, 0, 0)
            }
            guard status == CE_None else {
                throw GeoRasterError.gdal(.readFailed, "reading the mask of band \(number) of \(url.path) failed")
            }
            for pixel in 0..<window.pixelCount where mask[pixel] == 0 { isValid[pixel] = false }
        }
        // GDAL's mask band ignores the nodata value when a mask file or alpha band takes precedence.
        for number in bands {
            let info = profile.bands[number - 1]
            guard let nodata = info.nodata, !info.maskFlags.contains(.nodata) else { continue }
            let samples = try readSamples(Double.self, window: window, band: number)
            for pixel in 0..<window.pixelCount
            where samples[pixel] == nodata || (nodata.isNaN && samples[pixel].isNaN) {
                isValid[pixel] = false
            }
        }
        return isValid
    }

    private func check(window: Window, bands: [Int]) throws {
        try window.validate(width: profile.width, height: profile.height)
        guard !bands.isEmpty else {
            throw GeoRasterError(.badBands, "no bands requested: pass at least one band number (1...\(profile.bandCount))")
        }
        for number in bands {
            guard number >= 1, number <= profile.bandCount else {
                throw GeoRasterError(
                    .badBands,
                    "band \(number) does not exist in \(url.lastPathComponent), which has \(profile.bandCount) "
                        + "band(s): use band numbers 1...\(profile.bandCount)")
            }
            let type = profile.bands[number - 1].dataType
            guard type.isReadable else {
                throw GeoRasterError(
                    .unsupportedDataType,
                    "band \(number) is \(type.rawValue), which LandUse does not read: convert it first, e.g. "
                        + "`gdal_translate -ot Float32 INPUT OUTPUT.tif`")
            }
        }
    }
}
