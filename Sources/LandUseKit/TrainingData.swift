import Foundation
import GeoRaster
import SegmentationModels
import TensorCore

/// The training scenes, their chip samplers, the validation area and the statistics derived from them.
struct TrainingData {
    let mapping: ClassMapping
    let scenes: [LabelledScene]
    let samplers: [ChipSampler]
    let bands: [BandInfo]
    let classCounts: [Int]
    /// How often each scene's chips are drawn (with several scenes): labelled scenes by their labelled
    /// pixels, distillation images by their valid pixels.
    let sceneWeights: [Double]
    let validationImage: URL
    let validationLabels: URL
    let validationWindow: Window?
    let options: TrainOptions

    var classCount: Int { mapping.count }
    /// Whether a validation area was given (without one, `keepLast` keeps the last weights).
    var hasValidation: Bool { options.validationImage != nil || options.validationWindow != nil }

    static func load(options: TrainOptions) throws -> TrainingData {
        let windows = options.images.indices.map { $0 == 0 ? options.trainWindow : nil }
        let mapping: ClassMapping
        if let classes = options.classes {
            mapping = ClassMapping(classes: classes)
        } else {
            var values = Set<Int>()
            for (labels, window) in zip(options.labels, windows) {
                values.formUnion(try LabelledScene.labelValues(labels: labels, window: window, ignoredValues: options.ignoredValues))
            }
            guard values.count >= 2 else {
                throw LandUseError(.badInput, "the training labels hold \(values.count) class value(s) \(values.sorted()): a segmentation model needs at least 2 classes; check --ignore-value and the label raster's nodata")
            }
            mapping = ClassMapping.generated(values: values.sorted())
        }
        guard mapping.count <= 254 else {
            throw LandUseError(.badInput, "\(mapping.count) classes: LandUse trains at most 254 classes; merge classes in the labels or list fewer in --classes")
        }
        var scenes: [LabelledScene] = []
        for (index, (image, labels)) in zip(options.images, options.labels).enumerated() {
            scenes.append(try LabelledScene.load(image: image, labels: labels, bands: options.bands, window: windows[index], mapping: mapping,
                                                 ignoredValues: options.ignoredValues, policy: options.nodataPolicy))
        }
        let labelledScenes = scenes.count
        for image in options.distillImages {
            scenes.append(try LabelledScene.unlabelled(image: image, bands: options.bands, policy: options.nodataPolicy))
        }
        let bandCount = scenes[0].bandCount
        if let other = scenes.first(where: { $0.bandCount != bandCount }) {
            throw LandUseError(.badInput, "\(other.imageURL.lastPathComponent) has \(other.bandCount) bands but \(scenes[0].imageURL.lastPathComponent) has \(bandCount): every training image needs the same bands (use --bands)")
        }
        // Normalisation statistics over the valid samples of every training scene.
        var sums = BandSums(bandCount: bandCount)
        for scene in scenes.prefix(labelledScenes) { sums.add(scene) }
        guard sums.counts.contains(where: { $0 > 0 }) else {
            throw LandUseError(.badInput, "the training area has no valid image pixel: check --train-window and the image's nodata")
        }
        let names = options.bandNames ?? (options.bands ?? Array(1...bandCount)).map { "band \($0)" }
        guard names.count == bandCount else {
            throw LandUseError(.badOption, "\(names.count) band names for \(bandCount) bands: give one name per band")
        }
        var bands = zip(names, sums.statistics).map { BandInfo(name: $0, mean: Float($1.mean), std: Float($1.std)) }
        if let initial = options.initialModel {
            // Fine-tuning keeps the normalisation its weights were trained with.
            let fileBands = try ModelFile.readDescription(contentsOf: initial).bands
            guard fileBands.count == bandCount else {
                throw LandUseError(.badOption, "--init-from \(initial.lastPathComponent) reads \(fileBands.count) bands but training uses \(bandCount): pass --bands so that both see the same bands")
            }
            bands = fileBands
        }
        var counts = [Int](repeating: 0, count: mapping.count)
        for scene in scenes {
            for (index, count) in scene.classCounts(classCount: mapping.count).enumerated() { counts[index] += count }
        }
        guard counts.reduce(0, +) > 0 else {
            throw LandUseError(.badInput, "no training pixel has both a valid image and a class label: check the windows, --ignore-value and the rasters' nodata")
        }
        var samplers = scenes.map {
            ChipSampler(scene: $0, chipSize: options.chipSize, classCount: mapping.count, bands: bands,
                        augmentation: options.augmentation, rareClassFraction: options.rareClassFraction)
        }
        if let teacherURL = options.teacher {
            let teacher = try ModelFile(contentsOf: teacherURL)
            try TeacherTargets.check(teacher: teacher, url: teacherURL, mapping: mapping, bandCount: bandCount)
            for index in samplers.indices {
                samplers[index].softTargets = try TeacherTargets.compute(teacher: teacher, scene: scenes[index], bands: options.bands,
                                                                         trainingChip: options.chipSize)
            }
        }
        let sceneWeights = scenes.map { scene -> Double in
            let labelled = scene.classCounts(classCount: mapping.count).reduce(0, +)
            return Double(labelled > 0 || options.teacher == nil ? labelled : scene.imageValid.filter { $0 }.count)
        }
        return TrainingData(
            mapping: mapping, scenes: scenes, samplers: samplers, bands: bands, classCounts: counts, sceneWeights: sceneWeights,
            validationImage: options.validationImage ?? options.images[0], validationLabels: options.validationLabels ?? options.labels[0],
            validationWindow: options.validationImage == nil ? options.validationWindow : nil, options: options)
    }

