import Foundation
import NeuralNet
import TensorCore

extension ModelFile {
    /// Adds `metrics` (by name) to the provenance of the model file at `url`, rewriting it atomically with
    /// its tensors unchanged (same names, dtypes and bytes). Used by `landuse evaluate --record-as` so a
    /// model carries its test figures.
    public static func recordMetrics(_ metrics: [String: Double], in url: URL) throws {
        let file = try open(url)
        var description = try self.description(of: file, path: url.path)
        description.provenance.metrics.merge(metrics) { _, new in new }
        var tensors: [String: TensorStorageCopy] = [:]
        for name in file.names { tensors[name] = TensorStorageCopy(tensor: try file.tensor(named: name), dtype: file.entries[name]!.dtype) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var metadata = file.metadata
        metadata[metadataKey] = String(decoding: try encoder.encode(description), as: UTF8.self)
        do {
            try SafeTensorsWriter.write(tensors.mapValues(\.tensor), to: url, dtypes: tensors.mapValues(\.dtype), metadata: metadata)
        } catch {
            throw ModelFileError(path: url.path, reason: "cannot rewrite the file with the new metrics: \(error)")
        }
    }
}

/// A tensor read from a file with the dtype it was stored in, so a rewrite keeps it.
private struct TensorStorageCopy {
    var tensor: Tensor
    var dtype: SafeTensorsDType
}
