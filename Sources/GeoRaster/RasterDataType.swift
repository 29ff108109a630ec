import CGDAL

/// A band's sample type, named as GDAL names it (`gdalinfo` prints the same names).
public enum RasterDataType: String, Sendable, Codable, CaseIterable {
    case byte = "Byte"
    case uint16 = "UInt16"
    case int16 = "Int16"
    case uint32 = "UInt32"
    case int32 = "Int32"
    case uint64 = "UInt64"
    case int64 = "Int64"
    case float32 = "Float32"
    case float64 = "Float64"
    case complex = "Complex"

    /// Whether windowed reads into Float32 support this type (every real type up to 32-bit integers and
    /// both float widths; 64-bit integers and complex types are refused).
    public var isReadable: Bool {
        switch self {
        case .byte, .uint16, .int16, .uint32, .int32, .float32, .float64: return true
        case .uint64, .int64, .complex: return false
        }
    }

    public var isInteger: Bool {
        switch self {
        case .float32, .float64, .complex: return false
        default: return true
        }
    }

    init(gdal type: GDALDataType) {
        switch type {
        case GDT_Byte: self = .byte
        case GDT_UInt16: self = .uint16
        case GDT_Int16: self = .int16
        case GDT_UInt32: self = .uint32
        case GDT_Int32: self = .int32
        case GDT_UInt64: self = .uint64
        case GDT_Int64: self = .int64
        case GDT_Float32: self = .float32
        case GDT_Float64: self = .float64
        default: self = .complex
        }
    }

    var gdal: GDALDataType {
        switch self {
        case .byte: return GDT_Byte
        case .uint16: return GDT_UInt16
        case .int16: return GDT_Int16
        case .uint32: return GDT_UInt32
        case .int32: return GDT_Int32
        case .uint64: return GDT_UInt64
        case .int64: return GDT_Int64
        case .float32: return GDT_Float32
        case .float64: return GDT_Float64
        case .complex: return GDT_CFloat64
        }
    }
}
