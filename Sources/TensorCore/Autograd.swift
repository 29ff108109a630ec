/// One vertex of the reverse-mode autograd graph.
///
/// A leaf node belongs to a tensor created with `requiringGradient()` (a parameter or an input under test)
/// and accumulates its gradient across `backward` calls until `zeroGradient()`. An interior node belongs to
/// the result of a recorded op and holds that op's backward closure, written next to its forward code.
public final class GradientNode: @unchecked Sendable {
    /// Nodes of the op's inputs that need a gradient (nil where an input needs none).
    let inputs: [GradientNode?]
    /// Maps the gradient of the op's output to the gradients of its inputs, in `inputs` order.
    let backward: ((Tensor) -> [Tensor?])?
    /// The accumulated gradient (leaves) or the gradient flowing back during one `backward` call (interior).
    public internal(set) var gradient: Tensor?

    init(inputs: [GradientNode?], backward: ((Tensor) -> [Tensor?])?) {
        self.inputs = inputs
        self.backward = backward
    }

    /// Whether this node is a leaf (no op produced it).
    public var isLeaf: Bool { backward == nil }

    /// Clears the accumulated gradient.
    public func zeroGradient() { gradient = nil }
}

/// Whether ops record backward closures. Off inside `Tensor.withoutRecording` (inference mode), where no
/// graph is built and each activation is freed as soon as the next op has consumed it.
enum GradientRecording {
    @TaskLocal static var isEnabled = true
}

extension Tensor {
    /// A leaf copy of this tensor (sharing storage) that accumulates a gradient when a loss depending on it
    /// calls `backward()`.
    public func requiringGradient() -> Tensor {
        var leaf = Tensor(shape: shape, storage: storage)
        leaf.gradientNode = GradientNode(inputs: [], backward: nil)
        return leaf
    }

    /// This tensor without its autograd node: ops on the result record nothing.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage)
    }

    /// Whether a gradient flows to or through this tensor.
    public var requiresGradient: Bool { gradientNode != nil }

    /// The gradient accumulated on this leaf by `backward()`, or nil.
    public var gradient: Tensor? { gradientNode?.gradient }

    /// Runs `body` with recording off: inference mode. Nothing inside builds a graph.
    public static func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
        try GradientRecording.$isEnabled.withValue(false) { try body() }
    }

    /// Whether ops record backward closures right now.
    public static var isRecording: Bool { GradientRecording.isEnabled }

    /// Attaches `backward` to this freshly computed result when recording is on and an input needs a gradient.
    ///
    /// Every differentiable op calls this right after its forward computation. `backward` receives the
    /// gradient of this result (same shape) and returns one gradient per input, in order (nil allowed for
    /// inputs that need none). Closures must capture only what the backward math needs.
    public mutating func recordOperation(inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        guard GradientRecording.isEnabled, inputs.contains(where: { $0.gradientNode != nil }) else { return }
        gradientNode = GradientNode(inputs: inputs.map(\.gradientNode), backward: backward)
    }

    /// Back-propagates from this tensor, seeding with `seed` (default: ones, which for a scalar loss is
    /// d loss / d loss = 1). Leaf gradients accumulate; interior gradients are released when used.
    public func backward(seed: Tensor? = nil) {
        guard let root = gradientNode else {
            preconditionFailure("backward() on a tensor that does not require a gradient (shape \(shape))")
        }
        let seedGradient = seed ?? Tensor(shape: shape, repeating: 1)
        precondition(seedGradient.shape == shape, "backward(seed:): seed shape \(seedGradient.shape) != \(shape)")

        // Topological order by iterative depth-first search (graphs of deep nets overflow a recursive one).
        var order: [GradientNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradientNode, Bool)] = [(root, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for case let input? in node.inputs where !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }

        root.accumulate(seedGradient.detached())
        for node in order.reversed() {
            guard let backward = node.backward, let outputGradient = node.gradient else { continue }
            node.gradient = nil
            let inputGradients = Tensor.withoutRecording { backward(outputGradient) }
            precondition(inputGradients.count == node.inputs.count, "backward closure returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
            for (input, gradient) in zip(node.inputs, inputGradients) {
                guard let input, let gradient else { continue }
                input.accumulate(gradient)
            }
        }
    }
}

extension GradientNode {
    func accumulate(_ incoming: Tensor) {
        guard var existing = gradient else { gradient = incoming; return }
        gradient = nil  // keep `existing` uniquely referenced so the add below happens in place
        precondition(existing.shape == incoming.shape, "gradient shape \(incoming.shape) != \(existing.shape)")
        existing.withUnsafeMutableBufferPointer { target in
            incoming.withUnsafeBufferPointer { source in
                let sum = target.baseAddress!, addend = source.baseAddress!
                parallelBlocks(target.count, minimumBlock: 1 << 16) { range in
                    for index in range { sum[index] += addend[index] }
                }
            }
        }
        gradient = existing
    }
}
