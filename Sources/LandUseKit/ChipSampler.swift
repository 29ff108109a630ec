import Foundation
import TensorCore

/// Data augmentation applied to every training chip.
public struct Augmentation: Sendable, Equatable {
    /// Apply one of the 8 rotations/reflections of the square, uniformly at random.
    public var dihedral: Bool
    /// Rescale by a factor drawn log-uniformly from this range (nil: no rescaling).
    public var scaleRange: ClosedRange<Float>?
    /// Per-band contrast and brightness jitter in normalised units: x * (1 + c) + b with c, b uniform in
    /// ±this (0: none).
    public var jitter: Float

    public init(dihedral: Bool = true, scaleRange: ClosedRange<Float>? = nil, jitter: Float = 0) {
        self.dihedral = dihedral
        self.scaleRange = scaleRange
        self.jitter = jitter
    }
}

/// Draws random training chips from a labelled scene: position (optionally biased towards rare classes),
/// augmentation, normalisation. Deterministic for a given generator state.
public struct ChipSampler: Sendable {
    public let scene: LabelledScene
    /// Edge of the chips drawn (may change between batches: `TrainOptions.chipSizes`).
    public var chipSize: Int
    public let classCount: Int
    public let means: [Float]
    public let scales: [Float]
    public let augmentation: Augmentation
    /// Probability of centring a chip on a pixel of a class drawn with weight count^-1/2 (rare classes
    /// more often) instead of a uniformly random position.
    public let rareClassFraction: Float
    /// Soft targets `[rows, columns, classCount]` over the scene (`TeacherTargets`), drawn with the labels
    /// from the same (nearest) source pixel; nil: none.
    public var softTargets: [Float]?
    private let pixelsByClass: [[Int32]]
    private let classDrawWeights: [Double]

    public init(scene: LabelledScene, chipSize: Int, classCount: Int, bands: [BandInfo], augmentation: Augmentation, rareClassFraction: Float) {
        precondition(bands.count == scene.bandCount, "ChipSampler: \(bands.count) band statistics for \(scene.bandCount) bands")
        self.scene = scene
        self.chipSize = chipSize
        self.classCount = classCount
        means = bands.map(\.mean)
        scales = bands.map { 1 / $0.std }
        self.augmentation = augmentation
        self.rareClassFraction = rareClassFraction
        var byClass = [[Int32]](repeating: [], count: classCount)
        for (pixel, label) in scene.labels.enumerated() where Int(label) < classCount { byClass[Int(label)].append(Int32(pixel)) }
        pixelsByClass = byClass
        classDrawWeights = byClass.map { $0.isEmpty ? 0 : 1 / Double($0.count).squareRoot() }
    }

    /// A batch: images `[count, S, S, bands]` normalised, labels `[count, S, S]` class indices as Float
    /// (`ClassMapping.ignoreIndex` where the pixel is outside the scene, invalid or unlabelled).
    public func batch(count: Int, generator: inout RandomGenerator) -> (images: Tensor, labels: Tensor) {
        let batch = batchWithTargets(count: count, generator: &generator)
        return (batch.images, batch.labels)
    }

    /// A batch as `batch(count:generator:)` draws it (the same random draws), with the soft targets
    /// `[count, S, S, classCount]` of its pixels when the sampler has them (zeros where a pixel has no label).
    public func batchWithTargets(count: Int, generator: inout RandomGenerator) -> (images: Tensor, labels: Tensor, targets: Tensor?) {
        let size = chipSize, bands = scene.bandCount
        var images = [Float](repeating: 0, count: count * size * size * bands)
        var labels = [Float](repeating: Float(ClassMapping.ignoreIndex), count: count * size * size)
        var targets = [Float](repeating: 0, count: softTargets == nil ? 0 : count * size * size * classCount)
        for chip in 0..<count {
            draw(into: &images, labels: &labels, targets: &targets, chip: chip, generator: &generator)
        }
        return (Tensor(shape: [count, size, size, bands], scalars: images), Tensor(shape: [count, size, size], scalars: labels),
                softTargets == nil ? nil : Tensor(shape: [count, size, size, classCount], scalars: targets))
    }

