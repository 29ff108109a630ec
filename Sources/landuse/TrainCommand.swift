import ArgumentParser
import Foundation
import LandUseKit

extension ClassWeighting: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension NodataPolicy: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a PSPNet from image and label rasters and write a model file.",
        discussion: """
            Defaults follow the PSPNet paper: SGD with momentum 0.9, weight decay 1e-4, poly learning rate \
            0.01 x (1 - iteration/iterations)^0.9, auxiliary loss weight 0.4. Validation runs the classify \
            pipeline on the validation area every --val-every iterations; the model file keeps the weights \
            with the best validation mIoU. A checkpoint (<output>.checkpoint) is written at each validation; \
            continue an interrupted run with the same options plus --resume <output>.checkpoint.
            """)

    @Option(parsing: .singleValue, help: "An image raster (repeatable; pair each with --labels).")
    var image: [String] = []

    @Option(parsing: .singleValue, help: "The label raster of the image at the same position (repeatable), on the image's grid.")
    var labels: [String] = []

    @Option(help: "The model file to write (.safetensors).")
    var output: String

    @Option(help: "Classes file: JSON array of {\"value\", \"name\", \"color\"}; default: the label values found.")
    var classes: String?

    @Option(parsing: .singleValue, help: "A label value that never counts (repeatable); label nodata never does.")
    var ignoreValue: [Int] = []

    @Option(help: "1-based image bands that feed the model (default: all).")
    var bands: String?

    @Option(help: "Band names stored in the model file, comma-separated (default: band N).")
    var bandNames: String?

    @Option(help: "Encoder: resnet18, resnet34, resnet50 or resnet101.")
    var backbone: String = "resnet18"

    @Option(help: "Output stride of the encoder: 8 or 16.")
    var outputStride: Int = 8

    @Option(help: "Pyramid pooling bin sizes, e.g. 1,3,5,6; \"none\" for no pyramid pooling.")
    var pyramidSizes: String = "1,3,5,6"

    @Option(help: "Decoder: upsample (the paper's head) or fpn (full-resolution top-down decoder).")
    var decoder: String = "upsample"

    @Option(help: "Weight of the auxiliary layer3 loss; 0 removes the auxiliary head.")
    var auxWeight: Float = 0.4

    @Option(help: "Width multiplier of every channel count, 0.25 to 1 (0.5: about a quarter of the parameters; --backbone-weights needs 1).")
    var width: Float = 1

    @Option(help: "Training chip edge in pixels.")
    var chipSize: Int = 128

    @Option(help: "Draw each iteration's chips at one of these edges, e.g. 64,96,128,160,192,224 (default: --chip-size only; --chip-size still sets the teacher's grids and the recorded inference chip).")
    var chipSizes: String?

    @Option(help: "Chips per iteration.")
    var batchSize: Int = 4

    @Option(help: "Training iterations (the learning-rate schedule spans them).")
    var iterations: Int = 1000

    @Option(help: "Stop after this many iterations although the schedule spans --iterations (resume later).")
    var stopAfter: Int?

    @Option(help: "Optimizer: sgd (momentum 0.9) or adamw.")
    var optimizer: OptimizerKind = .sgd

    @Option(help: "Base learning rate (default 0.01 for sgd, 0.001 for adamw).")
    var lr: Float?

    @Option(help: "Weight decay (default 1e-4 for sgd, 1e-2 for adamw).")
    var weightDecay: Float?

    @Option(help: "Class weights in the loss: none, inverse (1/frequency) or median (median-frequency balancing).")
    var classWeights: ClassWeighting = .none

    @Option(help: "Train on this window of the first image: COL,ROW,WIDTH,HEIGHT.")
    var trainWindow: String?

    @Option(help: "Validate on this window of the first image (disjoint from the training window).")
    var valWindow: String?

    @Option(help: "Validate on this image instead (with --val-labels).")
    var valImage: String?

    @Option(help: "Labels of --val-image.")
    var valLabels: String?

    @Option(help: "Validate and checkpoint every N iterations (default: 10 times per run).")
    var valEvery: Int?

    @Option(help: "torchvision-style ResNet weights (safetensors) to start the encoder from.")
    var backboneWeights: String?

    @Option(help: "Continue from this checkpoint (written by an earlier run with the same options).")
    var resume: String?

    @Option(help: "Start every weight from this model file (same architecture), e.g. to fine-tune or distil a trained model.")
    var initFrom: String?

    @Option(help: "Distil from this model file: its class probabilities, averaged over chip grids of 1 to 4 times --chip-size, are soft targets on every valid training pixel (predictions that depend less on the chip).")
    var teacher: String?

    @Option(parsing: .singleValue, help: "An image without labels (repeatable) whose valid pixels train on --teacher's soft targets only.")
    var distillImage: [String] = []

    @Option(help: "Weight of the soft-target loss against --teacher.")
    var distillWeight: Float = 1

    @Option(help: "Scale the gradients down to this global L2 norm when they exceed it (default: no clipping).")
    var clipGradNorm: Float?

    @Flag(help: "Keep the weights after the last iteration instead of the best validation checkpoint.")
    var keepLast = false

    @Flag(help: "BatchNorm layers normalise with their running statistics and keep them (for fine-tuning with --init-from).")
    var freezeBatchnorm = false

    @Option(help: "Random-rescale augmentation range MIN,MAX (e.g. 0.5,2); default off.")
    var augmentScale: String?

    @Option(help: "Per-band brightness/contrast jitter in normalised units (0: off).")
    var jitter: Float = 0

    @Flag(help: "Turn off the 8 dihedral (rotation/reflection) augmentations.")
    var noDihedral = false

    @Option(help: "Share of chips centred on pixels of rare classes (0: uniform positions).")
    var oversampleRare: Float = 0

    @Option(help: "masked_as_mean: a pixel missing in any band is nodata; fill_missing_bands: a missing band enters as its mean and a pixel is nodata only where every band is missing (recorded in the model file, used by classify).")
    var nodataPolicy: NodataPolicy = .maskedAsMean

    @Option(help: "Inference chip size recorded in the model file (default: max(256, --chip-size)).")
    var inferenceChipSize: Int?

    @Option(help: "Weight storage: F32, F16 or BF16.")
    var storage: String = "F32"

    @Option(help: "Random seed (weights, chips, augmentation, dropout).")
    var seed: UInt64 = 0

    @Option(help: "Threads for the engine (default: all cores).")
    var threads: Int?

    @Flag(help: "Replace an existing model file.")
    var overwrite = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    func run() throws {
        var options = TrainOptions(images: image.map(URL.init(fileURLWithPath:)), labels: labels.map(URL.init(fileURLWithPath:)),
                                   output: URL(fileURLWithPath: output))
        options.classes = try classes.map { try ClassInfo.load(from: URL(fileURLWithPath: $0)) }
        options.ignoredValues = Set(ignoreValue)
        options.bands = try bands.map { try ArgumentParsing.integers($0, option: "--bands") }
        options.bandNames = bandNames.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        guard let backbone = ModelBackbone(rawValue: backbone) else {
            throw ValidationError("--backbone \(backbone): use resnet18, resnet34, resnet50 or resnet101")
        }
        guard let decoder = ModelDecoder(rawValue: decoder) else {
            throw ValidationError("--decoder \(decoder): use upsample or fpn")
        }
        guard let storage = WeightStorage(rawValue: storage.uppercased()), storage.isWritable else {
            throw ValidationError("--storage \(storage): use F32, F16 or BF16")
        }
        options.backbone = backbone
        options.decoder = decoder
        options.storage = storage
        options.outputStride = outputStride
        options.pyramidSizes = pyramidSizes.lowercased() == "none" ? [] : try ArgumentParsing.integers(pyramidSizes, option: "--pyramid-sizes")
        options.auxWeight = auxWeight
        options.width = width
        options.chipSize = chipSize
        options.chipSizes = try chipSizes.map { try ArgumentParsing.integers($0, option: "--chip-sizes") }
        options.batchSize = batchSize
        options.iterations = iterations
        options.stopAfter = stopAfter
        options.optimizer = optimizer
        options.learningRate = lr
        options.weightDecay = weightDecay
        options.classWeighting = classWeights
        options.trainWindow = try trainWindow.map { try ArgumentParsing.window($0, option: "--train-window") }
        options.validationWindow = try valWindow.map { try ArgumentParsing.window($0, option: "--val-window") }
        options.validationImage = valImage.map(URL.init(fileURLWithPath:))
        options.validationLabels = valLabels.map(URL.init(fileURLWithPath:))
        options.validateEvery = valEvery
        options.backboneWeights = backboneWeights.map(URL.init(fileURLWithPath:))
        options.resume = resume.map(URL.init(fileURLWithPath:))
        options.initialModel = initFrom.map(URL.init(fileURLWithPath:))
        options.teacher = teacher.map(URL.init(fileURLWithPath:))
        options.distillWeight = distillWeight
        options.distillImages = distillImage.map(URL.init(fileURLWithPath:))
        options.freezeBatchNorm = freezeBatchnorm
        options.keepLast = keepLast
        options.clipGradientNorm = clipGradNorm
        var augmentation = Augmentation(dihedral: !noDihedral, jitter: jitter)
        if let augmentScale {
            let bounds = augmentScale.split(separator: ",").compactMap { Float($0) }
            guard bounds.count == 2, bounds[0] > 0, bounds[0] <= bounds[1] else {
                throw ValidationError("--augment-scale takes MIN,MAX with 0 < MIN <= MAX, e.g. 0.5,2")
            }
            augmentation.scaleRange = bounds[0]...bounds[1]
        }
        options.augmentation = augmentation
        options.rareClassFraction = oversampleRare
        options.inferenceChipSize = inferenceChipSize
        options.nodataPolicy = nodataPolicy
        options.seed = seed
        options.overwrite = overwrite
        ClassifyJob.setThreads(threads)
        let cancellation = CancellationFlag()
        cancellation.catchInterrupts()
        let reporter = ProgressReporter(label: "train", unit: "it", quiet: quiet)
        var lastValidation = ""
        let summary = try TrainTool(options: options).run(
            progress: { step in
                if let metrics = step.validation {
                    lastValidation = String(format: ", val mIoU %.3f OA %.3f", metrics.meanIoU, metrics.overallAccuracy)
                }
                reporter.update(done: step.iteration, total: step.iterations, seconds: step.secondsElapsed,
                                extra: String(format: "loss %.3f, lr %.5f", step.loss, step.learningRate) + lastValidation)
            },
            isCancelled: { cancellation.isCancelled })
        if json {
            try ArgumentParsing.printJSON(summary)
        } else if !quiet {
            if let miou = summary.bestValidationMIoU {
                print("wrote \(summary.output): best validation mIoU \(String(format: "%.4f", miou)) at iteration \(summary.bestIteration) of \(summary.iterations)")
            } else {
                print("wrote \(summary.output): the weights after iteration \(summary.iterations) (no validation area)")
            }
        }
    }
}
