import Foundation
import TensorCore

/// Adam with decoupled weight decay, with exactly PyTorch's `torch.optim.AdamW` semantics (amsgrad off).
/// Per parameter p with gradient g, at its step t = 1, 2, …:
///
///     p = p · (1 − learningRate · weightDecay)          (decoupled: not part of the gradient)
///     m = β1 · m + (1 − β1) · g                            (m, v start at 0)
///     v = β2 · v + (1 − β2) · g²
///     p = p − (learningRate / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
public final class AdamW: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// The parameters updated, by state-dict name.
    public let parameters: [(name: String, parameter: Parameter)]
    private var firstMoments: [String: Tensor] = [:]
    private var secondMoments: [String: Tensor] = [:]
    private var steps: [String: Int] = [:]

    /// An optimizer over `parameters` with PyTorch's defaults.
    public init(
        _ parameters: [(name: String, parameter: Parameter)], learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 1e-2
    ) {
        precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0, "AdamW: learningRate, epsilon and weightDecay must be non-negative")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "AdamW: betas must lie in [0, 1), got \(beta1), \(beta2)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// An optimizer over every parameter of `module`.
    public convenience init(module: Module, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 1e-2) {
        self.init(module.namedParameters(), learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public func step() {
        for (name, parameter) in parameters where parameter.requiresGradient {
            guard let gradient = parameter.gradient else { continue }
            let step = (steps[name] ?? 0) + 1
            steps[name] = step
            var m = firstMoments.removeValue(forKey: name) ?? Tensor(shape: parameter.shape)
            var v = secondMoments.removeValue(forKey: name) ?? Tensor(shape: parameter.shape)
            let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), Double(step))))
            let correction2Root = Float((1 - pow(Double(beta2), Double(step))).squareRoot())
            let decay = 1 - learningRate * weightDecay
            let (beta1, beta2, epsilon) = (self.beta1, self.beta2, self.epsilon)
            gradient.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        parameter.update { p in
                            for i in 0..<p.count {
                                p[i] *= decay
                                m[i] += (g[i] - m[i]) * (1 - beta1)
                                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                                p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + epsilon)
                            }
                        }
                    }
                }
            }
            firstMoments[name] = m
            secondMoments[name] = v
        }
    }

    /// Per parameter: `<name>.exp_avg`, `<name>.exp_avg_sq` and the scalar `<name>.step`.
    public func stateDict() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, step) in steps {
            result[name + ".exp_avg"] = firstMoments[name]
            result[name + ".exp_avg_sq"] = secondMoments[name]
            result[name + ".step"] = Tensor(Float(step))
        }
        return result
    }

    public func load(stateDict: [String: Tensor]) throws {
        let grouped = try validatedState(stateDict, parameters: parameters, tensorStates: ["exp_avg", "exp_avg_sq"], scalarStates: ["step"])
        for (name, states) in grouped {
            let step = states["step"]!.scalar
            guard step >= 1, step == step.rounded() else {
                throw OptimizerStateError(message: "AdamW state '\(name).step' is \(step), not a positive whole number")
            }
        }
        firstMoments = grouped.mapValues { $0["exp_avg"]! }
        secondMoments = grouped.mapValues { $0["exp_avg_sq"]! }
        steps = grouped.mapValues { Int($0["step"]!.scalar) }
    }
}
