import Foundation
import GeoRaster

/// An image raster and its label raster, read into memory over one pixel window, with labels mapped to
/// class indices: the training (or validation) data of `landuse train`.
///
/// Pixels are `[rows, columns, bands]` (NHWC without the batch). A pixel takes part in training only when
/// every image band is valid and its label is a class: otherwise its label is `ClassMapping.ignoreIndex`.
public struct LabelledScene: Sendable {
    public let imageURL: URL
    public let labelsURL: URL
    /// The window of the image (and labels) that was read.
    public let window: Window
    public let bandCount: Int
    /// Image samples `[rows, columns, bands]`, raw (not normalised); NaN where the sample is missing
    /// (the whole pixel is invalid, or under `fill_missing_bands` that band is).
    public let pixels: [Float]
    /// Whether the pixel takes part, by the nodata policy (every band valid, or any band valid).
    public let imageValid: [Bool]
    /// Class index per pixel, or `ClassMapping.ignoreIndex`.
    public let labels: [UInt8]

    public var width: Int { window.columnCount }
    public var height: Int { window.rowCount }

    /// Reads `window` (the whole raster when nil) of `image` (`bands`, 1-based) and `labels` (band 1).
    ///
    /// Throws when the two rasters are not on the same grid (with the `gdalwarp` command that fixes it),
    /// when a label value is neither a class, nodata nor in `ignoredValues`, or when labels are not integers.
    public static func load(
        image: URL, labels: URL, bands: [Int]?, window: Window?, mapping: ClassMapping, ignoredValues: Set<Int>,
        policy: NodataPolicy = .maskedAsMean
    ) throws -> LabelledScene {
        let imageDataset = try RasterDataset(url: image)
        let labelDataset = try RasterDataset(url: labels)
        try checkSameGrid(image: imageDataset.profile, labels: labelDataset.profile, imageURL: image, labelsURL: labels)
        let window = window ?? imageDataset.profile.window
        do {
            try window.validate(width: imageDataset.profile.width, height: imageDataset.profile.height)
        } catch {
            throw LandUseError(.badOption, "window \(window) does not fit \(image.lastPathComponent) (\(imageDataset.profile.width) x \(imageDataset.profile.height)): give COL,ROW,WIDTH,HEIGHT inside the image")
        }
        let policyBlock = try PolicyBlock.read(imageDataset, window: window, bands: bands ?? Array(1...imageDataset.profile.bandCount), policy: policy)
        let block = policyBlock.block
        let labelBlock = try labelDataset.read(window: window, bands: [1])
        var classIndices = [UInt8](repeating: UInt8(ClassMapping.ignoreIndex), count: window.pixelCount)
        for pixel in 0..<window.pixelCount where labelBlock.isValid[pixel] {
            let raw = labelBlock.values[pixel]
            guard raw == raw.rounded() else {
                throw LandUseError(.badInput, "label raster \(labels.lastPathComponent) holds \(raw) at pixel \(pixel % window.columnCount + window.columnOffset), \(pixel / window.columnCount + window.rowOffset): labels must be integer class values")
            }
            let value = Int(raw)
            if ignoredValues.contains(value) { continue }
            guard let index = mapping.index(ofValue: value) else {
                throw LandUseError(.badInput, "label value \(value) in \(labels.lastPathComponent) is not one of the classes \(mapping.classes.map(\.value)): add it to the classes file or pass --ignore-value \(value)")
            }
            if block.isValid[pixel] { classIndices[pixel] = UInt8(index) }
        }
        return LabelledScene(imageURL: image, labelsURL: labels, window: window, bandCount: block.bandCount, pixels: markedSamples(policyBlock),
                             imageValid: block.isValid, labels: classIndices)
    }

    /// An image without labels (every pixel `ClassMapping.ignoreIndex`): distillation data, which only the
    /// teacher's soft targets train on. `labelsURL` is the image's URL.
    public static func unlabelled(image: URL, bands: [Int]?, policy: NodataPolicy) throws -> LabelledScene {
        let dataset = try RasterDataset(url: image)
        let window = dataset.profile.window
        let policyBlock = try PolicyBlock.read(dataset, window: window, bands: bands ?? Array(1...dataset.profile.bandCount), policy: policy)
        let block = policyBlock.block
        return LabelledScene(imageURL: image, labelsURL: image, window: window, bandCount: block.bandCount, pixels: markedSamples(policyBlock),
                             imageValid: block.isValid, labels: [UInt8](repeating: UInt8(ClassMapping.ignoreIndex), count: window.pixelCount))
    }

