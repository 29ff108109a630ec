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
/// whatever the raster's height; strips bound it across the width. By default reading and cutting run on
/// one background thread and writing on another while the classifier runs (`ClassifyOptions.pipelined`,
/// see `ClassifyTool+Pipeline.swift`).
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
        let area = try checkedWindow(options.window, profile: dataset.profile, input: input)
        let outputs = try ClassifyOutputs(description: description, profile: dataset.profile, window: area, output: output, options: options)
        outputs.parallel = !options.pipelined
        let pass = try predict(dataset: dataset, input: input, area: area, options: options, started: started, progress: progress, isCancelled: isCancelled) { window, probabilities, weights in
            try outputs.write(window: window, probabilities: probabilities, weights: weights)
        }
        if isCancelled() { throw LandUseError(.cancelled, "interrupted: no output was written; run the command again to classify") }
        let written = try outputs.finish()
        return ClassifySummary(
            input: input.path, output: output.path, width: area.columnCount, height: area.rowCount, chipSize: pass.grid.chipSize,
            overlap: pass.grid.overlap, chipsTotal: pass.chipsTotal, chipsClassified: pass.classified, chipsSkipped: pass.skipped,
            validPixels: outputs.validPixels, nodataPixels: outputs.nodataPixels,
            classPixels: Dictionary(uniqueKeysWithValues: outputs.classPixels.map { ("\($0.key)", $0.value) }),
            seconds: Date().timeIntervalSince(started), outputs: written.map(\.path))
    }

    /// What one prediction pass did.
    struct PredictionPass {
        var grid: ChipGrid
        var chipsTotal = 0
        var classified = 0
        var skipped = 0
    }

    func checkedWindow(_ window: Window?, profile: RasterProfile, input: URL) throws -> Window {
        guard let window else { return profile.window }
        do {
            try window.validate(width: profile.width, height: profile.height)
        } catch {
            throw LandUseError(.badOption, "window \(window) does not fit \(input.lastPathComponent) (\(profile.width) x \(profile.height)): give COL,ROW,WIDTH,HEIGHT inside the raster")
        }
        return window
    }

    /// The shared engine of classify and evaluate: chips over `area` of `dataset` through the classifier and
    /// the stitcher; `consume` receives finished blocks (window in raster coordinates, probabilities
    /// `[rows, columns, classes]`, weight sums `[rows, columns]`, 0 = nodata) in row order per strip.
    func predict(
        dataset: RasterDataset, input: URL, area: Window, options: ClassifyOptions, started: Date,
        progress: ((ClassifyProgress) -> Void)?, isCancelled: () -> Bool,
        consume: (Window, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> Void
    ) throws -> PredictionPass {
        let bands = try chooseBands(profile: dataset.profile, requested: options.bands, input: input)
        let chipSize = options.chipSize ?? description.chipSize
        let overlap = options.overlap ?? description.chipOverlap
        guard chipSize >= 16, overlap >= 0, overlap < chipSize / 2 else {
            throw LandUseError(.badOption, "chip size \(chipSize) with overlap \(overlap): use a chip size of at least 16 and an overlap below half of it (the model recommends \(description.chipSize) and \(description.chipOverlap))")
        }
        guard options.batchSize >= 1 else {
            throw LandUseError(.badOption, "batch size \(options.batchSize): use 1 or more chips per batch")
        }
        // The grid lives in the coordinates of `area`; reads and writes add its offset.
        let grid = ChipGrid(rasterWidth: area.columnCount, rasterHeight: area.rowCount, chipSize: chipSize, overlap: overlap)
        let classifier: ChipClassifier = options.augmentation == .none
            ? self.classifier : AugmentedClassifier(base: self.classifier, augmentation: options.augmentation)
        let strips = columnStrips(grid: grid, maximumWidth: options.maximumStripWidth)
        LargeAllocations.useOwnMappings
        var pass = PredictionPass(grid: grid)
        pass.chipsTotal = strips.reduce(0) { $0 + grid.rowCount * grid.chipColumns(touching: $1).count }
        let source = ChipSource(dataset: dataset, area: area, grid: grid, bands: bands, normalisation: description.bands, policy: description.nodata,
                                 batchSize: options.batchSize)
        let work = PredictionWork(
            grid: grid, area: area, strips: strips, classCount: description.classes.count, classifier: classifier, started: started,
            progress: progress)
        if options.pipelined {
            try predictPipelined(source: source, work: work, pass: &pass, isCancelled: isCancelled, consume: consume)
        } else {
            try predictSequentially(source: source, work: work, pass: &pass, isCancelled: isCancelled, consume: consume)
        }
        return pass
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
