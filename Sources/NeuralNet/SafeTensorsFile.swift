import Foundation
import TensorCore

/// A validated safetensors file: its metadata, its tensor entries, and conversion of each to a Float32 `Tensor`.
///
/// Validation happens once, in `init`, before any tensor byte is read (rules in docs/DESIGN.md, "safetensors"):
/// the header length is at most 100 MB and inside the file; the header is UTF-8 JSON, an object whose
/// entries each have a known dtype, a shape of non-negative integers and `[begin, end]` offsets with
/// begin ≤ end inside the data section; each byte range is exactly dtype size × product(shape); and the
/// ranges tile the data section with no overlap and no unclaimed byte. A file that breaks any rule throws
/// `SafeTensorsError`; nothing is ever read out of bounds.
public struct SafeTensorsFile: Sendable {
    /// One tensor's header entry.
    public struct Entry: Equatable, Sendable {
        public let name: String
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        /// Byte range inside the data section (after the header).
        public let dataRange: Range<Int>
    }

    /// The largest header the reader accepts, as in the reference implementation.
    public static let maximumHeaderLength = 100 * 1024 * 1024

    /// The `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    /// Entries by name.
    public let entries: [String: Entry]
    /// Tensor names in the order of their data.
    public let names: [String]
    private let bytes: Data
    private let dataStart: Int

    /// Reads and validates the file at `url` (memory-mapped; bytes are read only when a tensor is asked for).
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafeTensorsError.io(path: url.path, message: error.localizedDescription)
        }
        try self.init(data: data)
    }

    /// Validates `data`, the complete bytes of a safetensors file.
    public init(data: Data) throws {
        // Re-base so indices start at 0 whatever slice the caller passed.
        let bytes = data.startIndex == 0 ? data : Data(data)
        guard bytes.count >= 8 else { throw SafeTensorsError.fileTooSmall(byteCount: bytes.count) }
        var headerLength: UInt64 = 0
        for index in 0..<8 { headerLength |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        guard headerLength <= UInt64(SafeTensorsFile.maximumHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(headerLength: headerLength, limit: SafeTensorsFile.maximumHeaderLength)
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.headerPastEndOfFile(headerLength: headerLength, fileSize: bytes.count)
        }
        let dataStart = 8 + Int(headerLength)
        let headerBytes = [UInt8](bytes[8..<dataStart])
        guard SafeTensorsFile.isValidUTF8(headerBytes) else { throw SafeTensorsError.headerNotUTF8 }
        let header = try SafeTensorsJSON.parse(headerBytes)
        guard case let .object(members) = header else {
            throw SafeTensorsError.headerNotObject(reason: "header is \(header.kindName), not a JSON object")
        }

        let dataSize = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try SafeTensorsFile.parseMetadata(value)
            } else {
                entries[name] = try SafeTensorsFile.parseEntry(name: name, value: value, dataSize: dataSize)
            }
        }

        // The ranges must tile [0, dataSize): sorted by begin, each starts where the previous ended.
        let ordered = entries.values.sorted { ($0.dataRange.lowerBound, $0.dataRange.upperBound, $0.name) < ($1.dataRange.lowerBound, $1.dataRange.upperBound, $1.name) }
        var covered = 0
        var previous: Entry?
        for entry in ordered {
            if entry.dataRange.lowerBound < covered, let previous {
                throw SafeTensorsError.overlappingTensors(first: previous.name, second: entry.name)
            }
            if entry.dataRange.lowerBound > covered {
                throw SafeTensorsError.unclaimedBytes(begin: covered, end: entry.dataRange.lowerBound)
            }
            covered = entry.dataRange.upperBound
            previous = entry
        }
        if covered < dataSize { throw SafeTensorsError.unclaimedBytes(begin: covered, end: dataSize) }

        self.metadata = metadata
        self.entries = entries
        self.names = ordered.map(\.name)
        self.bytes = bytes
        self.dataStart = dataStart
    }

    private static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private static func parseMetadata(_ value: SafeTensorsJSON) throws -> [String: String] {
        guard case let .object(members) = value else {
            throw SafeTensorsError.headerNotObject(reason: "__metadata__ is \(value.kindName), not an object")
        }
        var metadata: [String: String] = [:]
        for (key, item) in members {
            guard case let .string(text) = item else {
                throw SafeTensorsError.headerNotObject(reason: "__metadata__ value for '\(key)' is \(item.kindName), not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(name: String, value: SafeTensorsJSON, dataSize: Int) throws -> Entry {
        guard case let .object(fields) = value else {
            throw SafeTensorsError.invalidEntry(name: name, reason: "entry is \(value.kindName), not an object")
        }
        func field(_ key: String) throws -> SafeTensorsJSON {
            guard let found = fields.first(where: { $0.key == key }) else {
                throw SafeTensorsError.invalidEntry(name: name, reason: "missing \"\(key)\"")
            }
            return found.value
        }
        if let extra = fields.first(where: { !["dtype", "shape", "data_offsets"].contains($0.key) }) {
            throw SafeTensorsError.invalidEntry(name: name, reason: "unexpected field \"\(extra.key)\"")
        }
        guard case let .string(dtypeName) = try field("dtype") else {
            throw SafeTensorsError.invalidEntry(name: name, reason: "\"dtype\" is \(try field("dtype").kindName), not a string")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(name: name, dtype: dtypeName)
        }
        func integers(_ key: String) throws -> [Int] {
            guard case let .array(elements) = try field(key) else {
                throw SafeTensorsError.invalidEntry(name: name, reason: "\"\(key)\" is \(try field(key).kindName), not an array")
            }
            return try elements.map { element in
                guard case let .integer(value) = element, value >= 0 else {
                    throw SafeTensorsError.invalidEntry(name: name, reason: "\"\(key)\" holds \(element.serialized), not a non-negative integer")
                }
                return value
            }
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2 else {
            throw SafeTensorsError.invalidEntry(name: name, reason: "\"data_offsets\" has \(offsets.count) values, not 2")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end, end <= dataSize else {
            throw SafeTensorsError.offsetsOutOfBounds(name: name, begin: begin, end: end, dataSize: dataSize)
        }
        // Overflow-checked product: a lying shape must not wrap around to a plausible size.
        var expected = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw SafeTensorsError.byteCountMismatch(name: name, dtype: dtypeName, shape: shape, expected: Int.max, actual: end - begin)
            }
            expected = product
        }
        guard expected == end - begin else {
            throw SafeTensorsError.byteCountMismatch(name: name, dtype: dtypeName, shape: shape, expected: expected, actual: end - begin)
        }
        return Entry(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }

    /// The tensor `name` converted to Float32.
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = entries[name] else { throw SafeTensorsError.tensorNotFound(name: name) }
        let range = (dataStart + entry.dataRange.lowerBound)..<(dataStart + entry.dataRange.upperBound)
        var converted = true
        let tensor = Tensor(shape: entry.shape) { output in
            bytes.withUnsafeBytes { raw in
                converted = entry.dtype.decode(UnsafeRawBufferPointer(rebasing: raw[range]), into: output)
            }
            if !converted { output.initialize(repeating: 0) }
        }
        guard converted else { throw SafeTensorsError.unsupportedDType(name: name, dtype: entry.dtype.rawValue) }
        return tensor
    }

    /// Every tensor, converted to Float32, by name.
    public func tensors() throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in names { result[name] = try tensor(named: name) }
        return result
    }
}
