import TensorCore

/// Anything that turns normalised image chips into per-pixel class probabilities: the PSPNet behind a
/// model file, a test double, or a test-time-augmentation wrapper around either.
public protocol ChipClassifier: AnyObject {
    /// Number of classes (channels of the result).
    var classCount: Int { get }
    /// - Parameter chips: `[N, S, S, bands]`, normalised, invalid pixels set to 0.
    /// - Returns: `[N, S, S, classCount]` probabilities (each pixel's channels sum to 1).
    func probabilities(for chips: Tensor) throws -> Tensor
}

/// Test-time augmentation: which dihedral views of each chip are averaged.
public enum TestTimeAugmentation: String, CaseIterable, Sendable {
    /// The chip as it is.
    case none
    /// The chip and its left-right mirror (2 views).
    case flip
    /// All 8 rotations and reflections of the square (the dihedral group D4).
    case d4

    /// The dihedral transforms used, as indices into `DihedralTransform.all`.
    public var transforms: [DihedralTransform] {
        switch self {
        case .none: return [DihedralTransform.all[0]]
        case .flip: return [DihedralTransform.all[0], DihedralTransform.all[1]]
        case .d4: return DihedralTransform.all
        }
    }
}

/// One of the 8 symmetries of a square chip: optional transpose, then optional row and column flips.
public struct DihedralTransform: Equatable, Sendable {
    public var transposes: Bool
    public var flipsRows: Bool
    public var flipsColumns: Bool

    /// Identity first, left-right mirror second; the other six follow.
    public static let all: [DihedralTransform] = [
        .init(transposes: false, flipsRows: false, flipsColumns: false),
        .init(transposes: false, flipsRows: false, flipsColumns: true),
        .init(transposes: false, flipsRows: true, flipsColumns: false),
        .init(transposes: false, flipsRows: true, flipsColumns: true),
        .init(transposes: true, flipsRows: false, flipsColumns: false),
        .init(transposes: true, flipsRows: false, flipsColumns: true),
        .init(transposes: true, flipsRows: true, flipsColumns: false),
        .init(transposes: true, flipsRows: true, flipsColumns: true),
    ]

    /// The source pixel of output pixel (`row`, `column`) in a `size` x `size` chip.
    @inline(__always)
    func source(row: Int, column: Int, size: Int) -> (Int, Int) {
        var a = row, b = column
        if flipsRows { a = size - 1 - a }
        if flipsColumns { b = size - 1 - b }
        return transposes ? (b, a) : (a, b)
    }

    /// The transformed chips (`inverse` false) or the chips this transform maps onto `x` (`inverse` true).
    /// - Parameter x: `[N, S, S, C]` with square chips.
    public func apply(_ x: Tensor, inverse: Bool = false) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == x.shape[2], "DihedralTransform.apply needs [N, S, S, C] square chips, got \(x.shape)")
        if self == DihedralTransform.all[0] { return x }
        let (count, size, channels) = (x.shape[0], x.shape[1], x.shape[3])
        return Tensor(shape: x.shape) { output in
            x.withUnsafeBufferPointer { input in
                for chip in 0..<count {
                    let base = chip * size * size * channels
                    for row in 0..<size {
                        for column in 0..<size {
                            let (sourceRow, sourceColumn) = source(row: row, column: column, size: size)
                            let transformed = base + (row * size + column) * channels
                            let original = base + (sourceRow * size + sourceColumn) * channels
                            for channel in 0..<channels {
                                if inverse {
                                    output[original + channel] = input[transformed + channel]
                                } else {
                                    output[transformed + channel] = input[original + channel]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Averages a classifier's probabilities over dihedral views of each chip.
public final class AugmentedClassifier: ChipClassifier {
    public let base: ChipClassifier
    public let augmentation: TestTimeAugmentation

    public init(base: ChipClassifier, augmentation: TestTimeAugmentation) {
        self.base = base
        self.augmentation = augmentation
    }

    public var classCount: Int { base.classCount }

    public func probabilities(for chips: Tensor) throws -> Tensor {
        let transforms = augmentation.transforms
        guard transforms.count > 1 else { return try base.probabilities(for: chips) }
        var sum: Tensor?
        for transform in transforms {
            let view = try base.probabilities(for: transform.apply(chips))
            let restored = transform.apply(view, inverse: true)
            if sum == nil {
                sum = restored
            } else {
                sum!.withUnsafeMutableBufferPointer { target in
                    restored.withUnsafeBufferPointer { source in
                        for index in 0..<target.count { target[index] += source[index] }
                    }
                }
            }
        }
        var result = sum!
        let scale = 1 / Float(transforms.count)
        result.withUnsafeMutableBufferPointer { values in
            for index in 0..<values.count { values[index] *= scale }
        }
        return result
    }
}
