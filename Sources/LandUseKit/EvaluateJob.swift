import Foundation

/// `landuse evaluate` as one call: load the model file and score it on a labelled window.
public enum EvaluateJob {
    /// - Parameter recordAs: when set, the evaluation's overall accuracy, mIoU and kappa are added to the model
    ///   file's provenance metrics as `<recordAs>_overall_accuracy`, `<recordAs>_miou`, `<recordAs>_kappa`
    ///   (the file is rewritten atomically, weights untouched).
    public static func run(
        model: URL, image: URL, labels: URL, options: ClassifyOptions = ClassifyOptions(), ignoredValues: Set<Int> = [],
        recordAs: String? = nil, progress: ((ClassifyProgress) -> Void)? = nil, isCancelled: () -> Bool = { false }
    ) throws -> EvaluationReport {
        for (role, url) in [("image", image), ("labels", labels)] where !FileManager.default.fileExists(atPath: url.path) {
            throw LandUseError(.badInput, "\(role) \(url.path) does not exist: check the path")
        }
        let file: ModelFile
        do {
            file = try ModelFile(contentsOf: model)
        } catch {
            throw LandUseError(.badModel, "cannot use model \(model.path): \(error)")
        }
        let report = try EvaluateTool(description: file.modelDescription, classifier: try PSPNetClassifier.forJob(model: file.model, precision: options.precision)).run(
            image: image, labels: labels, options: options, ignoredValues: ignoredValues, progress: progress, isCancelled: isCancelled)
        if let name = recordAs {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw LandUseError(.badOption, "--record-as \"\(name)\": use letters, digits and underscores, e.g. east_third")
            }
            try ModelFile.recordMetrics([
                "\(name)_overall_accuracy": report.metrics.overallAccuracy, "\(name)_miou": report.metrics.meanIoU,
                "\(name)_kappa": report.metrics.kappa, "\(name)_evaluated_pixels": Double(report.metrics.evaluatedPixels),
            ], in: model)
        }
        return report
    }
}
