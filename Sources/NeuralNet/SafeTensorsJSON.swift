/// The small, strict JSON dialect of a safetensors header: parsing and writing.
///
/// A dedicated parser (rather than Foundation's) so that integers stay integers (`2.0` is not a valid
/// shape entry), duplicate keys are an error instead of a silent overwrite, and nesting is bounded: a
/// hostile header can make it throw but never recurse deeply or read outside the given bytes.
enum SafeTensorsJSON: Equatable {
    case object([(key: String, value: SafeTensorsJSON)])
    case array([SafeTensorsJSON])
    case string(String)
    /// A number written without fraction or exponent that fits in Int.
    case integer(Int)
    /// Any other number.
    case number(Double)
    case bool(Bool)
    case null

    static func == (lhs: SafeTensorsJSON, rhs: SafeTensorsJSON) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(a), .array(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// A short description of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a non-integer number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// Parses `bytes` (already checked to be UTF-8) as one JSON value followed only by whitespace.
    static func parse(_ bytes: [UInt8]) throws -> SafeTensorsJSON {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("unexpected bytes after the top-level value") }
        return value
    }

    /// Compact JSON text for this value (object keys in the stored order).
    var serialized: String {
        switch self {
        case let .object(members):
            return "{" + members.map { SafeTensorsJSON.quoted($0.key) + ":" + $0.value.serialized }.joined(separator: ",") + "}"
        case let .array(elements): return "[" + elements.map(\.serialized).joined(separator: ",") + "]"
        case let .string(text): return SafeTensorsJSON.quoted(text)
        case let .integer(value): return String(value)
        case let .number(value): return "\(value)"
        case let .bool(value): return value ? "true" : "false"
        case .null: return "null"
        }
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        static let maximumDepth = 32

        init(bytes: [UInt8]) { self.bytes = bytes }

        func failure(_ message: String) -> SafeTensorsError {
            .headerNotJSON(reason: "\(message) at byte \(position)")
        }

        mutating func skipWhitespace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ literal: String) throws {
            for byte in literal.utf8 {
                guard position < bytes.count, bytes[position] == byte else { throw failure("expected '\(literal)'") }
                position += 1
            }
        }

        mutating func parseValue(depth: Int) throws -> SafeTensorsJSON {
            guard depth < Parser.maximumDepth else { throw failure("nesting deeper than \(Parser.maximumDepth)") }
            guard position < bytes.count else { throw failure("unexpected end of header") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw failure("unexpected character")
            }
        }

        mutating func parseObject(depth: Int) throws -> SafeTensorsJSON {
            position += 1
            var members: [(key: String, value: SafeTensorsJSON)] = []
            var keys = Set<String>()
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                let key = try parseString()
                guard keys.insert(key).inserted else { throw failure("duplicate key '\(key)'") }
                skipWhitespace()
                try expect(":")
                skipWhitespace()
                members.append((key, try parseValue(depth: depth + 1)))
                skipWhitespace()
                guard position < bytes.count else { throw failure("unterminated object") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
                throw failure("expected ',' or '}'")
            }
        }

        mutating func parseArray(depth: Int) throws -> SafeTensorsJSON {
            position += 1
            var elements: [SafeTensorsJSON] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard position < bytes.count else { throw failure("unterminated array") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
                throw failure("expected ',' or ']'")
            }
        }

        mutating func parseHexQuad() throws -> UInt32 {
            guard position + 4 <= bytes.count else { throw failure("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[position])).hexDigitValue else { throw failure("bad \\u escape") }
                value = value * 16 + UInt32(digit)
                position += 1
            }
            return value
        }

        mutating func parseString() throws -> String {
            position += 1
            var utf8: [UInt8] = []
            while true {
                guard position < bytes.count else { throw failure("unterminated string") }
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: utf8, as: UTF8.self)  // input was validated as UTF-8
                case UInt8(ascii: "\\"):
                    guard position < bytes.count else { throw failure("unterminated escape") }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try parseHexQuad()
                        if (0xD800..<0xDC00).contains(code) {
                            try expect("\\u")
                            let low = try parseHexQuad()
                            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw failure("unpaired surrogate") }
                        utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: throw failure("bad escape")
                    }
                case 0..<0x20:
                    throw failure("control character in string")
                default:
                    utf8.append(byte)
                }
            }
        }

        mutating func parseNumber() throws -> SafeTensorsJSON {
            let start = position
            var isInteger = true
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            func digits() -> Int {
                let first = position
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
                return position - first
            }
            let integerDigits = digits()
            guard integerDigits > 0 else { throw failure("bad number") }
            guard !(integerDigits > 1 && bytes[position - integerDigits] == UInt8(ascii: "0")) else { throw failure("leading zero in number") }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                isInteger = false
                guard digits() > 0 else { throw failure("bad fraction") }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                position += 1
                isInteger = false
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { throw failure("bad exponent") }
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if isInteger, let value = Int(text) { return .integer(value) }
            guard let value = Double(text) else { throw failure("bad number") }
            return .number(value)
        }
    }
}
