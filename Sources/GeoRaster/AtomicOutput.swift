import Foundation

/// Where an output is written while it is being made, and the rename that publishes it.
///
/// Files are written under a hidden temporary name in the target's own folder (so the final rename never
/// crosses file systems) and renamed onto the target only when complete. GDAL may add a `.aux.xml` sidecar
/// (category names, attribute tables): it travels with its file.
struct AtomicOutput {
    let target: URL
    let temporary: URL
    let overwrite: Bool

    init(target: URL, overwrite: Bool, suffix: String = "") throws {
        self.target = target.standardizedFileURL
        self.overwrite = overwrite
        let folder = self.target.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GeoRasterError(
                .unwritableOutput, "the output folder \(folder.path) does not exist: create it first (mkdir -p)")
        }
        guard FileManager.default.isWritableFile(atPath: folder.path) else {
            throw GeoRasterError(
                .unwritableOutput, "cannot write into \(folder.path): choose a folder you may write to")
        }
        try AtomicOutput.checkAbsent(self.target, overwrite: overwrite)
        let name = self.target.lastPathComponent
        let ext = self.target.pathExtension.isEmpty ? "" : ".\(self.target.pathExtension)"
        temporary = folder.appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8))\(suffix).partial\(ext)")
    }

    static func checkAbsent(_ target: URL, overwrite: Bool) throws {
        if !overwrite, FileManager.default.fileExists(atPath: target.path) {
            throw GeoRasterError(
                .outputExists,
                "\(target.path) already exists and LandUse does not overwrite outputs by default: "
                    + "choose another name, delete it, or pass overwrite (--overwrite on the command line)")
        }
    }

    /// A sibling temporary path for an intermediate file (e.g. the GeoTIFF a COG is copied from).
    func intermediate(_ label: String) -> URL {
        temporary.deletingPathExtension().appendingPathExtension("\(label).\(target.pathExtension)")
    }

    /// Renames the finished temporary file (and its sidecar) onto the target.
    func commit() throws {
        try AtomicOutput.checkAbsent(target, overwrite: overwrite)
        let manager = FileManager.default
        let sidecar = AtomicOutput.sidecar(of: temporary)
        let targetSidecar = AtomicOutput.sidecar(of: target)
        // A stale sidecar next to an overwritten output would graft old metadata onto new pixels.
        if manager.fileExists(atPath: targetSidecar.path) { try? manager.removeItem(at: targetSidecar) }
        do {
            if manager.fileExists(atPath: sidecar.path) {
                try AtomicOutput.rename(sidecar, to: targetSidecar)
            }
            try AtomicOutput.rename(temporary, to: target)
        } catch {
            throw GeoRasterError(
                .writeFailed, "could not move the finished output to \(target.path) (\(error)): check the folder")
        }
    }

    /// Deletes the temporary file and its sidecar (after a failure or an abandoned writer).
    func discard() {
        AtomicOutput.remove(temporary)
    }

    static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.removeItem(at: sidecar(of: url))
    }

    static func sidecar(of url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".aux.xml")
    }

    private static func rename(_ source: URL, to destination: URL) throws {
        guard Foundation.rename(source.path, destination.path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }
}