    /// A batch of chips; with several scenes, each chip's scene is drawn by `sceneWeights`.
    /// Soft targets (`[count, S, S, classes]`) come with the chips when training has a teacher. With
    /// `chipSizes`, the batch's chip size S is drawn first, uniformly among them.
    func sampleBatch(count: Int, generator: inout RandomGenerator) -> (Tensor, Tensor, Tensor?) {
        var size = options.chipSize
        if let sizes = options.chipSizes, !sizes.isEmpty { size = sizes[Int(generator.next() % UInt64(sizes.count))] }
        var samplers = self.samplers
        for index in samplers.indices { samplers[index].chipSize = size }
        guard samplers.count > 1 else { return samplers[0].batchWithTargets(count: count, generator: &generator) }
        let weights = sceneWeights, total = weights.reduce(0, +)
        var images: [Float] = [], labels: [Float] = [], targets: [Float] = []
        for _ in 0..<count {
            var target = Double(generator.nextUniform()) * total
            var chosen = samplers.count - 1
            for (index, weight) in weights.enumerated() {
                target -= weight
                if target < 0 { chosen = index; break }
            }
            let (image, label, soft) = samplers[chosen].batchWithTargets(count: 1, generator: &generator)
            images += image.scalars
            labels += label.scalars
            if let soft { targets += soft.scalars }
        }
        return (Tensor(shape: [count, size, size, bands.count], scalars: images), Tensor(shape: [count, size, size], scalars: labels),
                options.teacher == nil ? nil : Tensor(shape: [count, size, size, classCount], scalars: targets))
    }

    /// The model file description before training (provenance filled in at the end).
    func description(options: TrainOptions) -> ModelDescription {
        let inferenceChip = options.inferenceChipSize ?? max(256, options.chipSize)
        return ModelDescription(
            architecture: options.configuration(classCount: mapping.count, bandCount: bands.count), classes: mapping.classes,
            bands: bands, nodata: options.nodataPolicy, chipSize: inferenceChip, chipOverlap: inferenceChip / 4)
    }

    /// Scores `model` on the validation area through the classify pipeline (model left in eval mode).
    func validate(model: PSPNet, description: ModelDescription) throws -> SegmentationMetrics {
        let tool = EvaluateTool(description: description, classifier: PSPNetClassifier(model: model))
        let report = try tool.run(
            image: validationImage, labels: validationLabels,
            options: ClassifyOptions(batchSize: 4, bands: options.bands, window: validationWindow), ignoredValues: options.ignoredValues)
        return report.metrics
    }

    func provenance(options: TrainOptions, state: TrainingState) -> Provenance {
        let pairs = zip(options.images, options.labels).enumerated().map { index, pair -> String in
            let window = index == 0 ? options.trainWindow.map { " window \($0)" } ?? "" : ""
            return "\(pair.0.lastPathComponent) + \(pair.1.lastPathComponent)\(window)"
        }
        let validation = options.validationImage.map { "\($0.lastPathComponent) + \(options.validationLabels!.lastPathComponent)" }
            ?? options.validationWindow.map { "\(options.images[0].lastPathComponent) window \($0)" } ?? "nothing (last iteration kept)"
        let formatter = ISO8601DateFormatter()
        return Provenance(
            data: options.dataDescription ?? "trained on \(pairs.joined(separator: "; ")); validated on \(validation)",
            iterations: state.iteration,
            metrics: hasValidation ? ["val_miou": state.bestMIoU, "val_overall_accuracy": state.bestAccuracy, "best_iteration": Double(state.bestIteration)] : [:],
            created: formatter.string(from: Date()),
            notes: [
                "optimizer": options.optimizer.rawValue,
                "learning_rate": "\(options.learningRate ?? options.optimizer.defaultLearningRate)",
                "weight_decay": "\(options.weightDecay ?? options.optimizer.defaultWeightDecay)",
                "batch_size": "\(options.batchSize)", "chip_size": (options.chipSizes ?? [options.chipSize]).map(String.init).joined(separator: ","), "seed": "\(options.seed)",
                "class_weighting": options.classWeighting.rawValue,
                "augmentation": "dihedral \(options.augmentation.dihedral), scale \(options.augmentation.scaleRange.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "off"), jitter \(options.augmentation.jitter)",
                "rare_class_fraction": "\(options.rareClassFraction)",
            ].merging(distillationNotes(options: options)) { first, _ in first })
    }

    /// Provenance notes of `--init-from` and `--teacher`, when used.
    private func distillationNotes(options: TrainOptions) -> [String: String] {
        var notes: [String: String] = [:]
        if options.keepLast { notes["kept"] = "last iteration" }
        if let initial = options.initialModel { notes["initialised_from"] = initial.lastPathComponent }
        if !options.distillImages.isEmpty { notes["distill_images"] = options.distillImages.map(\.lastPathComponent).joined(separator: ",") }
        if let teacher = options.teacher {
            notes["teacher"] = teacher.lastPathComponent
            notes["distill_weight"] = "\(options.distillWeight)"
            notes["teacher_chip_sizes"] = TeacherTargets.chipSizes(trainingChip: options.chipSize).map(String.init).joined(separator: ",")
        }
        return notes
    }
}
