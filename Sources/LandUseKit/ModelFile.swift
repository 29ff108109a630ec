import Foundation
import NeuralNet
import SegmentationModels
import TensorCore

/// A LandUse model file: one safetensors file whose `__metadata__` key `landuse` holds the
/// `ModelDescription` as JSON and whose tensors are the PSPNet's state dict (docs/model-format.md).
///
/// Reading validates everything before a weight is used: the safetensors structure, the description
/// (`problems`), then every tensor name and shape against the network the description builds. The
/// auxiliary head (`aux.*`) is optional in a file (inference never runs it) and BatchNorm's
/// `num_batches_tracked` counters may be absent; every other tensor must be present with the right shape
/// and nothing else may be.
///
/// ```swift
/// try ModelFile.write(model, description: description, to: url, storage: .float16)
/// let file = try ModelFile(contentsOf: url)       // file.model is in evaluation mode
/// ```
public struct ModelFile {
    /// The `__metadata__` key of the description.
    public static let metadataKey = "landuse"

    /// What the file says about itself.
    public let modelDescription: ModelDescription
    /// The network built from `modelDescription.architecture` with the file's weights, in evaluation mode.
    public let model: PSPNet
    /// Whether the file held the auxiliary head's weights (a training checkpoint) rather than leaving the
    /// head at its fresh initialisation.
    public let hasAuxiliaryHead: Bool

    /// Reads, validates and loads the model file at `url`.
    public init(contentsOf url: URL) throws {
        let file = try ModelFile.open(url)
        try self.init(file: file, path: url.path)
    }

