import Foundation
import GeoRaster
import NeuralNet
import SegmentationModels

/// How per-class loss weights are derived from the training labels' class frequencies f_k.
public enum ClassWeighting: String, CaseIterable, Sendable {
    /// Every class weighs 1.
    case none
    /// w_k = 1 / (K f_k): each class contributes equally to the loss.
    case inverse
    /// Median-frequency balancing (Eigen & Fergus): w_k = median(f) / f_k.
    case median

    /// Weights for classes with `counts` labelled pixels; classes without pixels get weight 0.
    public func weights(counts: [Int]) -> [Float] {
        let total = Double(counts.reduce(0, +))
        let present = counts.filter { $0 > 0 }
        guard total > 0, self != .none else { return counts.map { _ in 1 } }
        let frequencies = counts.map { Double($0) / total }
        let sorted = present.map { Double($0) / total }.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return frequencies.map { frequency in
            guard frequency > 0 else { return 0 }
            switch self {
            case .none: return 1
            case .inverse: return Float(1 / (Double(present.count) * frequency))
            case .median: return Float(median / frequency)
            }
        }
    }
}

/// The optimizer `landuse train` uses.
public enum OptimizerKind: String, CaseIterable, Sendable {
    /// SGD with momentum 0.9 (the PSPNet paper's choice).
    case sgd
    case adamw

    public var defaultLearningRate: Float { self == .sgd ? 0.01 : 0.001 }
    public var defaultWeightDecay: Float { self == .sgd ? 1e-4 : 1e-2 }
}

/// Everything `landuse train` can be told.
public struct TrainOptions: Sendable {
    /// Image rasters and their label rasters (same grid each), at least one pair.
    public var images: [URL]
    public var labels: [URL]
    /// Where the model file goes.
    public var output: URL
    /// Classes (value, name, colour); nil: the label values found in the training data.
    public var classes: [ClassInfo]?
    /// Label values that never count (label nodata is always ignored).
    public var ignoredValues: Set<Int> = []
    /// 1-based image bands that feed the model; nil: all bands.
    public var bands: [Int]?
    /// Band names for the model file; nil: "band N".
    public var bandNames: [String]?
    public var backbone: Backbone = .resnet18
    public var outputStride = 8
    public var pyramidSizes = [1, 3, 5, 6]
    public var decoder: Decoder = .upsample
    public var auxWeight: Float = 0.4
    /// Width multiplier of every channel count (`PSPNetConfiguration.width`): 0.5 gives about a quarter of the
    /// parameters, for small training sets and small model files; torchvision encoder weights need 1.
    public var width: Float = 1
    public var chipSize = 128
    /// Each iteration's chips take one of these sizes, drawn uniformly (all chips of a batch alike); nil:
    /// always `chipSize`, which still sets the teacher's grids and the recorded inference chip.
    public var chipSizes: [Int]?
    public var batchSize = 4
    public var iterations = 1000
    public var optimizer: OptimizerKind = .sgd
    /// nil: the optimizer's default (0.01 for SGD, 0.001 for AdamW).
    public var learningRate: Float?
    /// nil: the optimizer's default (1e-4 for SGD, 1e-2 for AdamW).
    public var weightDecay: Float?
    /// Exponent of the poly learning-rate schedule base * (1 - iteration / iterations)^power.
    public var polyPower: Float = 0.9
    public var classWeighting: ClassWeighting = .none
    /// Window of the first image to train on; nil: the whole image.
    public var trainWindow: Window?
    /// Window of the first image to validate on (must not overlap the training window).
    public var validationWindow: Window?
    /// Or a separate validation image and labels.
    public var validationImage: URL?
    public var validationLabels: URL?
    /// Validate (and write a checkpoint) every this many iterations; nil: ten times per run.
    public var validateEvery: Int?
    /// torchvision-style ResNet weights to start the encoder from.
    public var backboneWeights: URL?
    /// Continue a run from this checkpoint.
    public var resume: URL?
    /// Start every weight from this model file (same architecture; a missing auxiliary head starts fresh).
    public var initialModel: URL?
    /// Distillation: this model file's class probabilities, averaged over chip grids of 1-4 times the
    /// training chip (`TeacherTargets`), become soft targets on every valid pixel of the training area.
    public var teacher: URL?
    /// Images without labels whose every valid pixel trains on the teacher's soft targets only (with `teacher`).
    public var distillImages: [URL] = []
    /// Weight of the soft-target cross-entropy against the teacher (with `teacher`).
    public var distillWeight: Float = 1
    /// BatchNorm layers normalise with their running statistics and keep them (fine-tuning a trained model).
    public var freezeBatchNorm = false
    /// Keep the weights after the last iteration instead of the best validation checkpoint (validation, if
    /// given, still runs and is recorded; without a validation area nothing is picked, so none is needed).
    /// For fine-tuning towards a teacher, whose gains validation mIoU does not see.
    public var keepLast = false
    /// Scale the gradients down to this global L2 norm when they exceed it (PyTorch's `clip_grad_norm_`); nil: off.
    public var clipGradientNorm: Float?
    /// Checkpoint path; nil: `<output>.checkpoint`.
    public var checkpoint: URL?
    /// Stop after this many iterations even though `iterations` sets the schedule (tests, time-boxed runs).
    public var stopAfter: Int?
    public var seed: UInt64 = 0
    public var augmentation = Augmentation(dihedral: true)
    /// Share of chips centred on a pixel of a rare class (0: uniform positions).
    public var rareClassFraction: Float = 0
    /// Chip size and overlap recommended in the model file for inference; nil: max(256, chipSize) and a quarter of it.
    public var inferenceChipSize: Int?
    /// How the final model's weights are stored (F32, F16 or BF16).
    public var storage: SafeTensorsDType = .float32
    public var overwrite = false
    /// How pixels with missing bands are handled, in training and in the model file.
    public var nodataPolicy: NodataPolicy = .maskedAsMean
    /// Free text recorded as the training data's description in the model file.
    public var dataDescription: String?

