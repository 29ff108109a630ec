import TensorCore

/// A non-trainable tensor of a module's state (BatchNorm's running statistics), saved in the state dict
/// next to the parameters but never given a gradient or touched by an optimizer.
public final class Buffer {
    /// The current value (never tracks a gradient).
    public var value: Tensor {
        didSet { value = value.detached() }
    }

    public init(_ value: Tensor) {
        self.value = value.detached()
    }

    /// The value's shape.
    public var shape: [Int] { value.shape }
}
