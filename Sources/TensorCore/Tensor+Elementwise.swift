/// Elementwise maps shared by the arithmetic ops: parallel over blocks of at least 32k scalars.
private let elementwiseBlock = 1 << 15

/// A scalar function applied elementwise. Kernels are structs passed as generic arguments rather than
/// closures: a closure reaching the loop through `DispatchQueue.concurrentPerform` stays an indirect call
/// per element, while a generic kernel is specialised and inlined, so the loop vectorises.
protocol UnaryKernel {
    func callAsFunction(_ value: Float) -> Float
}

/// A scalar function of two tensors' corresponding elements (see `UnaryKernel`).
protocol BinaryKernel {
    func callAsFunction(_ lhs: Float, _ rhs: Float) -> Float
}

struct ScaleKernel: UnaryKernel {
    let scale: Float
    @inline(__always) func callAsFunction(_ value: Float) -> Float { value * scale }
}

struct OffsetKernel: UnaryKernel {
    let offset: Float
    @inline(__always) func callAsFunction(_ value: Float) -> Float { value + offset }
}

struct AddKernel: BinaryKernel {
    @inline(__always) func callAsFunction(_ lhs: Float, _ rhs: Float) -> Float { lhs + rhs }
}

struct SubtractKernel: BinaryKernel {
    @inline(__always) func callAsFunction(_ lhs: Float, _ rhs: Float) -> Float { lhs - rhs }
}

struct MultiplyKernel: BinaryKernel {
    @inline(__always) func callAsFunction(_ lhs: Float, _ rhs: Float) -> Float { lhs * rhs }
}

extension Tensor {
    /// A tensor of this shape whose element i is `kernel(self[i])`.
    func mapElements<Kernel: UnaryKernel>(_ kernel: Kernel) -> Tensor {
        Tensor(shape: shape) { output in
            withUnsafeBufferPointer { input in
                let source = input.baseAddress!, target = output.baseAddress!
                parallelBlocks(output.count, minimumBlock: elementwiseBlock) { range in
                    for index in range { target[index] = kernel(source[index]) }
                }
            }
        }
    }

    /// A tensor of this shape whose element i is `kernel(self[i], other[i])`.
    func zipElements<Kernel: BinaryKernel>(_ other: Tensor, _ kernel: Kernel) -> Tensor {
        Tensor(shape: shape) { output in
            withUnsafeBufferPointer { lhs in
                other.withUnsafeBufferPointer { rhs in
                    let a = lhs.baseAddress!, b = rhs.baseAddress!, target = output.baseAddress!
                    parallelBlocks(output.count, minimumBlock: elementwiseBlock) { range in
                        for index in range { target[index] = kernel(a[index], b[index]) }
                    }
                }
            }
        }
    }

    /// Elementwise sum of two tensors of the same shape (the residual add).
    /// - Parameters: lhs, rhs: any shape, equal.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        checkShapes(lhs.shape == rhs.shape, "Tensor + Tensor: shapes \(lhs.shape) and \(rhs.shape) differ")
        var result = lhs.zipElements(rhs, AddKernel())
        result.recordOperation(inputs: [lhs, rhs]) { gradient in [gradient, gradient] }
        return result
    }

    /// Elementwise difference of two tensors of the same shape.
    /// - Parameters: lhs, rhs: any shape, equal.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        checkShapes(lhs.shape == rhs.shape, "Tensor - Tensor: shapes \(lhs.shape) and \(rhs.shape) differ")
        var result = lhs.zipElements(rhs, SubtractKernel())
        result.recordOperation(inputs: [lhs, rhs]) { gradient in [gradient, gradient * -1] }
        return result
    }

    /// Elementwise (Hadamard) product of two tensors of the same shape.
    /// - Parameters: lhs, rhs: any shape, equal.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        checkShapes(lhs.shape == rhs.shape, "Tensor * Tensor: shapes \(lhs.shape) and \(rhs.shape) differ")
        var result = lhs.zipElements(rhs, MultiplyKernel())
        let savedLeft = lhs.detached(), savedRight = rhs.detached()
        result.recordOperation(inputs: [lhs, rhs]) { gradient in
            [gradient.zipElements(savedRight, MultiplyKernel()), gradient.zipElements(savedLeft, MultiplyKernel())]
        }
        return result
    }

    /// Every element multiplied by `scale`.
    /// - Parameter tensor: any shape.
    public static func * (tensor: Tensor, scale: Float) -> Tensor {
        var result = tensor.mapElements(ScaleKernel(scale: scale))
        result.recordOperation(inputs: [tensor]) { gradient in [gradient.mapElements(ScaleKernel(scale: scale))] }
        return result
    }

    /// Every element multiplied by `scale`.
    /// - Parameter tensor: any shape.
    public static func * (scale: Float, tensor: Tensor) -> Tensor { tensor * scale }

    /// `offset` added to every element.
    /// - Parameter tensor: any shape.
    public static func + (tensor: Tensor, offset: Float) -> Tensor {
        var result = tensor.mapElements(OffsetKernel(offset: offset))
        result.recordOperation(inputs: [tensor]) { gradient in [gradient] }
        return result
    }

    /// Sum of all scalars, as a rank-0 tensor (accumulated in Double).
    /// - Parameter self: any shape.
    public func sum() -> Tensor {
        var result = Tensor(Float(sumOfScalars()))
        let inputShape = shape
        result.recordOperation(inputs: [self]) { gradient in [Tensor(shape: inputShape, repeating: gradient.scalar)] }
        return result
    }

    /// Mean of all scalars, as a rank-0 tensor. An empty tensor's mean is NaN, as in PyTorch.
    /// - Parameter self: any shape.
    public func mean() -> Tensor {
        let elementCount = count
        var result = Tensor(Float(sumOfScalars() / Double(elementCount)))
        let inputShape = shape
        result.recordOperation(inputs: [self]) { gradient in
            [Tensor(shape: inputShape, repeating: gradient.scalar / Float(elementCount))]
        }
        return result
    }

    private func sumOfScalars() -> Double {
        withUnsafeBufferPointer { buffer in
            let source = buffer.baseAddress!
            return parallelChannelSums(rows: buffer.count, channels: 1, quantities: 1, minimumRows: elementwiseBlock) { range, total in
                var partial = 0.0
                for index in range { partial += Double(source[index]) }
                total[0] += partial
            }[0]
        }
    }
}
