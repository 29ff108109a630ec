import Foundation
import TensorCore

// Side-by-side benchmarks of LandUse against PyTorch (see Benchmarks/run.sh and docs/benchmarks.md).
// Each suite prints one JSON object per measurement, the same fields as Benchmarks/*_bench.py, so one
// compare script can pair them. Add a suite by adding a case to `Suite` and a function below.

enum Suite: String, CaseIterable {
    case conv
    case trainStep = "train-step"
    case ops
    case model

    var summary: String {
        switch self {
        case .conv: return "conv2d forward and backward (data + weights) for the shapes in Benchmarks/conv_shapes.json"
        case .trainStep: return "one SGD training step of a conv-BN-ReLU-residual network (64 channels, 64x64) and of PSPNet-ResNet-18 (256x256, aux head); --only resblock|pspnet (TrainStep.swift)"
        case .ops: return "memory-bound ops (BatchNorm, ReLU, pooling, resize, concat, softmax, cross-entropy), forward and backward"
        case .model: return "whole PSPNet inference through the compiled plan, f32 and bf16, 512x512 chips (ModelBench.swift); --batch takes a list, e.g. 1,4"
        }
    }
}

struct Options {
    var suite: Suite
    var threads = 2
    var batch = 4
    /// Batch sizes of the model suite (`--batch 1,4`).
    var batches = [4]
    /// Model suite: also time Float32 plans without Winograd kernels (`--direct 1`).
    var direct = false
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
            case "--batch":
                let batches = value.split(separator: ",").compactMap { Int($0) }
                guard !batches.isEmpty, batches.count == value.split(separator: ",").count else { usage("--batch takes integers, e.g. 4 or 1,4") }
                options.batches = batches
                options.batch = batches[0]
            case "--repeats": options.repeats = Int(value) ?? { usage("--repeats takes an integer") }()
            case "--shapes": options.shapesFile = value
            case "--only": options.only = value
            case "--direct": options.direct = value == "1" || value == "true"
            default: usage("unknown option \(flag)")
            }
        }
        return options
    }

    static func usage(_ problem: String? = nil) -> Never {
        if let problem { FileHandle.standardError.write(Data("error: \(problem)\n".utf8)) }
        var text = "usage: LandUseBenchmarks <suite> [--threads 2] [--batch 4] [--repeats 10] [--shapes FILE] [--only NAME] [--direct 0|1]\nsuites:\n"
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
        // Training-like forward: the weights change before every call (as after an optimizer step), so
        // the cached weight reorder is redone each time, as PyTorch eager always does.
        var updatedWeight = weight
        let updatedForwardTime = measure(repeats: options.repeats) {
            updatedWeight.withUnsafeMutableBufferPointer { $0[0] += 0 }
            _ = Tensor.withoutRecording { forward(input, updatedWeight, bias) }
        }
        // Backward: data and weight (+ bias) gradients of a recorded output, leaf gradients accumulating
        // as in a training step (PyTorch's side does the same with retain_graph).
        let output = forward(input.requiringGradient(), weight.requiringGradient(), bias.requiringGradient())
        let seed = Tensor.randomNormal(shape: output.shape, generator: &generator)
        let backwardTime = measure(repeats: options.repeats) { output.backward(seed: seed) }
        for (pass, time) in [("forward", forwardTime), ("forward_updated_weights", updatedForwardTime),
                             ("backward", backwardTime)] {
            report(["engine": "landuse", "suite": "conv", "name": shape.name, "pass": pass, "batch": options.batch,
                    "threads": options.threads, "median_ms": time.median, "min_ms": time.minimum])
        }
    }
}

/// Times one op's forward (inference mode) and backward (from a recorded output) and reports both.
func timeOp(_ name: String, _ options: Options, inputs: [Tensor], _ op: ([Tensor]) -> Tensor) {
    guard options.only == nil || options.only == name else { return }
    var generator = RandomGenerator(seed: 3)
    let forwardTime = measure(repeats: options.repeats) { _ = Tensor.withoutRecording { op(inputs) } }
    let output = op(inputs.map { $0.requiringGradient() })
    let seed = Tensor.randomNormal(shape: output.shape, generator: &generator)
    let backwardTime = measure(repeats: options.repeats) { output.backward(seed: seed) }
    for (pass, time) in [("forward", forwardTime), ("backward", backwardTime)] {
        report(["engine": "landuse", "suite": "ops", "name": name, "pass": pass, "batch": options.batch,
                "threads": options.threads, "median_ms": time.median, "min_ms": time.minimum])
    }
}

/// PSPNet-like activation sizes for 256x256 tiles: stem output 128x128x64, PSP head at 32x32, 8 classes.
func runOps(_ options: Options) {
    var generator = RandomGenerator(seed: 2)
    let batch = options.batch
    let stem = Tensor.randomNormal(shape: [batch, 128, 128, 64], generator: &generator)
    let deep = Tensor.randomNormal(shape: [batch, 32, 32, 512], generator: &generator)
    let logits = Tensor.randomNormal(shape: [batch, 256, 256, 8], generator: &generator)
    let small = Tensor.randomNormal(shape: [batch, 32, 32, 8], generator: &generator)
    let labels = Tensor(shape: [batch, 256, 256], scalars: (0..<(batch * 65536)).map { Float($0 % 9 == 8 ? 255 : $0 % 8) })
    let gamma = Tensor(shape: [64], repeating: 1), beta = Tensor(shape: [64], repeating: 0)
    timeOp("batchnorm_train_128x128x64", options, inputs: [stem, gamma, beta]) { x in
        var mean = Tensor(shape: [64]), variance = Tensor(shape: [64], repeating: 1)
        return batchNorm(x[0], weight: x[1], bias: x[2], runningMean: &mean, runningVariance: &variance, training: true)
    }
    timeOp("relu_128x128x64", options, inputs: [stem]) { relu($0[0]) }
    timeOp("add_128x128x64", options, inputs: [stem, stem]) { $0[0] + $0[1] }
    timeOp("maxpool3s2_128x128x64", options, inputs: [stem]) { maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1) }
    timeOp("adaptiveavg6_32x32x512", options, inputs: [deep]) { adaptiveAveragePool2d($0[0], outputSize: 6) }
    timeOp("bilinear_6to32_512", options, inputs: [adaptiveAveragePool2d(deep, outputSize: 6)]) {
        resizeBilinear($0[0], height: 32, width: 32)
    }
    timeOp("concat_4x512_32x32", options, inputs: [deep, deep, deep, deep]) { concatenateChannels($0) }
    timeOp("bilinear_32to256_8", options, inputs: [small]) { resizeBilinear($0[0], height: 256, width: 256) }
    timeOp("softmax_256x256x8", options, inputs: [logits]) { softmax($0[0]) }
    timeOp("crossentropy_256x256x8", options, inputs: [logits]) {
        crossEntropy(logits: $0[0], labels: labels, ignoreIndex: 255)
    }
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
TensorEngine.threadCount = options.threads
switch options.suite {
case .conv: runConvolutions(options)
case .trainStep:
    if options.only == nil || "resblock".contains(options.only!) { runTrainStep(options) }
    if options.only == nil || "pspnet-resnet18".contains(options.only!) { runPSPNetTrainStep(options) }
case .ops: runOps(options)
case .model: runModels(options)
}
