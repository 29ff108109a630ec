import Foundation

/// The classes a model is trained on and how label-raster values map to logit indices 0..<count.
public struct ClassMapping: Sendable, Equatable {
    /// The label value written for pixels that take no part in the loss or the metrics.
    public static let ignoreIndex = 255

    public let classes: [ClassInfo]
    private let indexByValue: [Int: Int]

    public init(classes: [ClassInfo]) {
        self.classes = classes
        indexByValue = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element.value, $0.offset) })
    }

    /// The logit index of label `value`, or nil for a value that is no class.
    public func index(ofValue value: Int) -> Int? { indexByValue[value] }

    public var count: Int { classes.count }

    /// Classes for the label values found, when no classes file was given: names "class V" and colours
    /// from a fixed qualitative palette.
    public static func generated(values: [Int]) -> ClassMapping {
        let palette: [[Int]] = [
            [228, 26, 28], [55, 126, 184], [77, 175, 74], [152, 78, 163], [255, 127, 0], [255, 255, 51],
            [166, 86, 40], [247, 129, 191], [153, 153, 153], [141, 211, 199], [190, 186, 218], [251, 128, 114],
        ]
        return ClassMapping(classes: values.sorted().enumerated().map { index, value in
            ClassInfo(value: value, name: "class \(value)", color: palette[index % palette.count])
        })
    }
}

extension ClassInfo {
    /// Reads a classes file: a JSON array of `{"value": 1, "name": "developed", "color": [r, g, b]}` (the
    /// colour may also be "#rrggbb").
    public static func load(from url: URL) throws -> [ClassInfo] {
        struct Entry: Decodable {
            var value: Int
            var name: String
            var color: [Int]

            enum CodingKeys: String, CodingKey { case value, name, color }

            init(from decoder: Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                value = try container.decode(Int.self, forKey: .value)
                name = try container.decode(String.self, forKey: .name)
                if let hex = try? container.decode(String.self, forKey: .color), hex.hasPrefix("#"), hex.count == 7, let number = Int(hex.dropFirst(), radix: 16) {
                    color = [number >> 16 & 255, number >> 8 & 255, number & 255]
                } else {
                    color = try container.decode([Int].self, forKey: .color)
                }
            }
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LandUseError(.badInput, "cannot read classes file \(url.path): check the path")
        }
        let entries: [Entry]
        do { entries = try JSONDecoder().decode([Entry].self, from: data) } catch {
            throw LandUseError(.badInput, "classes file \(url.lastPathComponent) is not a JSON array of {\"value\": 1, \"name\": \"forest\", \"color\": [34, 139, 34]} entries: \(error)")
        }
        guard entries.count >= 2, Set(entries.map(\.value)).count == entries.count else {
            throw LandUseError(.badInput, "classes file \(url.lastPathComponent) needs at least 2 classes with distinct values")
        }
        if let bad = entries.first(where: { $0.color.count != 3 || $0.color.contains { !(0...255).contains($0) } }) {
            throw LandUseError(.badInput, "class \(bad.name): color must be [red, green, blue] in 0...255 or \"#rrggbb\"")
        }
        return entries.map { ClassInfo(value: $0.value, name: $0.name, color: $0.color) }
    }
}
