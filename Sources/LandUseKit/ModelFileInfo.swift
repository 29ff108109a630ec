import Foundation
import NeuralNet
import SegmentationModels

/// What a model file holds, for `landuse info`: its description and tensor statistics, with the same
/// validation as `ModelFile` (safetensors structure, description, tensor names and shapes) but without
/// reading any weight.
public struct ModelFileInfo: Sendable {
    public let modelDescription: ModelDescription
    /// Number of tensors stored.
    public let tensorCount: Int
    /// Trainable scalars stored: every tensor except BatchNorm's running statistics and batch counters.
    public let parameterCount: Int
    /// Number of tensors stored in each dtype (a LandUse-written file uses one).
    public let storage: [SafeTensorsDType: Int]
    /// Whether the auxiliary head is stored (a training checkpoint).
    public let hasAuxiliaryHead: Bool
    /// The file's size in bytes.
    public let byteCount: Int

    /// Reads and validates the header of the model file at `url`.
    ///
    /// Checking names and shapes builds the described network once (about a second for ResNet-101).
    public init(contentsOf url: URL) throws {
        let file = try ModelFile.open(url)
        let description = try ModelFile.description(of: file, path: url.path)
        let expected = PSPNet(configuration: description.architecture).stateDict().mapValues(\.shape)
        hasAuxiliaryHead = try ModelFile.checkTensors(of: file, against: expected, description: description, path: url.path)
        modelDescription = description
        tensorCount = file.names.count
        let isBuffer: (String) -> Bool = { name in
            name.hasSuffix(".running_mean") || name.hasSuffix(".running_var") || name.hasSuffix(".num_batches_tracked")
        }
        parameterCount = file.entries.values.filter { !isBuffer($0.name) }.reduce(0) { $0 + $1.shape.reduce(1, *) }
        storage = file.entries.values.reduce(into: [:]) { counts, entry in counts[entry.dtype, default: 0] += 1 }
        byteCount = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    }
}
