import Foundation

/// `landuse info` for model files: what the file describes, after validating it completely.
public enum ModelInfoTool {
    /// Whether `url` looks like a safetensors file (by its name, or by its first bytes: an 8-byte header
    /// length followed by `{`), so `info` can tell models from rasters.
    public static func isModelFile(_ url: URL) -> Bool {
        if url.pathExtension.lowercased() == "safetensors" { return true }
        guard let handle = try? FileHandle(forReadingFrom: url), let head = try? handle.read(upToCount: 9), head.count == 9 else { return false }
        return head[8] == UInt8(ascii: "{")
    }

    /// Validates the model file at `url` (structure, description, every tensor name and shape; see
    /// `ModelFileInfo`) and describes it.
    public static func report(for url: URL) throws -> ModelInfoReport {
        let info: ModelFileInfo
        do {
            info = try ModelFileInfo(contentsOf: url)
        } catch {
            throw LandUseError(.badModel, "\(error)")
        }
        return ModelInfoReport(path: url.path, description: info.modelDescription, parameterCount: info.parameterCount,
                               storage: info.storage.keys.map(\.rawValue).sorted(), hasAuxiliaryHead: info.hasAuxiliaryHead,
                               fileBytes: info.byteCount)
    }
}

/// What `landuse info MODEL` prints.
public struct ModelInfoReport: Codable, Sendable {
    public var kind = "model"
    public var path: String
    public var description: ModelDescription
    /// Trainable scalars stored in the file.
    public var parameterCount: Int
    /// The dtypes the weights are stored in ("F32", "F16", "BF16").
    public var storage: [String]
    /// Whether the auxiliary head is stored (a training checkpoint).
    public var hasAuxiliaryHead: Bool
    public var fileBytes: Int

    private enum CodingKeys: String, CodingKey {
        case kind, path, description, storage
        case parameterCount = "parameter_count"
        case hasAuxiliaryHead = "has_aux_head"
        case fileBytes = "file_bytes"
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A readable summary.
    public var summary: String {
        let a = description.architecture
        var lines = [
            "Model file: \(path) (\(fileBytes / 1024) KiB, format version \(description.formatVersion))",
            "Architecture: PSPNet, \(a.backbone.rawValue), output stride \(a.outputStride), pyramid sizes \(a.pyramidSizes.isEmpty ? "none" : a.pyramidSizes.map(String.init).joined(separator: ",")), decoder \(a.decoder.rawValue), aux weight \(a.auxWeight)\(a.width == 1 ? "" : ", width \(a.width)")",
            "Parameters: \(parameterCount) stored as \(storage.joined(separator: ", "))\(hasAuxiliaryHead ? " (auxiliary head included)" : "")",
            "Chip: \(description.chipSize) px, overlap \(description.chipOverlap) px",
            "Bands (\(description.bands.count), normalised as (x - mean) / std; nodata: \(description.nodata.rawValue)):",
        ]
        for (index, band) in description.bands.enumerated() {
            lines.append("  \(index + 1). \(band.name): mean \(band.mean), std \(band.std)")
        }
        lines.append("Classes (\(description.classes.count); value: name, colour):")
        for item in description.classes {
            let hex = item.color.map { String(format: "%02x", $0) }.joined()
            lines.append("  \(item.value): \(item.name), #\(hex)")
        }
        let p = description.provenance
        lines.append("Provenance: \(p.data.isEmpty ? "(none recorded)" : p.data)")
        lines.append("  iterations \(p.iterations), written by \(p.software)\(p.created.isEmpty ? "" : " at \(p.created)")")
        for (name, value) in p.metrics.sorted(by: { $0.key < $1.key }) { lines.append("  \(name): \(value)") }
        for (name, value) in p.notes.sorted(by: { $0.key < $1.key }) { lines.append("  \(name): \(value)") }
        return lines.joined(separator: "\n")
    }
}
