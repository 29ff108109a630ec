import ArgumentParser
import Foundation
import LandUseKit

/// Parsers for the list-valued options, with messages that say the expected form.
enum ArgumentParsing {
    static func integers(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Int($0) }
        guard !parts.isEmpty, values.count == parts.count else {
            throw ValidationError("\(option) takes comma-separated whole numbers such as 1,2,3, not \"\(text)\"")
        }
        return values
    }

    static func window(_ text: String, option: String) throws -> RasterWindow {
        let values = try integers(text, option: option)
        guard values.count == 4, values[0] >= 0, values[1] >= 0, values[2] > 0, values[3] > 0 else {
            throw ValidationError("\(option) takes COL,ROW,WIDTH,HEIGHT in pixels (offsets >= 0, sizes > 0), not \"\(text)\"")
        }
        return RasterWindow(columnOffset: values[0], rowOffset: values[1], columnCount: values[2], rowCount: values[3])
    }

    static func creationOptions(_ items: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--co takes KEY=VALUE (a GDAL creation option such as BLOCKSIZE=512), not \"\(item)\"")
            }
            result[String(item[..<equals]).uppercased()] = String(item[item.index(after: equals)...])
        }
        return result
    }

    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
