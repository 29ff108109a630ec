import ArgumentParser
import Foundation
import LandUseKit

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a model against reference labels through the classify pipeline.",
        discussion: """
            Prints the confusion matrix (with class names), per-class precision, recall, F1 and IoU, mIoU over \
            the classes present in the reference, overall accuracy, Cohen's kappa and pixel counts: Markdown, \
            or JSON with --json. Labels must be on the image's grid.
            """)

    @Option(help: "The model file.")
    var model: String

    @Option(help: "The image raster.")
    var image: String

    @Option(help: "The reference label raster (class values, on the image's grid).")
    var labels: String

    @Option(help: "Evaluate only this window of the image: COL,ROW,WIDTH,HEIGHT in pixels.")
    var window: String?

    @Option(help: "1-based image bands that feed the model, in model order.")
    var bands: String?

    @Option(parsing: .singleValue, help: "A label value that is not scored (repeatable); label nodata never is.")
    var ignoreValue: [Int] = []

    @Option(help: "Chip edge in pixels (default: the model's recommendation).")
    var chipSize: Int?

    @Option(help: "Overlap between chips in pixels (default: the model's recommendation).")
    var overlap: Int?

    @Option(help: "Test-time augmentation: none, flip or d4.")
    var tta: TestTimeAugmentation = .none

    @Option(help: "Precision of the model's convolutions: f32, or bf16 on CPUs with AVX512-BF16.")
    var precision: ModelPrecision = .float32

    @Option(help: "Threads for the engine (default: all cores).")
    var threads: Int?

    @Option(help: "Record the overall accuracy, mIoU and kappa in the model file's provenance under this name (e.g. east_third).")
    var recordAs: String?

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Print JSON instead of Markdown.")
    var json = false

    func run() throws {
        var options = ClassifyOptions(chipSize: chipSize, overlap: overlap, augmentation: tta)
        options.precision = precision
        options.bands = try bands.map { try ArgumentParsing.integers($0, option: "--bands") }
        options.window = try window.map { try ArgumentParsing.window($0, option: "--window") }
        ClassifyJob.setThreads(threads)
        let cancellation = CancellationFlag()
        cancellation.catchInterrupts()
        let reporter = ProgressReporter(label: "evaluate", unit: "chips", quiet: quiet)
        let report = try EvaluateJob.run(
            model: URL(fileURLWithPath: model), image: URL(fileURLWithPath: image), labels: URL(fileURLWithPath: labels),
            options: options, ignoredValues: Set(ignoreValue), recordAs: recordAs,
            progress: { reporter.update(done: $0.chipsDone, total: $0.chipsTotal, seconds: $0.secondsElapsed) },
            isCancelled: { cancellation.isCancelled })
        if json { try ArgumentParsing.printJSON(report) } else { print(report.markdown()) }
    }
}
