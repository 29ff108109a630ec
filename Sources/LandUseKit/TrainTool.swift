import Foundation
import GeoRaster
import NeuralNet
import SegmentationModels
import TensorCore

/// Trains a PSPNet from image/label rasters: the engine behind `landuse train`.
///
/// Random augmented chips from the training area, cross-entropy (+ class weights) + auxWeight x the aux
/// loss, SGD or AdamW under a poly schedule, validation with the tiled inference of `landuse classify`
/// (the same `ClassifyTool.predict` path) every `validateEvery` iterations, the best checkpoint by mIoU
/// kept. At each validation a checkpoint (weights, optimizer state, iteration, random state, best so far)
/// is written atomically, so a killed run resumed with `resume` ends exactly where an uninterrupted run
/// of the same length ends.
public final class TrainTool {
    public let options: TrainOptions

    public init(options: TrainOptions) {
        self.options = options
    }

    @discardableResult
    public func run(progress: ((TrainProgress) -> Void)? = nil, isCancelled: () -> Bool = { false }) throws -> TrainSummary {
        let started = Date()
        try validateOptions()
        let data = try TrainingData.load(options: options)
        let description0 = data.description(options: options)
        let configuration = description0.architecture
        let model = PSPNet(configuration: configuration, seed: options.seed)
        if let weights = options.backboneWeights, options.resume == nil {
            _ = try model.loadEncoderWeights(from: SafeTensorsFile(contentsOf: weights))
        }
        if let initial = options.initialModel, options.resume == nil {
            try loadInitialWeights(from: initial, into: model)
        }
        let learningRate = options.learningRate ?? options.optimizer.defaultLearningRate
        let weightDecay = options.weightDecay ?? options.optimizer.defaultWeightDecay
        let optimizer: Optimizer = options.optimizer == .sgd
            ? SGD(module: model, learningRate: learningRate, momentum: 0.9, weightDecay: weightDecay)
            : AdamW(module: model, learningRate: learningRate, weightDecay: weightDecay)
        let schedule = PolynomialDecay(baseLearningRate: learningRate, totalIterations: options.iterations, power: options.polyPower)
        let classWeights: Tensor? = options.classWeighting == .none
            ? nil : Tensor(shape: [data.classCount], scalars: options.classWeighting.weights(counts: data.classCounts))
        let validateEvery = options.validateEvery ?? max(1, options.iterations / 10)

        var state = TrainingState(generator: RandomGenerator(seed: options.seed &+ 0x5EED))
        let checkpointURL = options.checkpoint ?? URL(fileURLWithPath: options.output.path + ".checkpoint")
        if let resume = options.resume {
            state = try TrainingCheckpoint.load(from: resume, model: model, optimizer: optimizer, configuration: configuration)
        }
        let stopAt = min(options.iterations, options.stopAfter ?? options.iterations)
        let parameters = model.namedParameters().map(\.parameter)
        setTrainingMode(model)
        while state.iteration < stopAt {
            if isCancelled() {
                throw LandUseError(.cancelled, "interrupted at iteration \(state.iteration): resume with --resume \(checkpointURL.path) (the last checkpoint)")
            }
            let rate = schedule.learningRate(at: state.iteration)
            optimizer.learningRate = rate
            let (images, labels, targets) = data.sampleBatch(count: options.batchSize, generator: &state.generator)
            model.zeroGradients()
            let (logits, aux) = model.forwardTraining(images)
            var loss = model.loss(logits: logits, aux: aux, labels: labels, ignoreIndex: ClassMapping.ignoreIndex, classWeights: classWeights)
            if let targets {
                loss = loss + softCrossEntropy(logits: logits, targets: targets) * options.distillWeight
            }
            guard loss.scalar.isFinite else {
                throw LandUseError(.failed, "the training loss became \(loss.scalar) at iteration \(state.iteration + 1): training diverged; lower --lr" + (options.teacher == nil ? "" : " or --distill-weight") + " and start again")
            }
            loss.backward()
            if let maxNorm = options.clipGradientNorm { clipGradientNorm(parameters, maxNorm: maxNorm) }
            optimizer.step()
            state.iteration += 1
            state.losses.append(loss.scalar)
            var validation: SegmentationMetrics?
            if state.iteration % validateEvery == 0 || state.iteration == stopAt {
                // Without a validation area (`keepLast` only) every checkpoint keeps the current weights.
                if data.hasValidation {
                    let metrics = try data.validate(model: model, description: description0)
                    setTrainingMode(model)
                    validation = metrics
                }
                if options.keepLast || validation.map({ $0.meanIoU > state.bestMIoU }) ?? true || state.bestWeights.isEmpty {
                    state.bestMIoU = validation?.meanIoU ?? state.bestMIoU
                    state.bestAccuracy = validation?.overallAccuracy ?? state.bestAccuracy
                    state.bestIteration = state.iteration
                    state.bestWeights = model.stateDict()
                }
                try TrainingCheckpoint.save(state: state, model: model, optimizer: optimizer, configuration: configuration, to: checkpointURL)
            }
            progress?(TrainProgress(iteration: state.iteration, iterations: stopAt, loss: loss.scalar, learningRate: rate,
                                    secondsElapsed: Date().timeIntervalSince(started), validation: validation))
        }

        // The kept model: the best validation checkpoint (with `keepLast`: the last, as the final iteration validates).
        let best = PSPNet(configuration: configuration, seed: options.seed)
        try best.load(stateDict: state.bestWeights)
        var description = description0
        description.provenance = data.provenance(options: options, state: state)
        try ModelFile.write(best, description: description, to: options.output, storage: options.storage)
        let tenth = max(1, state.losses.count / 10)
        return TrainSummary(
            output: options.output.path, iterations: state.iteration, bestIteration: state.bestIteration,
            bestValidationMIoU: data.hasValidation ? state.bestMIoU : nil, bestValidationAccuracy: data.hasValidation ? state.bestAccuracy : nil, finalLoss: Double(state.losses.last ?? 0),
            firstLosses: Double(state.losses.prefix(tenth).reduce(0, +)) / Double(min(tenth, state.losses.count)),
            lastLosses: Double(state.losses.suffix(tenth).reduce(0, +)) / Double(min(tenth, state.losses.count)),
            seconds: Date().timeIntervalSince(started), parameterCount: best.parameterCount)
    }