    private func draw(into images: inout [Float], labels: inout [Float], targets: inout [Float], chip: Int, generator: inout RandomGenerator) {
        let size = chipSize, bands = scene.bandCount
        // Scale > 1 zooms in: the chip shows size / scale source pixels.
        var scale: Float = 1
        if let range = augmentation.scaleRange {
            scale = exp(log(range.lowerBound) + generator.nextUniform() * (log(range.upperBound) - log(range.lowerBound)))
        }
        let extent = Float(size) / scale
        // Top-left of the source extent, in scene pixel coordinates.
        var top: Float, left: Float
        if rareClassFraction > 0, generator.nextUniform() < rareClassFraction, let centre = rarePixel(generator: &generator) {
            let centreRow = Float(centre / scene.width), centreColumn = Float(centre % scene.width)
            top = centreRow + 0.5 - extent * generator.nextUniform()
            left = centreColumn + 0.5 - extent * generator.nextUniform()
        } else {
            top = generator.nextUniform() * max(0, Float(scene.height) - extent)
            left = generator.nextUniform() * max(0, Float(scene.width) - extent)
        }
        top = min(max(top, 0), max(0, Float(scene.height) - extent))
        left = min(max(left, 0), max(0, Float(scene.width) - extent))
        let transform = augmentation.dihedral ? DihedralTransform.all[Int(generator.next() % 8)] : DihedralTransform.all[0]
        var gains = [Float](repeating: 1, count: bands), offsets = [Float](repeating: 0, count: bands)
        if augmentation.jitter > 0 {
            for band in 0..<bands {
                gains[band] = 1 + augmentation.jitter * (2 * generator.nextUniform() - 1)
                offsets[band] = augmentation.jitter * (2 * generator.nextUniform() - 1)
            }
        }
        let imageBase = chip * size * size * bands, labelBase = chip * size * size
        scene.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<size {
                for x in 0..<size {
                    let (sourceY, sourceX) = transform.source(row: y, column: x, size: size)
                    // Centre of the output pixel in scene coordinates.
                    let row = top + (Float(sourceY) + 0.5) / scale - 0.5
                    let column = left + (Float(sourceX) + 0.5) / scale - 0.5
                    let nearestRow = Int(row.rounded()), nearestColumn = Int(column.rounded())
                    guard nearestRow >= 0, nearestRow < scene.height, nearestColumn >= 0, nearestColumn < scene.width else { continue }
                    let nearest = nearestRow * scene.width + nearestColumn
                    guard scene.imageValid[nearest] else { continue }
                    labels[labelBase + y * size + x] = Float(scene.labels[nearest])
                    if let softTargets {
                        let classes = classCount, destination = (labelBase + y * size + x) * classes
                        for k in 0..<classes { targets[destination + k] = softTargets[nearest * classes + k] }
                    }
                    let destination = imageBase + (y * size + x) * bands
                    // Missing samples (NaN) enter as 0, the band mean after normalisation, without jitter.
                    if scale == 1 {
                        for band in 0..<bands {
                            let value = pixels[nearest * bands + band]
                            images[destination + band] = value.isNaN ? 0 : ((value - means[band]) * scales[band]) * gains[band] + offsets[band]
                        }
                    } else {
                        // Bilinear over the valid neighbouring samples (the nearest sample alone at edges and holes).
                        let row0 = Int(row.rounded(.down)), column0 = Int(column.rounded(.down))
                        let fy = row - Float(row0), fx = column - Float(column0)
                        var weightSums = [Float](repeating: 0, count: bands)
                        var accumulated = [Float](repeating: 0, count: bands)
                        for (dy, wy) in [(0, 1 - fy), (1, fy)] {
                            for (dx, wx) in [(0, 1 - fx), (1, fx)] {
                                let r = row0 + dy, c = column0 + dx
                                guard r >= 0, r < scene.height, c >= 0, c < scene.width, scene.imageValid[r * scene.width + c], wy * wx > 0 else { continue }
                                for band in 0..<bands {
                                    let sample = pixels[(r * scene.width + c) * bands + band]
                                    guard !sample.isNaN else { continue }
                                    weightSums[band] += wy * wx
                                    accumulated[band] += wy * wx * sample
                                }
                            }
                        }
                        for band in 0..<bands {
                            let value = weightSums[band] > 0 ? accumulated[band] / weightSums[band] : pixels[nearest * bands + band]
                            images[destination + band] = value.isNaN ? 0 : ((value - means[band]) * scales[band]) * gains[band] + offsets[band]
                        }
                    }
                }
            }
        }
    }

    /// A labelled pixel of a class drawn with weight count^-1/2.
    private func rarePixel(generator: inout RandomGenerator) -> Int? {
        let total = classDrawWeights.reduce(0, +)
        guard total > 0 else { return nil }
        var target = Double(generator.nextUniform()) * total
        for (index, weight) in classDrawWeights.enumerated() where weight > 0 {
            target -= weight
            if target <= 0 || index == classDrawWeights.count - 1 {
                let pixels = pixelsByClass[index]
                return Int(pixels[Int(generator.next() % UInt64(pixels.count))])
            }
        }
        return nil
    }
}
