import CGDAL
import Foundation

/// Writes an 8-bit RGB or RGBA picture (a quicklook, a legend) as a PNG, atomically.
///
/// The pixels go into a GDAL `MEM` dataset and GDAL's PNG driver copies it out (`GDALCreateCopy`; the PNG
/// driver cannot write block by block), under a hidden temporary name in the target's folder that is renamed
/// onto the target when complete. The picture has no georeferencing. Memory: the picture twice.
public enum PNGWriter {
    /// Writes `pixels` (`[height, width, channels]`, channels fastest: R, G, B and, with 4 channels, alpha)
    /// to `url`. Throws `outputExists` (unless `overwrite`), `unwritableOutput` or `writeFailed`; on failure
    /// no file is left under either name.
    public static func write(
        _ pixels: [UInt8], width: Int, height: Int, channels: Int, to url: URL, overwrite: Bool = false
    ) throws {
        precondition(width > 0 && height > 0, "picture size \(width) x \(height)")
        precondition(channels == 3 || channels == 4, "a PNG picture has 3 (RGB) or 4 (RGBA) channels, not \(channels)")
        precondition(pixels.count == width * height * channels, "got \(pixels.count) samples for \(width) x \(height) x \(channels)")
        let output = try AtomicOutput(target: url, overwrite: overwrite)
        do {
            try copyToPNG(pixels, width: width, height: height, channels: channels, path: output.temporary.path)
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }

    private static func copyToPNG(_ pixels: [UInt8], width: Int, height: Int, channels: Int, path: String) throws {
        GDALRuntime.prepare()
        guard let memory = GDALCreate(GDALGetDriverByName("MEM"), "", Int32(width), Int32(height), Int32(channels), GDT_Byte, nil) else {
            throw GeoRasterError.gdal(.writeFailed, "GDAL could not allocate a \(width) x \(height) picture in memory")
        }
        defer { GDALClose(memory) }
        var bandMap = (1...channels).map { Int32($0) }
        let status = pixels.withUnsafeBytes { buffer in
            GDALDatasetRasterIO(
                memory, GF_Write, 0, 0, Int32(width), Int32(height), UnsafeMutableRawPointer(mutating: buffer.baseAddress),
                Int32(width), Int32(height), GDT_Byte, Int32(channels), &bandMap,
                Int32(channels), Int32(channels * width), 1)
        }
        guard status == CE_None else {
            throw GeoRasterError.gdal(.writeFailed, "filling the in-memory picture failed")
        }
        let interpretations = [GCI_RedBand, GCI_GreenBand, GCI_BlueBand, GCI_AlphaBand]
        for band in 1...channels {
            GDALSetRasterColorInterpretation(GDALGetRasterBand(memory, Int32(band)), interpretations[band - 1])
        }
        GDALRuntime.prepare()
        let creation = GDALStringList(["ZLEVEL=6"])
        guard let png = GDALCreateCopy(GDALGetDriverByName("PNG"), path, memory, 0, creation.pointer, nil, nil) else {
            throw GeoRasterError.gdal(.writeFailed, "GDAL's PNG driver could not write \(path): check free disk space")
        }
        GDALClose(png)
        guard CPLGetLastErrorType() != CE_Failure, CPLGetLastErrorType() != CE_Fatal else {
            throw GeoRasterError.gdal(.writeFailed, "closing the PNG \(path) failed: check free disk space")
        }
    }
}
