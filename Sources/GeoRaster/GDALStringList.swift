import CGDAL

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