    /// Reads, validates and loads a model file from its complete bytes; `name` stands for the path in errors.
    public init(data: Data, name: String) throws {
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(data: data)
        } catch let error as SafeTensorsError {
            throw ModelFileError(path: name, reason: ModelFile.notSafeTensors(error))
        }
        try self.init(file: file, path: name)
    }

    private init(file: SafeTensorsFile, path: String) throws {
        let description = try ModelFile.description(of: file, path: path)
        let model = PSPNet(configuration: description.architecture)
        let expected = model.stateDict()
        let hasAuxiliaryHead = try ModelFile.checkTensors(of: file, against: expected.mapValues(\.shape), description: description, path: path)

        var weights = expected
        do {
            for name in file.names { weights[name] = try file.tensor(named: name) }
            try model.load(stateDict: weights, strict: true)
        } catch let error as SafeTensorsError {
            throw ModelFileError(path: path, reason: ModelFile.notSafeTensors(error))
        } catch let error as StateDictError {
            throw ModelFileError(path: path, reason: "\(error)")
        }
        model.eval()
        modelDescription = description
        self.model = model
        self.hasAuxiliaryHead = hasAuxiliaryHead
    }

    /// Checks the file's tensor names and shapes against the network's (`expected`, by state-dict key).
    /// - Returns: whether the file holds the auxiliary head.
    static func checkTensors(of file: SafeTensorsFile, against expected: [String: [Int]], description: ModelDescription,
                             path: String) throws -> Bool {
        let hasAuxiliaryHead = file.names.contains { $0.hasPrefix("aux.") }
        let optional: (String) -> Bool = { key in
            key.hasSuffix(".num_batches_tracked") || (!hasAuxiliaryHead && key.hasPrefix("aux."))
        }
        let missing = expected.keys.filter { file.entries[$0] == nil && !optional($0) }.sorted()
        let unexpected = file.names.filter { expected[$0] == nil }.sorted()
        let wrongShapes = expected.keys.sorted().compactMap { key -> String? in
            guard let entry = file.entries[key], entry.shape != expected[key]! else { return nil }
            return "tensor \(key) has shape \(entry.shape) but the architecture needs \(expected[key]!)"
        }
        var findings: [String] = []
        if let first = missing.first {
            findings.append("missing tensor \(first)" + (missing.count > 1 ? " (and \(missing.count - 1) more)" : ""))
        }
        if let first = unexpected.first {
            findings.append("unexpected tensor \(first)" + (unexpected.count > 1 ? " (and \(unexpected.count - 1) more)" : ""))
        }
        if let first = wrongShapes.first {
            findings.append(first + (wrongShapes.count > 1 ? " (and \(wrongShapes.count - 1) more wrong shapes)" : ""))
        }
        guard findings.isEmpty else {
            throw ModelFileError(path: path, reason: findings.joined(separator: "; ")
                + " — the file does not match its architecture (\(summary(of: description.architecture))): export the weights of exactly that network, or correct the \"architecture\" entry of its metadata")
        }
        return hasAuxiliaryHead
    }

    /// Reads and validates only the description of the file at `url` (no weights are read).
    public static func readDescription(contentsOf url: URL) throws -> ModelDescription {
        try description(of: open(url), path: url.path)
    }

    /// Writes `model` and `description` to `url` atomically.
    ///
    /// - Parameters:
    ///   - storage: `.float32`, `.float16` or `.bfloat16` for every tensor (F16 halves the file; BatchNorm
    ///     statistics and weights of a trained model are well inside F16's range).
    ///   - includeAuxiliaryHead: keep `aux.*` (training checkpoints); inference files leave it out.
    public static func write(_ model: PSPNet, description: ModelDescription, to url: URL, storage: SafeTensorsDType = .float32,
                             includeAuxiliaryHead: Bool = false) throws {
        let (tensors, metadata) = try contents(model, description: description, storage: storage,
                                               includeAuxiliaryHead: includeAuxiliaryHead, path: url.path)
        do {
            try SafeTensorsWriter.write(tensors, to: url, dtype: storage, metadata: metadata)
        } catch let error as SafeTensorsError {
            throw ModelFileError(path: url.path, reason: "\(error)")
        }
    }

    /// The complete bytes `write` would store (see `write`).
    public static func encode(_ model: PSPNet, description: ModelDescription, storage: SafeTensorsDType = .float32,
                              includeAuxiliaryHead: Bool = false) throws -> Data {
        let (tensors, metadata) = try contents(model, description: description, storage: storage,
                                               includeAuxiliaryHead: includeAuxiliaryHead, path: "(in memory)")
        return try SafeTensorsWriter.encode(tensors, dtype: storage, metadata: metadata)
    }

    private static func contents(_ model: PSPNet, description: ModelDescription, storage: SafeTensorsDType,
                                 includeAuxiliaryHead: Bool, path: String) throws -> ([String: Tensor], [String: String]) {
        guard storage.isWritable else {
            throw ModelFileError(path: path, reason: "cannot store weights as \(storage.rawValue): use F32, F16 or BF16")
        }
        guard description.architecture == model.configuration else {
            throw ModelFileError(path: path, reason: "the description's architecture (\(summary(of: description.architecture))) differs from the network's (\(summary(of: model.configuration))): describe the network being saved")
        }
        let problems = description.problems
        guard problems.isEmpty else {
            throw ModelFileError(path: path, reason: "the description is not valid: " + problems.joined(separator: "; "))
        }
        var tensors = model.stateDict()
        if !includeAuxiliaryHead { tensors = tensors.filter { !$0.key.hasPrefix("aux.") } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(description), as: UTF8.self)
        return (tensors, [metadataKey: json])
    }

    static func open(_ url: URL) throws -> SafeTensorsFile {
        do {
            return try SafeTensorsFile(contentsOf: url)
        } catch let error as SafeTensorsError {
            throw ModelFileError(path: url.path, reason: notSafeTensors(error))
        }
    }

    private static func notSafeTensors(_ error: SafeTensorsError) -> String {
        if case .io = error { return "\(error)" }
        return "not a readable safetensors file (\(error)); a LandUse model file is written by `landuse train`, ModelFile.write or python/export_model.py"
    }

    static func description(of file: SafeTensorsFile, path: String) throws -> ModelDescription {
        guard let json = file.metadata[metadataKey] else {
            throw ModelFileError(path: path, reason: "no LandUse description (safetensors metadata key \"\(metadataKey)\"): this is a plain safetensors file; convert PyTorch weights with python/export_model.py, which adds the description")
        }
        let data = Data(json.utf8)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelFileError(path: path, reason: "the \"\(metadataKey)\" metadata is not a JSON object; rewrite the description as documented in docs/model-format.md")
        }
        if let architecture = object["architecture"] as? [String: Any] {
            if let backbone = architecture["backbone"] as? String, Backbone(rawValue: backbone) == nil {
                throw ModelFileError(path: path, reason: "unknown backbone \"\(backbone)\": this landuse knows \(Backbone.allCases.map(\.rawValue).joined(separator: ", ")); upgrade landuse or correct the description")
            }
            if let decoder = architecture["decoder"] as? String, Decoder(rawValue: decoder) == nil {
                throw ModelFileError(path: path, reason: "unknown decoder \"\(decoder)\": this landuse knows \(Decoder.allCases.map(\.rawValue).joined(separator: ", ")); upgrade landuse or correct the description")
            }
        }
        if let version = object["format_version"] as? Int, version > ModelDescription.currentFormatVersion {
            throw ModelFileError(path: path, reason: "model format version \(version) is newer than this landuse understands (\(ModelDescription.currentFormatVersion)): upgrade landuse")
        }
        let description: ModelDescription
        do {
            description = try JSONDecoder().decode(ModelDescription.self, from: data)
        } catch let error as DecodingError {
            throw ModelFileError(path: path, reason: "the description does not follow docs/model-format.md: \(explain(error))")
        }
        let problems = description.problems
        guard problems.isEmpty else {
            throw ModelFileError(path: path, reason: "the description is not valid: " + problems.joined(separator: "; "))
        }
        return description
    }

    private static func explain(_ error: DecodingError) -> String {
        func keyPath(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the document" : "\"\(path)\""
        }
        switch error {
        case let .keyNotFound(key, context):
            let parent = context.codingPath.isEmpty ? "the document" : keyPath(context)
            return "\(parent) lacks the key \"\(key.stringValue)\""
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return "\(keyPath(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// "resnet18, output stride 8, pyramid sizes [1, 3, 5, 6], upsample decoder, 7 classes, 6 bands"
    static func summary(of configuration: PSPNetConfiguration) -> String {
        "\(configuration.backbone.rawValue), output stride \(configuration.outputStride), pyramid sizes \(configuration.pyramidSizes), "
            + "\(configuration.decoder.rawValue) decoder, \(configuration.classCount) classes, \(configuration.bandCount) bands"
            + (configuration.width == 1 ? "" : ", width \(configuration.width)")
    }
}
