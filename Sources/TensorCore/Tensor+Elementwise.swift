extension Tensor {
    /// Elementwise sum of two tensors of the same shape (the residual add).
    /// - Parameters: lhs, rhs: any shape, equal.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape, "Tensor + Tensor: shapes \(lhs.shape) and \(rhs.shape) differ")
        var result = Tensor(shape: lhs.shape) { output in
            lhs.withUnsafeBufferPointer { a in
                rhs.withUnsafeBufferPointer { b in
                    for index in 0..<output.count { output[index] = a[index] + b[index] }
                }
            }
        }
        result.recordOperation(inputs: [lhs, rhs]) { gradient in [gradient, gradient] }
        return result
    }

    /// Sum of all scalars, as a rank-0 tensor.
    public func sum() -> Tensor {
        var total: Double = 0
        withUnsafeBufferPointer { for value in $0 { total += Double(value) } }
        var result = Tensor(Float(total))
        let inputShape = shape
        result.recordOperation(inputs: [self]) { gradient in [Tensor(shape: inputShape, repeating: gradient.scalar)] }
        return result
    }
}
