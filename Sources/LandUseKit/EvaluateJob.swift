import Foundation

/// `landuse evaluate` as one call: load the model file and score it on a labelled window.
public enum EvaluateJob {
    public static func run(
        model: URL, image: URL, labels: URL, options: ClassifyOptions = ClassifyOptions(), ignoredValues: Set<Int> = [],
        progress: ((ClassifyProgress) -> Void)? = nil, isCancelled: () -> Bool = { false }
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
        return try EvaluateTool(description: file.modelDescription, classifier: try PSPNetClassifier.forJob(model: file.model, precision: options.precision)).run(
            image: image, labels: labels, options: options, ignoredValues: ignoredValues, progress: progress, isCancelled: isCancelled)
    }
}