    public init(images: [URL], labels: [URL], output: URL) {
        self.images = images
        self.labels = labels
        self.output = output
    }

    /// The architecture these options describe, for `classCount` classes and `bandCount` bands.
    public func configuration(classCount: Int, bandCount: Int) -> PSPNetConfiguration {
        PSPNetConfiguration(backbone: backbone, outputStride: outputStride, pyramidSizes: pyramidSizes, decoder: decoder,
                            auxWeight: auxWeight, classCount: classCount, bandCount: bandCount, width: width)
    }
}

/// What `landuse train` reports as it goes and at the end.
public struct TrainProgress: Sendable {
    public var iteration: Int
    public var iterations: Int
    public var loss: Float
    public var learningRate: Float
    public var secondsElapsed: Double
    /// Set on iterations that validated.
    public var validation: SegmentationMetrics?
}

/// The outcome of a training run: printed as JSON by `landuse train --json`.
public struct TrainSummary: Codable, Sendable {
    public var output: String
    public var iterations: Int
    public var bestIteration: Int
    /// nil when the run had no validation area (`keepLast`).
    public var bestValidationMIoU: Double?
    public var bestValidationAccuracy: Double?
    public var finalLoss: Double
    /// Mean training loss over the first and the last tenth of the iterations run.
    public var firstLosses: Double
    public var lastLosses: Double
    public var seconds: Double
    public var parameterCount: Int

    private enum CodingKeys: String, CodingKey {
        case output, iterations
        case bestIteration = "best_iteration"
        case bestValidationMIoU = "best_val_miou"
        case bestValidationAccuracy = "best_val_overall_accuracy"
        case finalLoss = "final_loss"
        case firstLosses = "mean_loss_first_tenth"
        case lastLosses = "mean_loss_last_tenth"
        case seconds
        case parameterCount = "parameter_count"
    }
}

/// The encoder choices, under the names LandUseKit's callers use (SegmentationModels' `Backbone`).
public typealias ModelBackbone = Backbone
/// The decoder choices (SegmentationModels' `Decoder`).
public typealias ModelDecoder = Decoder
/// Weight storage types of a model file (NeuralNet's `SafeTensorsDType`: F32, F16, BF16).
public typealias WeightStorage = SafeTensorsDType
