/// The element types the safetensors format defines, with their byte sizes.
///
/// Reading converts F32, F16, BF16, F64 and the integer and boolean types to Float32 (integers above 2^24
/// lose precision); writing stores F32, F16 or BF16. The 8-bit float types are validated but not converted.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    case bool = "BOOL"
    case uint8 = "U8"
    case int8 = "I8"
    case float8E4M3 = "F8_E4M3"
    case float8E5M2 = "F8_E5M2"
    case int16 = "I16"
    case uint16 = "U16"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int32 = "I32"
    case uint32 = "U32"
    case float32 = "F32"
    case int64 = "I64"
    case uint64 = "U64"
    case float64 = "F64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E4M3, .float8E5M2: return 1
        case .int16, .uint16, .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }

    /// Whether the writer can store Float32 tensors in this type.
    public var isWritable: Bool { self == .float32 || self == .float16 || self == .bfloat16 }

    /// Decodes `count` little-endian elements at `bytes` into Float32, or nil when this type is not convertible.
    func decode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<Float>) -> Bool {
        let count = output.count
        precondition(bytes.count == count * byteSize, "decode: \(bytes.count) bytes for \(count) \(rawValue) elements")
        func load<T: FixedWidthInteger>(_: T.Type, _ index: Int) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
        }
        switch self {
        case .float32: for i in 0..<count { output[i] = Float(bitPattern: load(UInt32.self, i)) }
        case .float16: for i in 0..<count { output[i] = SafeTensorsDType.floatFromHalfBits(load(UInt16.self, i)) }
        case .bfloat16: for i in 0..<count { output[i] = Float(bitPattern: UInt32(load(UInt16.self, i)) << 16) }
        case .float64: for i in 0..<count { output[i] = Float(Double(bitPattern: load(UInt64.self, i))) }
        case .bool: for i in 0..<count { output[i] = bytes[i] == 0 ? 0 : 1 }
        case .uint8: for i in 0..<count { output[i] = Float(bytes[i]) }
        case .int8: for i in 0..<count { output[i] = Float(Int8(bitPattern: bytes[i])) }
        case .int16: for i in 0..<count { output[i] = Float(load(Int16.self, i)) }
        case .uint16: for i in 0..<count { output[i] = Float(load(UInt16.self, i)) }
        case .int32: for i in 0..<count { output[i] = Float(load(Int32.self, i)) }
        case .uint32: for i in 0..<count { output[i] = Float(load(UInt32.self, i)) }
        case .int64: for i in 0..<count { output[i] = Float(load(Int64.self, i)) }
        case .uint64: for i in 0..<count { output[i] = Float(load(UInt64.self, i)) }
        case .float8E4M3, .float8E5M2: return false
        }
        return true
    }

    /// Appends `values` encoded little-endian in this (writable) type to `bytes`.
    func encode(_ values: UnsafeBufferPointer<Float>, appendingTo bytes: inout [UInt8]) {
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        switch self {
        case .float32: for value in values { append(value.bitPattern) }
        case .float16: for value in values { append(SafeTensorsDType.halfBits(from: value)) }
        case .bfloat16: for value in values { append(SafeTensorsDType.bfloat16Bits(from: value)) }
        default: preconditionFailure("SafeTensorsDType.encode: \(rawValue) is not writable")
        }
    }

    /// IEEE binary16 bits to Float32 (exact: every half is a float).
    static func floatFromHalfBits(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0x1F {  // infinity or NaN
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {  // zero or subnormal: mantissa × 2^-24
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// Float32 to IEEE binary16 bits, rounding to nearest even; overflow gives infinity, NaN stays NaN.
    static func halfBits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        if value.isNaN { return sign | 0x7E00 }
        let magnitude = abs(value)
        if magnitude >= 65520 { return sign | 0x7C00 }  // rounds past the largest half (65504)
        if magnitude < Float(sign: .plus, exponent: -14, significand: 1) {
            // Subnormal half: units of 2^-24, rounded to nearest even by Float's own rounding.
            let units = (magnitude * Float(sign: .plus, exponent: 24, significand: 1)).rounded(.toNearestOrEven)
            return sign | UInt16(units)
        }
        let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
        var mantissa = bits & 0x7F_FFFF
        var halfExponent = UInt32(exponent)
        let remainder = mantissa & 0x1FFF
        mantissa >>= 13
        if remainder > 0x1000 || (remainder == 0x1000 && mantissa & 1 == 1) {
            mantissa += 1
            if mantissa == 0x400 { mantissa = 0; halfExponent += 1 }
        }
        return sign | UInt16(halfExponent << 10) | UInt16(mantissa)
    }

    /// Float32 to bfloat16 bits (the top half of the float), rounding to nearest even; NaN stays NaN.
    static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x0040 }
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }
}
