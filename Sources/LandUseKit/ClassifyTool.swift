import Foundation
import GeoRaster
import TensorCore

/// Classifies a raster of any size chip by chip and writes a georeferenced class raster (plus optional
/// probability and confidence rasters): the engine behind `landuse classify` and `landuse evaluate`.
///
/// Pipeline, per column strip (see `ChipGrid`, `ChipStitcher`): for each chip row, read the rows it covers
/// once, cut and normalise its chips (nodata, NaN and masked pixels become 0, the band mean after
/// normalisation), skip chips without a valid pixel, run the classifier in batches, blend the chip
/// probabilities and write the rows no later chip touches. Memory is bounded by one chip row of one strip,
/// whatever the raster's height; strips bound it across the width.
public final class ClassifyTool {
    public let description: ModelDescription
    public let classifier: ChipClassifier

    /// - Parameters:
    ///   - description: the model file's self-description (bands, normalisation, classes, chip size).
    ///   - classifier: produces probabilities for normalised chips (test-time augmentation is added here).
    public init(description: ModelDescription, classifier: ChipClassifier) {
        precondition(classifier.classCount == description.classes.count, "classifier has \(classifier.classCount) classes, description \(description.classes.count)")
        self.description = description
        self.classifier = classifier
    }

    /// Runs the classification. Throws `LandUseError` or `GeoRasterError` with a message that says what to
    /// do; on any error or cancellation no file is left under an output name.
    @discardableResult
    public func run(
        input: URL, output: URL, options: ClassifyOptions = ClassifyOptions(),
        progress: ((ClassifyProgress) -> Void)? = nil, isCancelled: () -> Bool = { false }
    ) throws -> ClassifySummary {
        let started = Date()
        let dataset = try RasterDataset(url: input)
        let profile = dataset.profile
        let bands = try chooseBands(profile: profile, requested: options.bands, input: input)
        let chipSize = options.chipSize ?? description.chipSize
        let overlap = options.overlap ?? description.chipOverlap
        guard chipSize >= 16, overlap >= 0, overlap < chipSize / 2 else {
            throw LandUseError(.badOption, "chip size \(chipSize) with overlap \(overlap): use a chip size of at least 16 and an overlap below half of it (the model recommends \(description.chipSize) and \(description.chipOverlap))")
        }
        guard options.batchSize >= 1 else {
            throw LandUseError(.badOption, "batch size \(options.batchSize): use 1 or more chips per batch")
        }
        let grid = ChipGrid(rasterWidth: profile.width, rasterHeight: profile.height, chipSize: chipSize, overlap: overlap)
        let outputs = try ClassifyOutputs(description: description, profile: profile, output: output, options: options)
        let classifier: ChipClassifier = options.augmentation == .none
            ? self.classifier : AugmentedClassifier(base: self.classifier, augmentation: options.augmentation)

        let strips = columnStrips(grid: grid, maximumWidth: options.maximumStripWidth)
        let chipsTotal = strips.reduce(0) { $0 + grid.rowCount * grid.chipColumns(touching: $1).count }
        var classified = 0, skipped = 0
        for strip in strips {
            let stitcher = ChipStitcher(grid: grid, classCount: description.classes.count, outputColumns: strip)
            let chipColumns = grid.chipColumns(touching: strip)
            for chipRow in 0..<grid.rowCount {
                if isCancelled() { throw LandUseError(.cancelled, "interrupted: no output was written; run the command again to classify") }
                let rows = grid.rowExtent(chipRow)
                let columns = grid.columnExtent(chipColumns.lowerBound).lowerBound..<grid.columnExtent(chipColumns.upperBound - 1).upperBound
                let block = try dataset.read(
                    window: Window(columnOffset: columns.lowerBound, rowOffset: rows.lowerBound, columnCount: columns.count, rowCount: rows.count),
                    bands: bands)
                var batch = ChipBatch(chipSize: chipSize, bandCount: bands.count, capacity: options.batchSize)
                for chipColumn in chipColumns {
                    if batch.cut(from: block, grid: grid, chipRow: chipRow, chipColumn: chipColumn, bands: description.bands) {
                        classified += 1
                    } else {
                        skipped += 1
                    }
                    if batch.isFull { try batch.run(classifier, into: stitcher) }
                    progress?(ClassifyProgress(chipsDone: classified + skipped, chipsTotal: chipsTotal, secondsElapsed: Date().timeIntervalSince(started)))
                }
                try batch.run(classifier, into: stitcher)
                try stitcher.finishRows(upTo: grid.ownedRows(chipRow).upperBound) { top, rowCount, probabilities, weights in
                    try outputs.write(
                        window: Window(columnOffset: strip.lowerBound, rowOffset: top, columnCount: strip.count, rowCount: rowCount),
                        probabilities: probabilities, weights: weights)
                }
            }
        }
        if isCancelled() { throw LandUseError(.cancelled, "interrupted: no output was written; run the command again to classify") }
        let written = try outputs.finish()
        return ClassifySummary(
            input: input.path, output: output.path, width: profile.width, height: profile.height, chipSize: chipSize,
            overlap: overlap, chipsTotal: chipsTotal, chipsClassified: classified, chipsSkipped: skipped, validPixels: outputs.validPixels, nodataPixels: outputs.nodataPixels,
            classPixels: Dictionary(uniqueKeysWithValues: outputs.classPixels.map { ("\($0.key)", $0.value) }),
            seconds: Date().timeIntervalSince(started), outputs: written.map(\.path))
    }

    private func chooseBands(profile: RasterProfile, requested: [Int]?, input: URL) throws -> [Int] {
        let needed = description.bands.count
        let names = description.bands.map(\.name).joined(separator: ", ")
        if let requested {
            guard requested.count == needed else {
                throw LandUseError(.badInput, "--bands lists \(requested.count) bands but the model expects \(needed) (\(names)): list exactly \(needed) band numbers")
            }
            if let bad = requested.first(where: { $0 < 1 || $0 > profile.bandCount }) {
                throw LandUseError(.badInput, "--bands names band \(bad) but \(input.lastPathComponent) has bands 1...\(profile.bandCount)")
            }
            return requested
        }
        guard profile.bandCount == needed else {
            throw LandUseError(.badInput, "model expects \(needed) bands (\(names)), \(input.lastPathComponent) has \(profile.bandCount): pass --bands to choose which input bands feed the model, e.g. --bands \(Array(1...min(needed, max(profile.bandCount, 1))).map(String.init).joined(separator: ","))")
        }
        return Array(1...needed)
    }

    /// Column strips: contiguous runs of chip columns whose owned pixel columns span at most `maximumWidth`
    /// (at least one chip column each).
    private func columnStrips(grid: ChipGrid, maximumWidth: Int) -> [Range<Int>] {
        var strips: [Range<Int>] = []
        var start = 0
        for column in 0..<grid.columnCount {
            let owned = grid.ownedColumns(column)
            if owned.upperBound - start > maximumWidth && owned.lowerBound > start {
                strips.append(start..<owned.lowerBound)
                start = owned.lowerBound
            }
        }
        strips.append(start..<grid.rasterWidth)
        return strips
    }
}
