import ArgumentParser
import Foundation
import LandUseKit

/// The options that steer tiled inference, shared by `classify` and `evaluate` (the same code path).
struct InferenceOptions: ParsableArguments {
    @Option(help: "Chip edge in pixels (default: the model's recommendation).")
    var chipSize: Int?

    @Option(help: "Overlap between neighbouring chips in pixels (default: the model's recommendation).")
    var overlap: Int?

    @Option(help: "Chips per forward pass.")
    var batchSize: Int = 4

    @Option(help: "Threads for the engine (default: all cores).")
    var threads: Int?

    @Option(help: "1-based input bands that feed the model, in model order, e.g. 1,2,3,4,5,7 (default: all bands, when their count matches the model).")
    var bands: String?

    @Option(help: "Use only this window of the input: COL,ROW,WIDTH,HEIGHT in pixels.")
    var window: String?

    @Option(help: "Test-time augmentation: none, flip (2 views) or d4 (8 rotations/reflections), averaged.")
    var tta: TestTimeAugmentation = .none

    @Option(help: "Precision of the model's convolutions: f32, or bf16 on CPUs with AVX512-BF16 (see docs/benchmarks.md).")
    var precision: ModelPrecision = .float32

    /// The parsed options as `ClassifyOptions`; also applies `--threads` to the engine.
    func classifyOptions() throws -> ClassifyOptions {
        var options = ClassifyOptions(chipSize: chipSize, overlap: overlap, batchSize: batchSize, augmentation: tta)
        options.precision = precision
        options.bands = try bands.map { try ArgumentParsing.integers($0, option: "--bands") }
        options.window = try window.map { try ArgumentParsing.window($0, option: "--window") }
        ClassifyJob.setThreads(threads)
        return options
    }
}
