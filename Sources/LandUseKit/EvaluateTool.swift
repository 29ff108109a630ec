import Foundation
import GeoRaster

/// What `landuse evaluate` prints: accuracy figures of a model on a labelled window.
public struct EvaluationReport: Codable, Sendable {
    public var image: String
    public var labels: String
    /// The evaluated window `[column, row, width, height]` of the image.
    public var window: [Int]
    public var metrics: SegmentationMetrics
    /// Labelled pixels (valid label that is a model class, not ignored) in the window.
    public var labelledPixels: Int
    /// Labelled pixels the model gave no class (nodata in the input).
    public var unpredictedPixels: Int
    /// Valid label pixels whose value is ignored or no model class.
    public var ignoredPixels: Int

    private enum CodingKeys: String, CodingKey {
        case image, labels, window, metrics
        case labelledPixels = "labelled_pixels"
        case unpredictedPixels = "unpredicted_pixels"
        case ignoredPixels = "ignored_pixels"
    }

    /// The report as Markdown for the terminal.
    public func markdown() -> String {
        "# Evaluation of \(image) against \(labels)\n\nWindow (column, row, width, height): \(window.map(String.init).joined(separator: ", ")). "
            + "Labelled pixels: \(labelledPixels); without prediction (input nodata): \(unpredictedPixels); ignored: \(ignoredPixels).\n\n"
            + metrics.markdown()
    }
}

/// Scores a model against reference labels by running the classify pipeline (the same code path,
/// `ClassifyTool.predict`) over a window and comparing its classes with the labels pixel by pixel.
public final class EvaluateTool {
    public let tool: ClassifyTool

    public init(description: ModelDescription, classifier: ChipClassifier) {
        tool = ClassifyTool(description: description, classifier: classifier)
    }

    public func run(
        image: URL, labels: URL, options: ClassifyOptions = ClassifyOptions(), ignoredValues: Set<Int> = [],
        progress: ((ClassifyProgress) -> Void)? = nil, isCancelled: () -> Bool = { false }
    ) throws -> EvaluationReport {
        let description = tool.description
        let dataset = try RasterDataset(url: image)
        let labelDataset = try RasterDataset(url: labels)
        try LabelledScene.checkSameGrid(image: dataset.profile, labels: labelDataset.profile, imageURL: image, labelsURL: labels)
        let area = try tool.checkedWindow(options.window, profile: dataset.profile, input: image)
        let mapping = ClassMapping(classes: description.classes)
        let classes = description.classes.count
        var matrix = ConfusionMatrix(classCount: classes)
        var labelled = 0, unpredicted = 0, ignored = 0
        _ = try tool.predict(dataset: dataset, input: image, area: area, options: options, started: Date(), progress: progress, isCancelled: isCancelled) { window, probabilities, weights in
            let reference = try labelDataset.read(window: window, bands: [1])
            for pixel in 0..<window.pixelCount where reference.isValid[pixel] {
                let raw = reference.values[pixel]
                guard raw == raw.rounded(), !ignoredValues.contains(Int(raw)), let truth = mapping.index(ofValue: Int(raw)) else {
                    ignored += 1
                    continue
                }
                labelled += 1
                guard weights[pixel] > 0 else {
                    unpredicted += 1
                    continue
                }
                var best = 0
                for k in 1..<classes where probabilities[pixel * classes + k] > probabilities[pixel * classes + best] { best = k }
                matrix.add(reference: truth, predicted: best)
            }
        }
        return EvaluationReport(
            image: image.path, labels: labels.path, window: [area.columnOffset, area.rowOffset, area.columnCount, area.rowCount],
            metrics: SegmentationMetrics(matrix: matrix, classes: description.classes), labelledPixels: labelled,
            unpredictedPixels: unpredicted, ignoredPixels: ignored)
    }
}
