import Foundation
import TensorCore

// Side-by-side benchmarks of LandUse against PyTorch (see Benchmarks/run.sh and docs/benchmarks.md).
// Each suite prints one JSON object per measurement, the same fields as Benchmarks/*_bench.py, so one
// compare script can pair them. Add a suite by adding a case to `Suite` and a function below.

enum Suite: String, CaseIterable {
    case conv
    case trainStep = "train-step"

    var summary: String {
        switch self {
        case .conv: return "conv2d forward and backward (data + weights) for the shapes in Benchmarks/conv_shapes.json"
        case .trainStep: return "one SGD training step of a conv-BN-ReLU-residual network, 64 channels, 64x64 (TrainStep.swift)"
        }
    }
}

struct Options {
    var suite: Suite
    var threads = 2
    var batch = 4
    var repeats = 10
    var shapesFile = "Benchmarks/conv_shapes.json"
    var only: String?

    static func parse(_ arguments: [String]) -> Options {
        guard let first = arguments.first, let suite = Suite(rawValue: first) else { usage() }
        var options = Options(suite: suite)
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { usage("\(flag) needs a value") }
            switch flag {
            case "--threads": options.threads = Int(value) ?? { usage("--threads takes an integer") }()
            case "--batch": options.batch = Int(value) ?? { usage("--batch takes an integer") }()
            case "--repeats": options.repeats = Int(value) ?? { usage("--repeats takes an integer") }()
            case "--shapes": options.shapesFile = value
            case "--only": options.only = value
            default: usage("unknown option \(flag)")
            }
        }
        return options
    }

    static func usage(_ problem: String? = nil) -> Never {
        if let problem { FileHandle.standardError.write(Data("error: \(problem)\n".utf8)) }
        var text = "usage: LandUseBenchmarks <suite> [--threads 2] [--batch 4] [--repeats 10] [--shapes FILE] [--only NAME]\nsuites:\n"
        for suite in Suite.allCases { text += "  \(suite.rawValue)  \(suite.summary)\n" }
        FileHandle.standardError.write(Data(text.utf8))
        exit(2)
    }
}

struct ConvolutionShape: Decodable {
    let name: String
    let inputChannels: Int
    let outputChannels: Int
    let size: Int
    let kernel: Int
    let stride: Int
    let padding: Int
    let dilation: Int
}

/// Median and minimum wall time of `body` over `repeats` runs after two warm-up runs, in milliseconds.
func measure(repeats: Int, _ body: () -> Void) -> (median: Double, minimum: Double) {
    body()
    body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    return (times[times.count / 2], times[0])
}

func report(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(stdout)
}

func runConvolutions(_ options: Options) {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: options.shapesFile)) } catch {
        Options.usage("cannot read \(options.shapesFile): run from the package root or pass --shapes")
    }
    let shapes = try! JSONDecoder().decode([ConvolutionShape].self, from: data)
    var generator = RandomGenerator(seed: 1)
    for shape in shapes where options.only == nil || options.only == shape.name {
        let input = Tensor.randomNormal(shape: [options.batch, shape.size, shape.size, shape.inputChannels], generator: &generator)
        let weight = Tensor.kaimingNormal(shape: [shape.outputChannels, shape.inputChannels, shape.kernel, shape.kernel],
                                          generator: &generator)
        let bias = Tensor(shape: [shape.outputChannels], repeating: 0.1)
        func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
            conv2d(x, weight: w, bias: b, stride: shape.stride, padding: shape.padding, dilation: shape.dilation)
        }
        let forwardTime = measure(repeats: options.repeats) {
            _ = Tensor.withoutRecording { forward(input, weight, bias) }
        }
        // Backward: data and weight (+ bias) gradients of a recorded output, leaf gradients accumulating
        // as in a training step (PyTorch's side does the same with retain_graph).
        let output = forward(input.requiringGradient(), weight.requiringGradient(), bias.requiringGradient())
        let seed = Tensor.randomNormal(shape: output.shape, generator: &generator)
        let backwardTime = measure(repeats: options.repeats) { output.backward(seed: seed) }
        for (pass, time) in [("forward", forwardTime), ("backward", backwardTime)] {
            report(["engine": "landuse", "suite": "conv", "name": shape.name, "pass": pass, "batch": options.batch,
                    "threads": options.threads, "median_ms": time.median, "min_ms": time.minimum])
        }
    }
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
TensorEngine.threadCount = options.threads
switch options.suite {
case .conv: runConvolutions(options)
case .trainStep: runTrainStep(options)
}
