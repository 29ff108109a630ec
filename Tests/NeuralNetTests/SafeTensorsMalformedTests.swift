import Foundation
import XCTest
import NeuralNet
import TensorCore

/// Every way a safetensors file can be truncated or lie must throw the matching `SafeTensorsError`.
final class SafeTensorsMalformedTests: XCTestCase {
    /// A file made of an 8-byte length prefix (`declaredLength`, default: the header's real length), the
    /// header bytes and the data bytes.
    private func file(_ header: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
        var bytes = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(header.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        bytes.append(contentsOf: data)
        return bytes
    }

    private func file(_ header: String, data: [UInt8] = []) -> Data { file(Array(header.utf8), data: data) }

    private func assertThrows(_ data: Data, _ expected: SafeTensorsError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(data: data), file: file, line: line) { error in
            XCTAssertEqual(error as? SafeTensorsError, expected, file: file, line: line)
            XCTAssertFalse("\(error)".isEmpty, file: file, line: line)
        }
    }

    private func assertInvalidEntry(_ data: Data, _ name: String, containing fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(data: data), file: file, line: line) { error in
            guard case let .invalidEntry(entryName, reason)? = error as? SafeTensorsError else {
                return XCTFail("expected invalidEntry, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(entryName, name, file: file, line: line)
            XCTAssertTrue(reason.contains(fragment), "\(reason) lacks '\(fragment)'", file: file, line: line)
        }
    }

    private let oneFloat = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#

    func testValidMinimalFileParses() throws {
        let parsed = try SafeTensorsFile(data: file(oneFloat, data: [0, 0, 0x80, 0x3F]))
        XCTAssertEqual(try parsed.tensor(named: "a").scalars, [1])
    }

    func testTruncatedBeforeLengthPrefix() {
        assertThrows(Data([1, 2, 3]), .fileTooSmall(byteCount: 3))
        assertThrows(Data(), .fileTooSmall(byteCount: 0))
    }

    func testTruncatedInsideHeaderOrData() {
        let whole = file(oneFloat, data: [0, 0, 0x80, 0x3F])
        assertThrows(whole.prefix(20), .headerPastEndOfFile(headerLength: UInt64(oneFloat.utf8.count), fileSize: 20))
        // Data cut short: the entry's end offset now lies past the data section.
        assertThrows(whole.prefix(whole.count - 2), .offsetsOutOfBounds(name: "a", begin: 0, end: 4, dataSize: 2))
    }

    func testHugeHeaderLength() {
        assertThrows(file(Array(oneFloat.utf8), declaredLength: UInt64.max), .headerTooLarge(headerLength: UInt64.max, limit: 100 * 1024 * 1024))
        assertThrows(file(Array(oneFloat.utf8), declaredLength: 200_000_000), .headerTooLarge(headerLength: 200_000_000, limit: 100 * 1024 * 1024))
        // Under the limit but larger than the file.
        assertThrows(file(Array("{}".utf8), declaredLength: 1_000), .headerPastEndOfFile(headerLength: 1_000, fileSize: 10))
    }

    func testOffsetsPastEndOfFile() {
        let header = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        assertThrows(file(header, data: [0, 0, 0, 0]), .offsetsOutOfBounds(name: "a", begin: 0, end: 16, dataSize: 4))
        let huge = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[9223372036854775800,9223372036854775804]}}"#
        assertThrows(file(huge, data: [0, 0, 0, 0]), .offsetsOutOfBounds(name: "a", begin: 9_223_372_036_854_775_800, end: 9_223_372_036_854_775_804, dataSize: 4))
    }

    func testBeginAfterEnd() {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#
        assertThrows(file(header, data: [UInt8](repeating: 0, count: 4)), .offsetsOutOfBounds(name: "a", begin: 4, end: 0, dataSize: 4))
    }

    func testOverlappingRanges() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        assertThrows(file(header, data: [UInt8](repeating: 0, count: 12)), .overlappingTensors(first: "a", second: "b"))
        let same = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        assertThrows(file(same, data: [UInt8](repeating: 0, count: 4)), .overlappingTensors(first: "a", second: "b"))
    }

    func testGapsAndTrailingBytes() {
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertThrows(file(gap, data: [UInt8](repeating: 0, count: 8)), .unclaimedBytes(begin: 0, end: 4))
        assertThrows(file(oneFloat, data: [UInt8](repeating: 0, count: 6)), .unclaimedBytes(begin: 4, end: 6))
    }

    func testDTypeShapeMismatch() {
        let header = #"{"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,24]}}"#
        assertThrows(file(header, data: [UInt8](repeating: 0, count: 24)), .byteCountMismatch(name: "a", dtype: "F16", shape: [2, 3], expected: 12, actual: 24))
        let overflow = #"{"a":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#
        assertThrows(file(overflow, data: [UInt8](repeating: 0, count: 8)), .byteCountMismatch(name: "a", dtype: "F64", shape: [4_611_686_018_427_387_904, 4], expected: Int.max, actual: 8))
    }

    func testUnknownDType() {
        let header = #"{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}"#
        assertThrows(file(header, data: [UInt8](repeating: 0, count: 16)), .unknownDType(name: "a", dtype: "F128"))
    }

    func testValidButUnconvertibleDTypeThrowsOnRead() throws {
        let header = #"{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#
        let parsed = try SafeTensorsFile(data: file(header, data: [1, 2]))
        XCTAssertThrowsError(try parsed.tensor(named: "a")) { error in
            XCTAssertEqual(error as? SafeTensorsError, .unsupportedDType(name: "a", dtype: "F8_E4M3"))
        }
        XCTAssertThrowsError(try parsed.tensor(named: "missing")) { error in
            XCTAssertEqual(error as? SafeTensorsError, .tensorNotFound(name: "missing"))
        }
    }

    func testNonUTF8Header() {
        var header = Array(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#.utf8)
        header[2] = 0xFF
        assertThrows(file(header, data: [0, 0, 0, 0]), .headerNotUTF8)
        assertThrows(file([UInt8(ascii: "{"), 0xC3, UInt8(ascii: "}")]), .headerNotUTF8)  // truncated 2-byte sequence
    }

    func testNonObjectJSON() {
        assertThrows(file("[1,2,3]"), .headerNotObject(reason: "header is an array, not a JSON object"))
        assertThrows(file("\"text\""), .headerNotObject(reason: "header is a string, not a JSON object"))
        assertThrows(file(#"{"__metadata__":{"k":1}}"#), .headerNotObject(reason: "__metadata__ value for 'k' is an integer, not a string"))
        assertThrows(file(#"{"__metadata__":[]}"#), .headerNotObject(reason: "__metadata__ is an array, not an object"))
    }

    func testInvalidJSON() {
        for bad in ["", "{", #"{"a":}"#, #"{"a":1,}"#, "{} x", #"{"a":01}"#, #"{"a":"\q"}"#, String(repeating: "[", count: 1000)] {
            XCTAssertThrowsError(try SafeTensorsFile(data: file(bad)), bad) { error in
                guard case .headerNotJSON? = error as? SafeTensorsError else { return XCTFail("\(bad): got \(error)") }
            }
        }
        assertThrows(file(#"{"a":1,"a":2}"#), .headerNotJSON(reason: "duplicate key 'a' at byte 10"))
    }

    func testMissingFields() {
        assertInvalidEntry(file(#"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "a", containing: "missing \"dtype\"")
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "a", containing: "missing \"shape\"")
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0]), "a", containing: "missing \"data_offsets\"")
        assertInvalidEntry(file(#"{"a":7}"#), "a", containing: "not an object")
        assertInvalidEntry(file(#"{"a":{"dtype":3,"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "a", containing: "\"dtype\" is an integer")
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, data: [0, 0, 0, 0]), "a", containing: "3 values")
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}"#, data: [0, 0, 0, 0]), "a", containing: "unexpected field")
    }

    func testNegativeAndFloatShapes() {
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "a", containing: "-1")
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "a", containing: "1.5")
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "a", containing: "not a non-negative integer")
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "a", containing: "not an array")
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4e0]}}"#, data: [0, 0, 0, 0]), "a", containing: "data_offsets")
        assertInvalidEntry(file(#"{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "a", containing: "shape")
    }

    func testEveryTruncationOfAValidFileThrowsOrParsesWithoutCrashing() throws {
        let valid = try SafeTensorsWriter.encode(
            ["w": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), "b": Tensor(shape: [3], scalars: [7, 8, 9])],
            dtype: .bfloat16, metadata: ["format": "pt"])
        for length in 0..<valid.count {
            XCTAssertThrowsError(try SafeTensorsFile(data: valid.prefix(length)), "prefix of \(length) bytes")
        }
        XCTAssertNoThrow(try SafeTensorsFile(data: valid))
    }

    /// Random byte corruptions of a valid file (header and data) either throw or yield tensors of the
    /// declared shapes; none may crash or read out of bounds.
    func testRandomCorruptionsNeverCrash() throws {
        let valid = try SafeTensorsWriter.encode(
            ["conv.weight": Tensor(shape: [2, 1, 2, 2], repeating: 0.5), "bn.running_var": Tensor(shape: [2], repeating: 1)],
            dtype: .float16, dtypes: ["bn.running_var": .float32], metadata: ["classes": "3"])
        var generator = RandomGenerator(seed: 42)
        var rejected = 0
        for _ in 0..<3000 {
            var bytes = [UInt8](valid)
            for _ in 0..<Int(generator.next() % 3 + 1) {
                let position = Int(generator.next() % UInt64(bytes.count))
                bytes[position] = UInt8(truncatingIfNeeded: generator.next())
            }
            do {
                let file = try SafeTensorsFile(data: Data(bytes))
                for name in file.names {
                    XCTAssertEqual(try file.tensor(named: name).shape, file.entries[name]!.shape)
                }
            } catch is SafeTensorsError {
                rejected += 1
            }
        }
        XCTAssertGreaterThan(rejected, 500, "most corruptions of the header must be caught")
    }

    func testMissingFileThrowsIOError() {
        let url = URL(fileURLWithPath: "/nonexistent-folder/model.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: url)) { error in
            guard case .io? = error as? SafeTensorsError else { return XCTFail("got \(error)") }
        }
        XCTAssertThrowsError(try SafeTensorsWriter.write(["a": Tensor(1)], to: url)) { error in
            guard case .io? = error as? SafeTensorsError else { return XCTFail("got \(error)") }
        }
    }
}
