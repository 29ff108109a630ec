import ArgumentParser
import Foundation
import LandUseKit

extension TestTimeAugmentation: ExpressibleByArgument {}
extension RasterFormat: ExpressibleByArgument {}
extension ModelPrecision: ExpressibleByArgument {}

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify a raster of any size with a model file into a georeferenced class raster.",
        discussion: """
            The input is cut into overlapping chips, each chip is classified, and overlapping predictions are \
            blended with a Hann window before the argmax, so there are no seams at chip borders. Nodata, NaN \
            and masked input pixels are nodata in every output. Every output is written under a temporary \
            name and renamed when complete; existing outputs are kept unless --overwrite is given.
            """)

    @Argument(help: "The raster to classify (any GDAL raster: GeoTIFF, COG, VRT, ...).")
    var input: String

    @Option(help: "The model file (.safetensors written by `landuse train` or python/export_model.py).")
    var model: String

    @Option(help: "The class raster to write (Byte, or UInt16 above 254 class values), with colour table and class names.")
    var output: String






    @Option(help: "Also write class probabilities: one Byte band per class, round(254 p), 255 = nodata.")
    var probabilities: String?

    @Option(help: "Also write the probability of the chosen class (Float32, 0-1, -1 = nodata).")
    var confidence: String?

    @Option(help: "Also write polygons (GeoPackage): one per connected region, with class_value, class_name, area_m2.")
    var vector: String?

    @Option(help: "Also write an area report: hectares per class on the ground, as .json, .csv or .md (see `landuse report`).")
    var report: String?




    @OptionGroup var inference: InferenceOptions

    @Option(help: "Raster output format: cog (Cloud-Optimized GeoTIFF) or gtiff (tiled GeoTIFF).")
    var format: RasterFormat = .cog

    @Option(name: .customLong("co"), help: "GDAL creation option KEY=VALUE for the raster outputs (repeatable).")
    var creationOptions: [String] = []

    @Flag(help: "Replace existing outputs.")
    var overwrite = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    func run() throws {
        var options = try inference.classifyOptions()
        options.overwrite = overwrite
        options.probabilitiesURL = probabilities.map(URL.init(fileURLWithPath:))
        options.confidenceURL = confidence.map(URL.init(fileURLWithPath:))
        options.format = format
        options.creationOptions = try ArgumentParsing.creationOptions(creationOptions)
        let cancellation = CancellationFlag()
        cancellation.catchInterrupts()
        let reporter = ProgressReporter(label: "classify", unit: "chips", quiet: quiet)
        let summary = try ClassifyJob.run(
            input: URL(fileURLWithPath: input), model: URL(fileURLWithPath: model), output: URL(fileURLWithPath: output),
            options: options, vector: vector.map(URL.init(fileURLWithPath:)), report: report.map(URL.init(fileURLWithPath:)),
            progress: { reporter.update(done: $0.chipsDone, total: $0.chipsTotal, seconds: $0.secondsElapsed) },
            isCancelled: { cancellation.isCancelled })
        if json {
            try ArgumentParsing.printJSON(summary)
        } else if !quiet {
            print("wrote \(summary.outputs.joined(separator: ", ")): \(summary.validPixels) classified pixels, \(summary.nodataPixels) nodata, \(summary.chipsClassified) chips in \(String(format: "%.1f", summary.seconds)) s")
        }
    }
}
