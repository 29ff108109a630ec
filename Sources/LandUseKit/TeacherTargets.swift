import Foundation
import GeoRaster

/// Soft training targets from a teacher model (`landuse train --teacher`): the teacher's class
/// probabilities over a training scene, averaged over chip grids of several sizes.
///
/// A PSPNet's prediction at a pixel depends on the chip around it (its extent, where the pixel sits in
/// it, the padding at its borders), so two chip grids disagree where the model is unsure. Averaging the
/// teacher over grids of 1, 1.25, 1.5, ... 4 times the training chip (`contextScales`, each with a quarter
/// overlap, run through the classify pipeline with the 8 dihedral views, `--tta d4`) gives targets that
/// belong to no single context; a student trained towards them on chips of every position learns
/// predictions that depend less on the chip
/// (docs/sample-model.md measures the effect). Targets are `[rows, columns, classes]` over the scene's
/// window; a pixel the teacher gives no class (nodata) or that does not take part in training has all
/// zeros, which `softCrossEntropy` skips.
public enum TeacherTargets {
    /// Multiples of the training chip size whose grids are averaged.
    public static let contextScales: [Double] = [1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4]

    /// Grid chip sizes for training chips of `chipSize`: multiples of 8 (the network's output stride), distinct.
    public static func chipSizes(trainingChip chipSize: Int) -> [Int] {
        var sizes: [Int] = []
        for scale in contextScales {
            let size = max(16, Int((Double(chipSize) * scale / 8).rounded()) * 8)
            if !sizes.contains(size) { sizes.append(size) }
        }
        return sizes
    }

    /// Checks that `teacher` predicts the classes `mapping` trains, in the same order, from as many bands.
    static func check(teacher: ModelFile, url: URL, mapping: ClassMapping, bandCount: Int) throws {
        let teacherValues = teacher.modelDescription.classes.map(\.value), trained = mapping.classes.map(\.value)
        guard teacherValues == trained else {
            throw LandUseError(.badInput, "teacher \(url.lastPathComponent) predicts classes \(teacherValues) but training has \(trained): give --classes the teacher's classes file (landuse info \(url.lastPathComponent) lists them) or use a teacher trained on the same classes")
        }
        guard teacher.modelDescription.bands.count == bandCount else {
            throw LandUseError(.badInput, "teacher \(url.lastPathComponent) reads \(teacher.modelDescription.bands.count) bands but training uses \(bandCount): pass --bands so that both see the same bands")
        }
    }

    /// The averaged probabilities of `teacher` over `scene`'s window (`bands` as in training).
    public static func compute(teacher: ModelFile, scene: LabelledScene, bands: [Int]?, trainingChip: Int) throws -> [Float] {
        let classes = teacher.modelDescription.classes.count
        let area = scene.window
        var sums = [Float](repeating: 0, count: area.pixelCount * classes)
        var grids = [Float](repeating: 0, count: area.pixelCount)
        let tool = ClassifyTool(description: teacher.modelDescription, classifier: PSPNetClassifier(model: teacher.model))
        let dataset = try RasterDataset(url: scene.imageURL)
        for size in chipSizes(trainingChip: trainingChip) {
            let options = ClassifyOptions(chipSize: size, overlap: size / 4, batchSize: 2, bands: bands, augmentation: .d4)
            _ = try tool.predict(dataset: dataset, input: scene.imageURL, area: area, options: options, started: Date(),
                                 progress: nil, isCancelled: { false }) { window, probabilities, weights in
                for row in 0..<window.rowCount {
                    let sceneRow = window.rowOffset + row - area.rowOffset
                    for column in 0..<window.columnCount {
                        let pixel = row * window.columnCount + column
                        guard weights[pixel] > 0 else { continue }
                        let target = sceneRow * area.columnCount + window.columnOffset + column - area.columnOffset
                        grids[target] += 1
                        for k in 0..<classes { sums[target * classes + k] += probabilities[pixel * classes + k] }
                    }
                }
            }
        }
        for pixel in 0..<area.pixelCount {
            let count = grids[pixel]
            for k in 0..<classes {
                sums[pixel * classes + k] = scene.imageValid[pixel] && count > 0 ? sums[pixel * classes + k] / count : 0
            }
        }
        return sums
    }
}
