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



    @Option(parsing: .singleValue, help: "A label value that is not scored (repeatable); label nodata never is.")
    var ignoreValue: [Int] = []






    @Option(help: "Record the overall accuracy, mIoU and kappa in the model file's provenance under this name (e.g. east_third).")
    var recordAs: String?

    @OptionGroup var inference: InferenceOptions

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Print JSON instead of Markdown.")
    var json = false

    func run() throws {
        let options = try inference.classifyOptions()
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
