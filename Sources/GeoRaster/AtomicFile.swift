import Foundation

/// Small files (reports, summaries) written the way every LandUse output is: under a hidden temporary name
/// in the target's folder, renamed onto the target when complete, never replacing a file without `overwrite`.
public enum AtomicFile {
    /// Throws now what `write` would throw about the target: a missing or read-only folder
    /// (`unwritableOutput`), or an existing file without `overwrite` (`outputExists`). Lets a long job fail
    /// before it starts.
    public static func checkWritable(_ url: URL, overwrite: Bool) throws {
        _ = try AtomicOutput(target: url, overwrite: overwrite)
    }

    /// Writes `data` to `url` atomically. Throws `outputExists`, `unwritableOutput` or `writeFailed`; on
    /// failure no file is left under either name.
    public static func write(_ data: Data, to url: URL, overwrite: Bool) throws {
        let output = try AtomicOutput(target: url, overwrite: overwrite)
        do {
            try data.write(to: output.temporary)
            try output.commit()
        } catch let error as GeoRasterError {
            output.discard()
            throw error
        } catch {
            output.discard()
            throw GeoRasterError(.writeFailed, "could not write \(url.path) (\(error.localizedDescription)): check free disk space")
        }
    }
}
