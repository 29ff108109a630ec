import Foundation
import TensorCore

/// Writes Float32 tensors to the safetensors format, stored as F32, F16 or BF16.
///
/// Layout: 8-byte little-endian header length, a JSON header (`__metadata__` first, then tensors by name)
/// padded with spaces so the data section starts on an 8-byte boundary, then each tensor's bytes in name
/// order with no gaps. Files are written atomically: to a temporary name in the destination folder, then
/// renamed over the destination, so a crash never leaves a half-written model file under the real name.
public enum SafeTensorsWriter {
    /// The complete file bytes for `tensors`, each stored as `dtype` unless `dtypes` names another for it.
    public static func encode(
        _ tensors: [String: Tensor],
        dtype: SafeTensorsDType = .float32,
        dtypes: [String: SafeTensorsDType] = [:],
        metadata: [String: String] = [:]
    ) throws -> Data {
        var members: [(key: String, value: SafeTensorsJSON)] = []
        if !metadata.isEmpty {
            members.append(("__metadata__", .object(metadata.keys.sorted().map { ($0, SafeTensorsJSON.string(metadata[$0]!)) })))
        }
        var payload: [UInt8] = []
        for name in tensors.keys.sorted() {
            guard !name.isEmpty, name != "__metadata__" else { throw SafeTensorsError.invalidName(name) }
            let tensor = tensors[name]!
            let storedType = dtypes[name] ?? dtype
            guard storedType.isWritable else { throw SafeTensorsError.unsupportedDType(name: name, dtype: storedType.rawValue) }
            let begin = payload.count
            tensor.withUnsafeBufferPointer { storedType.encode($0, appendingTo: &payload) }
            members.append((name, .object([
                ("dtype", .string(storedType.rawValue)),
                ("shape", .array(tensor.shape.map { .integer($0) })),
                ("data_offsets", .array([.integer(begin), .integer(payload.count)])),
            ])))
        }
        var header = Array(SafeTensorsJSON.object(members).serialized.utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        var file = Data(capacity: 8 + header.count + payload.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        file.append(contentsOf: payload)
        return file
    }

    /// Writes `tensors` to `url` atomically (see the type's documentation for dtypes and layout).
    public static func write(
        _ tensors: [String: Tensor],
        to url: URL,
        dtype: SafeTensorsDType = .float32,
        dtypes: [String: SafeTensorsDType] = [:],
        metadata: [String: String] = [:]
    ) throws {
        let data = try encode(tensors, dtype: dtype, dtypes: dtypes, metadata: metadata)
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try data.write(to: temporary)
        } catch {
            throw SafeTensorsError.io(path: temporary.path, message: "\(error.localizedDescription); check that the folder exists and is writable")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw SafeTensorsError.io(path: url.path, message: "cannot move the finished file into place: \(message)")
        }
    }
}
