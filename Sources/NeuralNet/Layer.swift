import TensorCore

/// A module with one tensor input and one tensor output: what `Sequential` chains.
public protocol Layer: Module {
    /// Applies the layer. Shape contracts are documented and checked on each conforming type.
    func callAsFunction(_ input: Tensor) -> Tensor
}
