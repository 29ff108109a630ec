import Foundation
import GeoRaster
import TensorCore

/// `landuse classify` as one call: load the model file, classify, then derive the polygon and area outputs
/// from the finished class raster. A Swift script calls it exactly as the CLI does.
public enum ClassifyJob {
    /// Sets the number of threads the engine uses (oneDNN and the Swift kernels); nil leaves the default
    /// (all cores).
    public static func setThreads(_ count: Int?) {
        if let count { TensorEngine.threadCount = max(1, count) }
    }

    /// Runs classify with the model file at `model`. Polygons (`vector`) and the area report (`report`,
    /// .json, .csv or .md, ground areas per class) are derived from the finished class raster, each output
    /// written atomically; existing outputs are refused up front unless `options.overwrite`.
    @discardableResult
    public static func run(
        input: URL, model: URL, output: URL, options: ClassifyOptions = ClassifyOptions(), vector: URL? = nil, report: URL? = nil,
        progress: ((ClassifyProgress) -> Void)? = nil, isCancelled: () -> Bool = { false }
    ) throws -> ClassifySummary {
        for extra in [vector, report].compactMap({ $0 }) where FileManager.default.fileExists(atPath: extra.path) && !options.overwrite {
            throw LandUseError(.outputExists, "\(extra.path) exists: pass --overwrite to replace it, or choose another name")
        }
        if let report { _ = try ReportTool.format(forOutput: report) }
        guard FileManager.default.fileExists(atPath: input.path) || input.path.hasPrefix("/vsi") else {
            throw LandUseError(.badInput, "input \(input.path) does not exist: check the path")
        }
        let file: ModelFile
        do {
            file = try ModelFile(contentsOf: model)
        } catch {
            throw LandUseError(.badModel, "cannot use model \(model.path): \(error)")
        }
        let tool = ClassifyTool(description: file.modelDescription, classifier: try PSPNetClassifier.forJob(model: file.model, precision: options.precision))
        var summary = try tool.run(input: input, output: output, options: options, progress: progress, isCancelled: isCancelled)
        if let vector {
            if isCancelled() { throw LandUseError(.cancelled, "interrupted after writing \(output.path); the polygons were not written") }
            let names = Dictionary(uniqueKeysWithValues: file.modelDescription.classes.map { ($0.value, $0.name) })
            _ = try ClassPolygonizer(overwrite: options.overwrite).polygonize(RasterDataset(url: output), classNames: names, to: vector)
            summary.outputs.append(vector.path)
        }
        if let report {
            if isCancelled() { throw LandUseError(.cancelled, "interrupted after writing \(output.path); the area report was not written") }
            _ = try ReportTool.writeReport(for: output, classes: file.modelDescription.classes, to: report, overwrite: options.overwrite)
            summary.outputs.append(report.path)
        }
        return summary
    }
}
