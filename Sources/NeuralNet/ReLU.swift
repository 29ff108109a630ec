import TensorCore

/// max(x, 0) elementwise; no parameters.
public final class ReLU: Module, Layer {
    public override init() { super.init() }

    /// - Parameter input: any shape. - Returns: the same shape.
    public func callAsFunction(_ input: Tensor) -> Tensor { relu(input) }
}
