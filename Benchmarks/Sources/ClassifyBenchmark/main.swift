import Foundation
import GeoRaster
import LandUseKit
import SegmentationModels
import TensorCore

// Classify benchmarks (docs/benchmarks.md): whole-scene classify against the classifier alone, and the
// random-weight model files that Benchmarks/classify_memory.sh classifies. Models made here have RANDOM
// weights: they measure time and memory, never accuracy.
//
//   ClassifyBenchmark random-model MODEL.safetensors [--chip-size 512] [--overlap 0]
//   ClassifyBenchmark end-to-end [--size 4096] [--chip-size 512] [--batch 4] [--threads N] [--folder DIR] [--rounds 2]
//                                [--bare-only 1]   (only the runs without the model, for profiling the pipeline)

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ClassifyBenchmark: \(message)\n".utf8))
    exit(2)
}

/// `--name value` pairs after the mode (and an optional leading positional argument).
func flags(_ arguments: ArraySlice<String>) -> (positional: String?, values: [String: String]) {
    var rest = arguments
    var positional: String?
    if let first = rest.first, !first.hasPrefix("--") { positional = rest.popFirst() }
    var values: [String: String] = [:]
    while let flag = rest.popFirst() {
        guard flag.hasPrefix("--"), let value = rest.popFirst() else { fail("expected --name value pairs, got \(flag)") }
        values[String(flag.dropFirst(2))] = value
    }
    return (positional, values)
}

func integer(_ values: [String: String], _ name: String, _ fallback: Int) -> Int {
    guard let text = values[name] else { return fallback }
    guard let value = Int(text) else { fail("--\(name) takes an integer, got \(text)") }
    return value
}

/// The model the figures are quoted for: PSPNet, ResNet-18, output stride 16, 6 bands, 4 classes.
func randomModel(chipSize: Int, overlap: Int, seed: UInt64 = 1) -> (PSPNet, ModelDescription) {
    let configuration = PSPNetConfiguration(backbone: .resnet18, outputStride: 16, pyramidSizes: [1, 2, 3, 6], decoder: .upsample,
                                            auxWeight: 0, classCount: 4, bandCount: 6)
    let description = ModelDescription(
        architecture: configuration,
        classes: ["water", "forest", "city", "crops"].enumerated().map { ClassInfo(value: $0.offset + 1, name: $0.element, color: [60 * $0.offset, 160, 220 - 50 * $0.offset]) },
        bands: (1...6).map { BandInfo(name: "band \($0)", mean: 70, std: 25) },
        chipSize: chipSize, chipOverlap: overlap,
        provenance: Provenance(data: "RANDOM weights (seed \(seed)) for benchmarks: not a trained model"))
    return (PSPNet(configuration: configuration, seed: seed), description)
}

