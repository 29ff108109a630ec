import TensorCore

/// A trainable tensor of a module: a gradient-tracking leaf while `requiresGradient` is true.
///
/// A parameter is a reference so that a module, its optimizer and a state-dict loader all see the same
/// value. Its name is not stored here but given by the path of the module that registers it (see `Module`).
public final class Parameter {
    /// The current value. While `requiresGradient` is true it is an autograd leaf: a loss computed from it
    /// accumulates `gradient` on `backward()`.
    public private(set) var value: Tensor

    /// Whether the parameter is trained. Setting it false (freezing) detaches the value, so no gradient is
    /// computed for it and optimizers skip it; setting it true makes the value a fresh leaf (no gradient).
    public var requiresGradient: Bool {
        didSet {
            guard requiresGradient != oldValue else { return }
            value = requiresGradient ? value.detached().requiringGradient() : value.detached()
        }
    }

    /// A parameter holding `value`, trainable unless `requiresGradient` is false.
    public init(_ value: Tensor, requiresGradient: Bool = true) {
        self.requiresGradient = requiresGradient
        self.value = requiresGradient ? value.detached().requiringGradient() : value.detached()
    }

    /// The value's shape.
    public var shape: [Int] { value.shape }

    /// The gradient accumulated since the last `zeroGradient()`, or nil (none yet, or frozen).
    public var gradient: Tensor? { value.gradient }

    /// Forgets the accumulated gradient.
    public func zeroGradient() { value.gradientNode?.zeroGradient() }

    /// Replaces the accumulated gradient (nil clears it), e.g. after clipping. Needs a trainable parameter
    /// and gradient recording on (not inside `Tensor.withoutRecording`).
    public func setGradient(_ newGradient: Tensor?) {
        guard let node = value.gradientNode else {
            preconditionFailure("Parameter.setGradient on a frozen parameter (shape \(shape)); set requiresGradient = true first")
        }
        node.zeroGradient()
        guard let newGradient else { return }
        precondition(newGradient.shape == shape, "Parameter.setGradient: gradient shape \(newGradient.shape) != parameter shape \(shape)")
        precondition(Tensor.isRecording, "Parameter.setGradient inside Tensor.withoutRecording: call it where gradients are recorded")
        // TensorCore exposes no gradient setter; an identity op back-propagated with the new gradient as its
        // seed deposits exactly that tensor on the (just cleared) leaf.
        var identity = value.detached()
        identity.recordOperation(inputs: [value]) { gradient in [gradient] }
        identity.backward(seed: newGradient.detached())
    }

    /// Replaces the value with `newValue` (same shape), keeping `requiresGradient`; any gradient is dropped.
    public func assign(_ newValue: Tensor) {
        precondition(newValue.shape == shape, "Parameter.assign: shape \(newValue.shape) != parameter shape \(shape)")
        value = requiresGradient ? newValue.detached().requiringGradient() : newValue.detached()
    }

    /// Updates the scalars in place (optimizers), keeping the autograd leaf and its gradient.
    public func update<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try value.withUnsafeMutableBufferPointer(body)
    }
}
