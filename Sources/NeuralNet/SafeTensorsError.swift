/// Why a safetensors file could not be read or written. Each case's `description` says what is wrong and
/// what to do about it; tests match on the case.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened, read or written (`message` comes from the operating system).
    case io(path: String, message: String)
    /// Fewer than the 8 bytes of the header-length prefix.
    case fileTooSmall(byteCount: Int)
    /// The declared header length exceeds the format's limit (100 MB).
    case headerTooLarge(headerLength: UInt64, limit: Int)
    /// The declared header length runs past the end of the file.
    case headerPastEndOfFile(headerLength: UInt64, fileSize: Int)
    /// The header bytes are not valid UTF-8.
    case headerNotUTF8
    /// The header is not valid JSON (`reason` names the position and the problem).
    case headerNotJSON(reason: String)
    /// The header is JSON but not an object, or `__metadata__` is not a string-to-string object.
    case headerNotObject(reason: String)
    /// A tensor entry lacks a field or holds a value of the wrong kind.
    case invalidEntry(name: String, reason: String)
    /// A tensor entry names a dtype the format does not define.
    case unknownDType(name: String, dtype: String)
    /// A tensor's dtype is valid but cannot be converted to or from Float32 here.
    case unsupportedDType(name: String, dtype: String)
    /// `data_offsets` has begin > end or reaches past the data section.
    case offsetsOutOfBounds(name: String, begin: Int, end: Int, dataSize: Int)
    /// The byte range does not match dtype size × product(shape).
    case byteCountMismatch(name: String, dtype: String, shape: [Int], expected: Int, actual: Int)
    /// Two tensors claim overlapping bytes.
    case overlappingTensors(first: String, second: String)
    /// Bytes of the data section belong to no tensor (the format requires the tensors to tile it).
    case unclaimedBytes(begin: Int, end: Int)
    /// `tensor(named:)` asked for a name the file does not hold.
    case tensorNotFound(name: String)
    /// A name is unusable when writing (empty, or the reserved `__metadata__`).
    case invalidName(String)

    public var description: String {
        switch self {
        case let .io(path, message):
            return "safetensors: cannot access \(path): \(message)"
        case let .fileTooSmall(byteCount):
            return "safetensors: file has \(byteCount) bytes, fewer than the 8-byte header length; the file is truncated or not a safetensors file"
        case let .headerTooLarge(headerLength, limit):
            return "safetensors: header length \(headerLength) exceeds the \(limit)-byte limit; the file is corrupt or not a safetensors file"
        case let .headerPastEndOfFile(headerLength, fileSize):
            return "safetensors: header length \(headerLength) runs past the end of a \(fileSize)-byte file; the file is truncated"
        case .headerNotUTF8:
            return "safetensors: header is not valid UTF-8; the file is corrupt"
        case let .headerNotJSON(reason):
            return "safetensors: header is not valid JSON (\(reason)); the file is corrupt"
        case let .headerNotObject(reason):
            return "safetensors: \(reason); the header must be a JSON object of tensor entries plus an optional string-to-string __metadata__"
        case let .invalidEntry(name, reason):
            return "safetensors: entry '\(name)': \(reason); each entry needs \"dtype\" (string), \"shape\" (array of non-negative integers) and \"data_offsets\" ([begin, end] integers)"
        case let .unknownDType(name, dtype):
            return "safetensors: entry '\(name)' has unknown dtype '\(dtype)'; the format defines BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64, F8_E4M3, F8_E5M2"
        case let .unsupportedDType(name, dtype):
            return "safetensors: entry '\(name)' has dtype \(dtype), which this reader cannot convert to Float32; re-export it as F32, F16 or BF16"
        case let .offsetsOutOfBounds(name, begin, end, dataSize):
            return "safetensors: entry '\(name)' has data_offsets [\(begin), \(end)] outside the \(dataSize)-byte data section (or begin > end); the file is truncated or corrupt"
        case let .byteCountMismatch(name, dtype, shape, expected, actual):
            return "safetensors: entry '\(name)' (\(dtype), shape \(shape)) needs \(expected) bytes but data_offsets span \(actual); the header lies about this tensor"
        case let .overlappingTensors(first, second):
            return "safetensors: entries '\(first)' and '\(second)' claim overlapping bytes; the file is corrupt"
        case let .unclaimedBytes(begin, end):
            return "safetensors: data bytes [\(begin), \(end)) belong to no tensor; the file is corrupt or has trailing garbage"
        case let .tensorNotFound(name):
            return "safetensors: no tensor named '\(name)'; list the file's `names` to see what it holds"
        case let .invalidName(name):
            return "safetensors: cannot write a tensor named '\(name)'; names must be non-empty and not '__metadata__'"
        }
    }
}