/// A `size` x `size` 6-band Byte scene made by repeating the sample scene (Tests/Fixtures/L7_ETMs.tif),
/// written as a tiled DEFLATE GeoTIFF on the sample's grid.
func writeScene(size: Int, to url: URL) throws {
    let sample = try RasterDataset(url: URL(fileURLWithPath: "Tests/Fixtures/L7_ETMs.tif"))
    let source = try sample.read()
    let (width, height) = (sample.profile.width, sample.profile.height)
    let writer = try RasterWriter(url: url, width: size, height: size, bandCount: 6, dataType: .byte,
                                  geoTransform: sample.profile.geoTransform, crs: sample.profile.crs,
                                  options: RasterWriteOptions(layout: .geoTIFF, overwrite: true))
    let rowsPerBlock = 256
    for top in stride(from: 0, to: size, by: rowsPerBlock) {
        let rows = min(rowsPerBlock, size - top)
        var values = [UInt8](repeating: 0, count: rows * size * 6)
        for row in 0..<rows {
            for column in 0..<size {
                let from = (((top + row) % height) * width + column % width) * 6
                for band in 0..<6 { values[(row * size + column) * 6 + band] = UInt8(source.values[from + band]) }
            }
        }
        try writer.write(values, window: Window(columnOffset: 0, rowOffset: top, columnCount: size, rowCount: rows))
    }
    try writer.finish()
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func endToEnd(_ values: [String: String]) throws {
    let size = integer(values, "size", 4096), chipSize = integer(values, "chip-size", 512), batch = integer(values, "batch", 4)
    if let threads = values["threads"] { ClassifyJob.setThreads(Int(threads)) }
    let folder = URL(fileURLWithPath: values["folder"] ?? NSTemporaryDirectory()).appendingPathComponent("classify-bench-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let scene = folder.appendingPathComponent("scene.tif")
    try writeScene(size: size, to: scene)
    let (model, description) = randomModel(chipSize: chipSize, overlap: 0)
    let classifier = PSPNetClassifier(model: model)

    // Warm-up: one batch through the classifier (oneDNN builds its primitives on the first call).
    _ = try classifier.probabilities(for: Tensor(shape: [batch, chipSize, chipSize, 6], scalars: [Float](repeating: 0.5, count: batch * chipSize * chipSize * 6)))
    let timed = TimedClassifier(base: classifier)
    let tool = ClassifyTool(description: description, classifier: timed)
    let rounds = integer(values, "rounds", 2)
    let chipCount = ((size + chipSize - 1) / chipSize) * ((size + chipSize - 1) / chipSize)
    let batches = (chipCount + batch - 1) / batch
    print("scene \(size) x \(size) x 6 Byte (tiled GeoTIFF), chips of \(chipSize), overlap 0, batch \(batch), PSPNet ResNet-18 OS16 (random weights), \(TensorEngine.threadCount) threads")
    print("model = the classifier's own time within the run; model alone = the same \(chipCount) chips (\(batches) batches) through the classifier with no reading, stitching or writing")
    print("load average at start: \(loadAverage())")
    var generator = RandomGenerator(seed: 3)
    let chips = Tensor.randomUniform(shape: [batch, chipSize, chipSize, 6], lowerBound: -2, upperBound: 2, generator: &generator)
    // Per path: (model alone, end to end) of every round, for the summary over rounds.
    var timings: [String: [(alone: Double, total: Double)]] = [:]
    for round in 1...rounds where values["bare-only"] == nil {
        let alone = try seconds { for _ in 0..<batches { _ = try classifier.probabilities(for: chips) } }
        print("round \(round) model alone" + String(format: " %6.1f s (%.3f s/chip)", alone, alone / Double(batches * batch)))
        for (name, pipelined) in [("sequential", false), ("pipelined", true)] {
            let output = folder.appendingPathComponent("classes-\(name).tif")
            let options = ClassifyOptions(chipSize: chipSize, overlap: 0, batchSize: batch, overwrite: true, pipelined: pipelined)
            timed.seconds = 0
            var summary: ClassifySummary?
            let total = try seconds { summary = try tool.run(input: scene, output: output, options: options) }
            print("round \(round) " + name.padding(toLength: 11, withPad: " ", startingAt: 0)
                + String(format: "end to end %6.1f s (%.3f s/chip), model %6.1f s, end to end / model %.2f",
                         total, total / Double(summary!.chipsClassified), timed.seconds, total / timed.seconds)
                + String(format: ", throughput %.0f%% of model alone", 100 * alone / total))
            timings[name, default: []].append((alone, total))
        }
    }
    // The machine is shared: single rounds swing by 10-20%, so summarise over the rounds too.
    for name in ["sequential", "pipelined"] {
        guard let runs = timings[name], runs.count > 1 else { continue }
        let alone = runs.map(\.alone), total = runs.map(\.total)
        let perRound = zip(alone, total).map { $0 / $1 }.sorted()
        print("over \(runs.count) rounds, " + name.padding(toLength: 11, withPad: " ", startingAt: 0)
            + String(format: "throughput: all rounds %.0f%% (sum of model alone / sum of end to end), fastest %.0f%% (fastest model alone / fastest end to end), median round %.0f%%",
                     100 * alone.reduce(0, +) / total.reduce(0, +), 100 * alone.min()! / total.min()!,
                     100 * (perRound[(perRound.count - 1) / 2] + perRound[perRound.count / 2]) / 2))
    }
    // Everything but the model: the same run with a classifier that answers at once (uniform probabilities
    // from a preallocated tensor), i.e. the wall time of reading, cutting, stitching and writing alone.
    let instant = InstantClassifier(classCount: timed.classCount)
    let bare = ClassifyTool(description: description, classifier: instant)
    for (name, pipelined) in [("sequential", false), ("pipelined", true)] {
        let options = ClassifyOptions(chipSize: chipSize, overlap: 0, batchSize: batch, overwrite: true, pipelined: pipelined)
        let total = try seconds { _ = try bare.run(input: scene, output: folder.appendingPathComponent("bare-\(name).tif"), options: options) }
        print("without the model, " + name.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "%6.1f s", total))
    }
    print("load average at end: \(loadAverage())")
}

/// Uniform probabilities at once: what the pipeline costs without a model.
final class InstantClassifier: ChipClassifier {
    let classCount: Int
    private var answers: [[Int]: Tensor] = [:]
    init(classCount: Int) { self.classCount = classCount }

    func probabilities(for chips: Tensor) throws -> Tensor {
        let shape = Array(chips.shape.prefix(3)) + [classCount]
        if let answer = answers[shape] { return answer }
        let answer = Tensor(shape: shape, repeating: 1 / Float(classCount))
        answers[shape] = answer
        return answer
    }
}

func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
}

/// Adds up the time spent inside the classifier.
final class TimedClassifier: ChipClassifier {
    let base: ChipClassifier
    var seconds = 0.0
    var classCount: Int { base.classCount }
    init(base: ChipClassifier) { self.base = base }

    func probabilities(for chips: Tensor) throws -> Tensor {
        var result: Tensor?
        seconds += try ClassifyBenchmark.seconds { result = try base.probabilities(for: chips) }
        return result!
    }
}

let arguments = CommandLine.arguments.dropFirst()
guard let mode = arguments.first else { fail("usage: ClassifyBenchmark random-model MODEL | end-to-end [--size 4096] [--chip-size 512] [--batch 4]") }
let parsed = flags(arguments.dropFirst())
do {
    switch mode {
    case "random-model":
        guard let path = parsed.positional else { fail("random-model needs the output path") }
        let (model, description) = randomModel(chipSize: integer(parsed.values, "chip-size", 512), overlap: integer(parsed.values, "overlap", 0))
        try ModelFile.write(model, description: description, to: URL(fileURLWithPath: path))
        print("wrote \(path) (PSPNet ResNet-18 OS16, 6 bands, 4 classes, RANDOM weights)")
    case "end-to-end":
        try endToEnd(parsed.values)
    default:
        fail("unknown mode \(mode): random-model or end-to-end")
    }
} catch {
    fail("\(error)")
}
