/// An n-dimensional array of Float32 scalars with value semantics and optional gradient tracking.
///
/// Layout: dense, row-major (last dimension fastest). Image activations are `[N, H, W, C]` (NHWC) throughout
/// the engine; convolution weights are `[O, I, KH, KW]` as in PyTorch (see docs/DESIGN.md).
///
/// Copies share storage until one of them is mutated (copy-on-write). A tensor that requires a gradient
/// carries a `GradientNode`; ops on it record their backward closure on that node's graph (see Autograd.swift).
public struct Tensor: @unchecked Sendable {
    /// The size of each dimension.
    public private(set) var shape: [Int]
    /// The scalars, shared copy-on-write.
    public private(set) var storage: TensorStorage
    /// The autograd node, when this tensor takes part in gradient computation.
    public internal(set) var gradientNode: GradientNode?

    /// A tensor of `shape` with every scalar `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        Tensor.checkShape(shape)
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *), repeating: value)
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        Tensor.checkShape(shape)
        let count = shape.reduce(1, *)
        precondition(scalars.count == count, "Tensor(shape: \(shape)) needs \(count) scalars, got \(scalars.count)")
        self.shape = shape
        storage = TensorStorage(uninitializedCount: count)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// A tensor of `shape` whose scalars are left uninitialised: `body` must write all `count` of them.
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        Tensor.checkShape(shape)
        self.shape = shape
        storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Wraps existing storage (shared, not copied). `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: TensorStorage) {
        Tensor.checkShape(shape)
        precondition(storage.count == shape.reduce(1, *), "Tensor(shape: \(shape)) over storage of \(storage.count) scalars")
        self.shape = shape
        self.storage = storage
    }

    /// A scalar (rank-0) tensor.
    public init(_ value: Float) {
        self.init(shape: [], scalars: [value])
    }

    private static func checkShape(_ shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of scalars.
    public var count: Int { storage.count }
    /// The scalars in row-major order (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }
    /// The value of a rank-0 or single-element tensor.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar needs exactly one element, shape is \(shape)")
        return storage.pointer[0]
    }

    /// Reads the scalars without copying.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Writes the scalars in place, copying the storage first if another tensor shares it.
    ///
    /// Writing bypasses autograd: use it for optimizer updates and buffers, not inside differentiable ops.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        storage.noteModification()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// The same scalars viewed with another shape of equal element count (shares storage; differentiable).
    public func reshaped(to newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "reshaped(to: \(newShape)) from \(shape): element counts differ")
        let oldShape = shape
        var result = Tensor(shape: newShape, storage: storage)
        result.recordOperation(inputs: [self]) { gradient in [gradient.reshaped(to: oldShape)] }
        return result
    }

    /// Element `index` in row-major order (for tests and small tensors; not for hot loops).
    public subscript(flat index: Int) -> Float {
        precondition(index >= 0 && index < count, "Tensor[flat: \(index)] out of range for shape \(shape)")
        return storage.pointer[index]
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", ..." : "")])"
    }
}