    /// Training mode; with `freezeBatchNorm` the BatchNorm layers stay in evaluation mode (running
    /// statistics normalise and are not updated; their scale and shift still train).
    private func setTrainingMode(_ model: PSPNet) {
        model.train()
        guard options.freezeBatchNorm else { return }
        for (_, module) in model.namedModules() where module is BatchNorm2d { module.train(false) }
    }

    /// Copies every weight of the model file at `url` into `model`, whose architecture must be the file's
    /// (the auxiliary head aside: inference files leave it out, so it keeps its fresh initialisation).
    private func loadInitialWeights(from url: URL, into model: PSPNet) throws {
        let file = try ModelFile(contentsOf: url)
        var fileArchitecture = file.modelDescription.architecture, trained = model.configuration
        fileArchitecture.auxWeight = 0
        trained.auxWeight = 0
        guard fileArchitecture == trained else {
            throw LandUseError(.badOption, "--init-from \(url.lastPathComponent) is a \(ModelFile.summary(of: file.modelDescription.architecture)) but the options describe a \(ModelFile.summary(of: model.configuration)): give the same --backbone, --width, --output-stride, --pyramid-sizes, --decoder, classes and bands")
        }
        var weights = model.stateDict()
        for (name, tensor) in file.model.stateDict() where file.hasAuxiliaryHead || !name.hasPrefix("aux.") { weights[name] = tensor }
        try model.load(stateDict: weights, strict: true)
    }

    private func validateOptions() throws {
        guard !options.images.isEmpty, options.images.count == options.labels.count else {
            throw LandUseError(.badOption, "give each --image its --labels: got \(options.images.count) images and \(options.labels.count) label rasters")
        }
        guard options.iterations >= 1, options.batchSize >= 1, options.chipSize >= 32 else {
            throw LandUseError(.badOption, "use --iterations >= 1, --batch-size >= 1 and --chip-size >= 32 (got \(options.iterations), \(options.batchSize), \(options.chipSize))")
        }
        if FileManager.default.fileExists(atPath: options.output.path) && !options.overwrite {
            throw LandUseError(.outputExists, "\(options.output.path) exists: pass --overwrite to replace it, or choose another --output")
        }
        if options.validationWindow == nil && options.validationImage == nil && !options.keepLast {
            throw LandUseError(.badOption, "training needs a validation area to pick the best checkpoint: pass --val-window COL,ROW,WIDTH,HEIGHT (of the first image) or --val-image and --val-labels, or --keep-last to keep the last iteration's weights")
        }
        if (options.validationImage == nil) != (options.validationLabels == nil) {
            throw LandUseError(.badOption, "--val-image and --val-labels go together: pass both")
        }
        if let train = options.trainWindow, let validation = options.validationWindow, options.validationImage == nil {
            let overlapsColumns = train.columnOffset < validation.columnOffset + validation.columnCount && validation.columnOffset < train.columnOffset + train.columnCount
            let overlapsRows = train.rowOffset < validation.rowOffset + validation.rowCount && validation.rowOffset < train.rowOffset + train.rowCount
            if overlapsColumns && overlapsRows {
                throw LandUseError(.badOption, "--train-window \(train) and --val-window \(validation) overlap: validation pixels must not be trained on; make the windows disjoint")
            }
        }
        let configuration = options.configuration(classCount: 2, bandCount: 1)
        if let problem = configuration.problems.first { throw LandUseError(.badOption, problem) }
        if let sizes = options.chipSizes, sizes.isEmpty || sizes.contains(where: { $0 < 32 }) {
            throw LandUseError(.badOption, "--chip-sizes \(sizes.map(String.init).joined(separator: ",")): list chip edges of at least 32 pixels, e.g. 64,96,128")
        }
        if let maxNorm = options.clipGradientNorm, !(maxNorm > 0 && maxNorm.isFinite) {
            throw LandUseError(.badOption, "--clip-grad-norm \(maxNorm): use a positive norm such as 1, or leave it out")
        }
        if options.distillWeight < 0 || !options.distillWeight.isFinite {
            throw LandUseError(.badOption, "--distill-weight \(options.distillWeight): use a weight of 0 or more")
        }
        if !options.distillImages.isEmpty && options.teacher == nil {
            throw LandUseError(.badOption, "--distill-image needs --teacher: unlabelled images train only on a teacher's soft targets")
        }
        if options.initialModel != nil && options.backboneWeights != nil {
            throw LandUseError(.badOption, "--init-from and --backbone-weights both set the starting weights: pass one of them")
        }
        if options.backboneWeights != nil && options.width != 1 {
            throw LandUseError(.badOption, "--backbone-weights with --width \(options.width): torchvision ResNet weights fit width 1.0 only: train from scratch or use --width 1")
        }
    }
}

/// Everything a resumed run needs besides the model and optimizer.
struct TrainingState {
    var iteration = 0
    var generator: RandomGenerator
    var losses: [Float] = []
    var bestMIoU = -1.0
    var bestAccuracy = 0.0
    var bestIteration = 0
    var bestWeights: [String: Tensor] = [:]
}
