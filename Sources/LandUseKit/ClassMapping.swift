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
