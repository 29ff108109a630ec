import CGDAL
import CPROJ

/// The one error type of the GDAL/PROJ boundary.
///
/// `description` says what went wrong and what to do about it; `libraryMessage` carries GDAL's or PROJ's
/// own message (from `CPLGetLastErrorMsg` / `proj_context_errno_string`) when the library gave one.
public struct GeoRasterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is, so callers can react without parsing text.
    public enum Kind: String, Sendable {
        case fileNotFound
        case notARaster
        case unsupportedDataType
        case unsupportedGeoTransform
        case badWindow
        case badBands
        case badValues
        case outputExists
        case unwritableOutput
        case writeFailed
        case readFailed
        case projectionFailed
        case vectorizeFailed
        /// A zones vector file that cannot be used (not vector, unknown layer or field, not polygons).
        case badZones
    }

    public let kind: Kind
    /// What happened and how to fix it, in one or two sentences.
    public let message: String
    /// The C library's own message, if it left one.
    public let libraryMessage: String?

    public init(_ kind: Kind, _ message: String, libraryMessage: String? = nil) {
        self.kind = kind
        self.message = message
        let trimmed = libraryMessage?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.libraryMessage = (trimmed?.isEmpty ?? true) ? nil : trimmed
    }

    public var description: String {
        if let libraryMessage { return "\(message) (GDAL/PROJ said: \(libraryMessage))" }
        return message
    }

    /// Builds an error that carries GDAL's last error message on this thread.
    ///
    /// The single place where GDAL's message reaches a Swift error; every failing GDAL call goes through it.
    static func gdal(_ kind: Kind, _ message: String) -> GeoRasterError {
        let last = CPLGetLastErrorMsg().map { String(cString: $0) }
        return GeoRasterError(kind, message, libraryMessage: last)
    }

    /// Builds an error that carries PROJ's message for the last error of `context`.
    static func proj(_ kind: Kind, _ message: String, context: OpaquePointer?) -> GeoRasterError {
        let code = proj_context_errno(context)
        let text = code == 0 ? nil : proj_context_errno_string(context, code).map { String(cString: $0) }
        return GeoRasterError(kind, message, libraryMessage: text)
    }
}
