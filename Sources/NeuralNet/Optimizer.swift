import TensorCore

/// Updates a model's parameters from their accumulated gradients.
///
/// Optimizers address parameters by their dotted state-dict names, so their state (momentum buffers,
/// moment estimates) exports as a name-keyed tensor map that can be saved next to the model in a
/// checkpoint and loaded into a fresh optimizer over the same model. Frozen parameters and parameters
/// without a gradient are skipped (their state is left untouched), as in PyTorch.
public protocol Optimizer: AnyObject {
    /// The step size used by the next `step()`; a training loop sets it from a `LearningRateSchedule`.
    var learningRate: Float { get set }
    /// Applies one update to every trainable parameter that has a gradient.
    func step()
    /// The optimizer's per-parameter state, keyed `<parameter name>.<state name>`.
    func stateDict() -> [String: Tensor]
    /// Restores state saved by `stateDict()` of an optimizer of the same kind over the same parameters.
    func load(stateDict: [String: Tensor]) throws
}

/// Why optimizer state could not be restored.
public struct OptimizerStateError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension Optimizer {
    /// Checks that `stateDict` holds only `<parameter>.<state>` keys this optimizer knows, with the
    /// parameter's shape (or `[]` for scalar state), and returns them grouped by parameter name.
    func validatedState(
        _ stateDict: [String: Tensor], parameters: [(name: String, parameter: Parameter)],
        tensorStates: [String], scalarStates: [String] = []
    ) throws -> [String: [String: Tensor]] {
        let shapes = Dictionary(parameters.map { ($0.name, $0.parameter.shape) }, uniquingKeysWith: { first, _ in first })
        var grouped: [String: [String: Tensor]] = [:]
        for (key, value) in stateDict {
            guard let dot = key.lastIndex(of: "."), let shape = shapes[String(key[..<dot])] else {
                throw OptimizerStateError(message: "\(type(of: self)) state key '\(key)' names no parameter of this optimizer; the checkpoint belongs to another model")
            }
            let parameterName = String(key[..<dot]), stateName = String(key[key.index(after: dot)...])
            if tensorStates.contains(stateName) {
                guard value.shape == shape else {
                    throw OptimizerStateError(message: "\(type(of: self)) state '\(key)' has shape \(value.shape), parameter has \(shape); the checkpoint belongs to another model")
                }
            } else if scalarStates.contains(stateName) {
                guard value.count == 1 else {
                    throw OptimizerStateError(message: "\(type(of: self)) state '\(key)' must be a scalar, has shape \(value.shape)")
                }
            } else {
                throw OptimizerStateError(message: "\(type(of: self)) state '\(key)': unknown state '\(stateName)' (expected \((tensorStates + scalarStates).joined(separator: ", "))); was it saved by another optimizer?")
            }
            grouped[parameterName, default: [:]][stateName] = value.detached()
        }
        for (name, states) in grouped where Set(states.keys) != Set(tensorStates + scalarStates) {
            throw OptimizerStateError(message: "\(type(of: self)) state for '\(name)' has \(states.keys.sorted()), needs \((tensorStates + scalarStates).sorted())")
        }
        return grouped
    }
}
