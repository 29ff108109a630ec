import TensorCore

/// Stochastic gradient descent with momentum, dampening, weight decay and Nesterov momentum, with
/// exactly PyTorch's `torch.optim.SGD` semantics. Per parameter p with gradient g:
///
///     d = g + weightDecay · p                      (L2 weight decay, added to the gradient)
///     b = d                          first step    (momentum buffer)
///     b = momentum · b + (1 − dampening) · d   later steps
///     d = d + momentum · b  if nesterov, else d = b   (when momentum ≠ 0)
///     p = p − learningRate · d
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    /// The parameters updated, by state-dict name.
    public let parameters: [(name: String, parameter: Parameter)]
    private var momentumBuffers: [String: Tensor] = [:]

    /// An optimizer over `parameters` (typically `model.namedParameters()`).
    public init(
        _ parameters: [(name: String, parameter: Parameter)], learningRate: Float, momentum: Float = 0,
        dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false
    ) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0, "SGD: learningRate \(learningRate), momentum \(momentum) and weightDecay \(weightDecay) must be non-negative")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and dampening 0")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    /// An optimizer over every parameter of `module`.
    public convenience init(module: Module, learningRate: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        self.init(module.namedParameters(), learningRate: learningRate, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    public func step() {
        let (rate, decay, mu, damping, nesterov) = (learningRate, weightDecay, momentum, 1 - dampening, self.nesterov)
        for (name, parameter) in parameters where parameter.requiresGradient {
            guard let gradient = parameter.gradient else { continue }
            gradient.withUnsafeBufferPointer { g in
                guard mu != 0 else {
                    parameter.update { p in for i in 0..<p.count { p[i] -= rate * (g[i] + decay * p[i]) } }
                    return
                }
                let previous = momentumBuffers.removeValue(forKey: name)
                let isFirstStep = previous == nil
                var buffer = previous ?? Tensor(shape: parameter.shape)
                buffer.withUnsafeMutableBufferPointer { b in
                    parameter.update { p in
                        for i in 0..<p.count {
                            let direction = g[i] + decay * p[i]
                            b[i] = isFirstStep ? direction : mu * b[i] + damping * direction
                            p[i] -= rate * (nesterov ? direction + mu * b[i] : b[i])
                        }
                    }
                }
                momentumBuffers[name] = buffer
            }
        }
    }

    /// Momentum buffers keyed `<parameter name>.momentum_buffer` (none before the first step).
    public func stateDict() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: momentumBuffers.map { ($0.key + ".momentum_buffer", $0.value) })
    }

    public func load(stateDict: [String: Tensor]) throws {
        let grouped = try validatedState(stateDict, parameters: parameters, tensorStates: ["momentum_buffer"])
        momentumBuffers = grouped.mapValues { $0["momentum_buffer"]! }
    }
}