    /// The block's samples with NaN wherever the pixel is invalid or (under `fill_missing_bands`) that band is.
    private static func markedSamples(_ policyBlock: PolicyBlock) -> [Float] {
        let block = policyBlock.block
        var values = block.values
        for pixel in 0..<block.window.pixelCount {
            for band in 0..<block.bandCount where !block.isValid[pixel] || !(policyBlock.sampleValid?[pixel * block.bandCount + band] ?? true) {
                values[pixel * block.bandCount + band] = .nan
            }
        }
        return values
    }

    /// The distinct label values of `labels` over `window` that are valid and not ignored (for classes
    /// generated from the data).
    public static func labelValues(labels: URL, window: Window?, ignoredValues: Set<Int>) throws -> [Int] {
        let dataset = try RasterDataset(url: labels)
        let block = try dataset.read(window: window, bands: [1])
        var found = Set<Int>()
        for pixel in 0..<block.window.pixelCount where block.isValid[pixel] {
            let raw = block.values[pixel]
            guard raw == raw.rounded() else {
                throw LandUseError(.badInput, "label raster \(labels.lastPathComponent) holds \(raw): labels must be integer class values")
            }
            if !ignoredValues.contains(Int(raw)) { found.insert(Int(raw)) }
        }
        return found.sorted()
    }

    /// Throws unless `labels` lies on exactly the grid of `image` (size, geotransform, CRS).
    public static func checkSameGrid(image: RasterProfile, labels: RasterProfile, imageURL: URL, labelsURL: URL) throws {
        var differences: [String] = []
        if image.width != labels.width || image.height != labels.height {
            differences.append("size \(labels.width) x \(labels.height) vs \(image.width) x \(image.height)")
        }
        if let a = image.geoTransform, let b = labels.geoTransform {
            let tolerance = abs(a.pixelWidth) * 1e-6
            if abs(a.originX - b.originX) > tolerance || abs(a.originY - b.originY) > tolerance
                || abs(a.pixelWidth - b.pixelWidth) > tolerance || abs(a.pixelHeight - b.pixelHeight) > tolerance {
                differences.append("geotransform \(b.coefficients) vs \(a.coefficients)")
            }
        } else if (image.geoTransform == nil) != (labels.geoTransform == nil) {
            differences.append("only one of them is georeferenced")
        }
        if let a = image.crs, let b = labels.crs, a.wkt != b.wkt && (a.authorityCode == nil || a.authorityCode != b.authorityCode) {
            differences.append("CRS \(b.authorityCode ?? b.name) vs \(a.authorityCode ?? a.name)")
        }
        guard !differences.isEmpty else { return }
        var fix = "resample the labels onto the image's grid with nearest neighbour"
        if let transform = image.geoTransform {
            let xMin = transform.originX, yMax = transform.originY
            let xMax = xMin + transform.pixelWidth * Double(image.width), yMin = yMax + transform.pixelHeight * Double(image.height)
            let target = image.crs?.authorityCode.map { "-t_srs \($0) " } ?? ""
            fix += ": gdalwarp \(target)-te \(xMin) \(yMin) \(xMax) \(yMax) -ts \(image.width) \(image.height) -r near \(labelsURL.path) labels_on_image_grid.tif"
        }
        throw LandUseError(.badInput, "labels \(labelsURL.lastPathComponent) are not on the grid of image \(imageURL.lastPathComponent) (\(differences.joined(separator: "; "))): \(fix)")
    }

    /// Mean and standard deviation of each band over its valid samples.
    public func bandStatistics() -> [(mean: Double, std: Double)] {
        var sums = BandSums(bandCount: bandCount)
        sums.add(self)
        return sums.statistics
    }

    /// Pixels per class index over the labelled pixels.
    public func classCounts(classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels where Int(label) < classCount { counts[Int(label)] += 1 }
        return counts
    }
}

/// Running sums of each band's valid (non-NaN) samples, for normalisation statistics over several scenes.
struct BandSums {
    private(set) var sums: [Double]
    private(set) var squares: [Double]
    private(set) var counts: [Int]

    init(bandCount: Int) {
        sums = [Double](repeating: 0, count: bandCount)
        squares = sums
        counts = [Int](repeating: 0, count: bandCount)
    }

    mutating func add(_ scene: LabelledScene) {
        let bands = scene.bandCount
        for pixel in 0..<scene.window.pixelCount where scene.imageValid[pixel] {
            for band in 0..<bands {
                let value = scene.pixels[pixel * bands + band]
                guard !value.isNaN else { continue }
                sums[band] += Double(value)
                squares[band] += Double(value) * Double(value)
                counts[band] += 1
            }
        }
    }

    /// Mean and standard deviation per band (mean 0 and std 1 for a band without a valid sample).
    var statistics: [(mean: Double, std: Double)] {
        sums.indices.map { band in
            guard counts[band] > 0 else { return (0, 1) }
            let mean = sums[band] / Double(counts[band])
            return (mean, max(1e-6, (squares[band] / Double(counts[band]) - mean * mean).squareRoot()))
        }
    }
}
