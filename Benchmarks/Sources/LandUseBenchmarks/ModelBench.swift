import Foundation
import NeuralNet
import SegmentationModels
import TensorCore

/// The `model` suite: whole-model inference of PSPNet through the compiled plan (`PSPNetInferencePlan`),
/// Float32 and bfloat16, for ResNet-18 and -50 with the upsample and FPN decoders, 512 x 512 chips, output
/// stride 8, pyramid sizes 1,3,5,6, 6 bands, 7 classes. The weights (seeded random initialisation) are
/// written to `Benchmarks/.models/<name>.safetensors` so that `model_bench.py` times the very same model.
///
/// Per configuration it prints one line per precision with the batch time, the convolution FLOPs and
/// the share of a profiled run spent in the convolution primitives (`conv_share`). The plans are compiled as
/// `landuse classify` compiles them (Float32 with oneDNN's Winograd kernels where they apply); `--direct 1`
/// adds an `f32-direct` pass without Winograd (LandUse only).
func runModels(_ options: Options) {
    let folder = URL(fileURLWithPath: "Benchmarks/.models")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let size = 512
    for backbone in [Backbone.resnet18, .resnet50] {
        for decoder in [Decoder.upsample, .fpn] {
            let name = "\(backbone.rawValue)-\(decoder.rawValue)"
            if let only = options.only, !name.contains(only) { continue }
            let configuration = PSPNetConfiguration(backbone: backbone, outputStride: 8, pyramidSizes: [1, 3, 5, 6],
                                                    decoder: decoder, auxWeight: 0, classCount: 7, bandCount: 6)
            let model = PSPNet(configuration: configuration, seed: 42)
            model.eval()
            let weights = folder.appendingPathComponent("\(name).safetensors")
            if !FileManager.default.fileExists(atPath: weights.path) {
                do { try SafeTensorsWriter.write(model.stateDict(), to: weights) } catch {
                    FileHandle.standardError.write(Data("error: cannot write \(weights.path): \(error)\n".utf8))
                    exit(1)
                }
            }
            for batch in options.batches {
                var generator = RandomGenerator(seed: 7)
                let chips = Tensor.randomUniform(shape: [batch, size, size, 6], lowerBound: -2, upperBound: 2, generator: &generator)
                // As `landuse classify` compiles them: Float32 prefers Winograd where oneDNN has it, bf16 is direct.
                let variants = InferencePrecision.allCases.filter(\.isSupportedOnThisCPU).map { ($0, $0 == .float32) }
                    + (options.direct ? [(InferencePrecision.float32, false)] : [])
                for (precision, winograd) in variants {
                    let plan: PSPNetInferencePlan
                    do {
                        plan = try PSPNetInferencePlan(model: model, batch: batch, height: size, width: size, precision: precision,
                                                       prefersWinograd: winograd)
                    } catch {
                        FileHandle.standardError.write(Data("skipping \(name) \(precision): \(error)\n".utf8))
                        continue
                    }
                    var output = Tensor(shape: plan.outputShape)
                    let (median, minimum) = measure(repeats: options.repeats) { plan.run(chips, into: &output) }
                    plan.run(chips, into: &output, profile: true)
                    let profile = plan.plan.lastProfile!
                    report(["engine": "landuse", "suite": "model", "name": "\(name)-b\(batch)", "pass": precision.rawValue + (precision == .float32 && !winograd ? "-direct" : ""),
                            "batch": batch, "threads": options.threads, "median_ms": median, "min_ms": minimum,
                            "conv_gflop": plan.plan.convolutionFlops / 1e9,
                            "conv_share": profile.convolutionSeconds / profile.totalSeconds,
                            "profile_ms": profile.totalSeconds * 1e3, "conv_ms": profile.convolutionSeconds * 1e3,
                            "plan_memory_mb": Double(plan.plan.activationByteCount) / 1e6])
                }
            }
        }
    }
}
