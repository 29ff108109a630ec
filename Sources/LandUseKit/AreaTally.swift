/// Running pixel counts and ground areas per class value, summed in Double.
public struct AreaTally: Sendable {
    public private(set) var pixels: [Int: Int] = [:]
    public private(set) var squareMetres: [Int: Double] = [:]
    public private(set) var nodataPixels = 0

    public init() {}

    /// Counts one pixel of class `value` covering `area` square metres.
    public mutating func add(value: Int, area: Double) {
        pixels[value, default: 0] += 1
        squareMetres[value, default: 0] += area
    }

    /// Counts `count` pixels of class `value` covering `area` square metres in all (a block's sums).
    public mutating func add(value: Int, pixels count: Int, area: Double) {
        guard count > 0 else { return }
        pixels[value, default: 0] += count
        squareMetres[value, default: 0] += area
    }

    /// Counts one pixel without a class.
    public mutating func addNodata(count: Int = 1) { nodataPixels += count }

    /// Adds another tally (e.g. of another block or thread).
    public mutating func merge(_ other: AreaTally) {
        for (value, count) in other.pixels { pixels[value, default: 0] += count }
        for (value, area) in other.squareMetres { squareMetres[value, default: 0] += area }
        nodataPixels += other.nodataPixels
    }

    /// One row per known class (in the given order, zero rows included) then per value found that no
    /// class names (named "class <value>"), with fractions of the valid area.
    public func classAreas(names: [(value: Int, name: String)]) -> [ClassArea] {
        let validArea = squareMetres.values.reduce(0, +)
        var rows: [ClassArea] = []
        var listed = Set<Int>()
        for (value, name) in names {
            listed.insert(value)
            rows.append(row(value: value, name: name, validArea: validArea))
        }
        for value in pixels.keys.sorted() where !listed.contains(value) {
            rows.append(row(value: value, name: "class \(value)", validArea: validArea))
        }
        return rows
    }

    private func row(value: Int, name: String, validArea: Double) -> ClassArea {
        let area = squareMetres[value] ?? 0
        return ClassArea(value: value, name: name, pixels: pixels[value] ?? 0, areaSquareMetres: area,
                         fraction: validArea > 0 ? area / validArea : 0)
    }
}
