import CGDAL
import Foundation

/// Process-wide GDAL set-up: drivers registered once, and GDAL's messages captured instead of printed.
enum GDALRuntime {
    private static let registered: Void = {
        GDALAllRegister()
        // Errors are turned into GeoRasterError values that carry GDAL's message; printing them as well
        // would put the same text on stderr twice, and warnings from drivers would look like failures.
        CPLSetErrorHandler(CPLQuietErrorHandler)
    }()

    /// Registers the drivers (once) and clears the thread's last GDAL error before a call whose failure
    /// we will report through `GeoRasterError.gdal`.
    static func prepare() {
        _ = registered
        CPLErrorReset()
    }
}

/// A GDAL string list (`char **`) built from Swift strings; freed with `CSLDestroy`.
final class GDALStringList {
    private(set) var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    init(_ items: [String] = []) {
        for item in items { append(item) }
    }

    /// The list as GDAL's `const char * const *` parameters take it.
    var constPointer: UnsafePointer<UnsafePointer<CChar>?>? {
        pointer.map { UnsafeRawPointer($0).assumingMemoryBound(to: UnsafePointer<CChar>?.self) }
    }

    func append(_ item: String) {
        pointer = CSLAddString(pointer, item)
    }

    deinit { CSLDestroy(pointer) }
}

/// Reads a GDAL `char **` list into Swift strings (the list stays owned by GDAL).
func stringsFromGDALList(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
    guard let list else { return [] }
    var result: [String] = []
    var index = 0
    while let item = list[index] {
        result.append(String(cString: item))
        index += 1
    }
    return result
}
