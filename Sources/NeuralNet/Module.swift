import TensorCore

/// The base of every layer and model: a tree of named parameters, buffers and child modules.
///
/// Names compose into dotted paths — child `layer4`, its child `2`, its child `conv2`, its parameter
/// `weight` give `layer4.2.conv2.weight` — and those paths are exactly the keys of `stateDict()` and of the
/// model file, as in a PyTorch state dict. A subclass registers everything in its initialiser, in the
/// order PyTorch would (that order is the order of `namedParameters()`):
///
/// ```swift
/// public final class Block: Module, Layer {
///     let conv: Conv2d
///     let norm = BatchNorm2d(channels: 8)
///     public init(generator: inout RandomGenerator) {
///         conv = Conv2d(inputChannels: 8, outputChannels: 8, kernelSize: 3, padding: 1, bias: false, generator: &generator)
///         super.init()
///         register(conv, as: "conv")   // conv.weight (block.conv.weight inside a parent that registers "block")
///         register(norm, as: "bn")     // bn.weight, bn.running_mean, ...
///     }
///     public func callAsFunction(_ x: Tensor) -> Tensor { norm(conv(x)) }
/// }
/// ```
open class Module {
    /// Whether the module is in training mode (the default) rather than evaluation mode. Changed for a
    /// whole tree with `train(_:)` / `eval()`; BatchNorm and Dropout read it.
    public private(set) var isTraining = true
    private var ownParameters: [(name: String, parameter: Parameter)] = []
    private var ownBuffers: [(name: String, buffer: Buffer)] = []
    private var ownChildren: [(name: String, module: Module)] = []

    public init() {}

    private func checkNewName(_ name: String) {
        precondition(!name.isEmpty && !name.contains("."), "\(type(of: self)): name '\(name)' must be non-empty and contain no '.'")
        let taken = ownParameters.contains { $0.name == name } || ownBuffers.contains { $0.name == name } || ownChildren.contains { $0.name == name }
        precondition(!taken, "\(type(of: self)): name '\(name)' is already registered")
    }

    /// Registers `parameter` under `name` (no dots) in this module.
    public func register(_ parameter: Parameter, as name: String) {
        checkNewName(name)
        ownParameters.append((name, parameter))
    }

    /// Registers `buffer` under `name` (no dots) in this module.
    public func register(_ buffer: Buffer, as name: String) {
        checkNewName(name)
        ownBuffers.append((name, buffer))
    }

    /// Registers `child` under `name` (no dots); its entries appear as `name.<their path>`.
    public func register(_ child: Module, as name: String) {
        checkNewName(name)
        precondition(child !== self, "\(type(of: self)): a module cannot be its own child")
        ownChildren.append((name, child))
    }

    /// The direct children, in registration order.
    public var children: [(name: String, module: Module)] { ownChildren }

    /// Every module of the tree (this one first, named ""), depth first, each instance once.
    public func namedModules() -> [(name: String, module: Module)] {
        var result: [(name: String, module: Module)] = []
        var seen = Set<ObjectIdentifier>()
        func visit(_ module: Module, _ path: String) {
            guard seen.insert(ObjectIdentifier(module)).inserted else { return }
            result.append((path, module))
            for (name, child) in module.ownChildren { visit(child, path.isEmpty ? name : path + "." + name) }
        }
        visit(self, "")
        return result
    }

    /// Every parameter of the tree with its dotted path, in registration order; a parameter shared by two
    /// modules appears once, under its first path (as in PyTorch).
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var seen = Set<ObjectIdentifier>()
        return namedModules().flatMap { path, module in
            module.ownParameters.compactMap { name, parameter in
                seen.insert(ObjectIdentifier(parameter)).inserted ? (path.isEmpty ? name : path + "." + name, parameter) : nil
            }
        }
    }

    /// Every parameter of the tree, in `namedParameters()` order.
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// Every buffer of the tree with its dotted path.
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        var seen = Set<ObjectIdentifier>()
        return namedModules().flatMap { path, module in
            module.ownBuffers.compactMap { name, buffer in
                seen.insert(ObjectIdentifier(buffer)).inserted ? (path.isEmpty ? name : path + "." + name, buffer) : nil
            }
        }
    }

    /// Parameters and buffers by dotted path: the content of a model file. Values share storage with the
    /// module until either side writes (copy-on-write), so saving costs no copy.
    public func stateDict() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, parameter) in namedParameters() { result[name] = parameter.value.detached() }
        for (name, buffer) in namedBuffers() { result[name] = buffer.value }
        return result
    }

    /// Loads parameters and buffers by dotted path and reports missing, unexpected and wrongly shaped keys.
    ///
    /// Strict (the default): any mismatch throws `StateDictError` carrying the report, and nothing is
    /// loaded. Not strict: every key that matches by name and shape is loaded, the rest are left as they
    /// are, and the report says which. Loaded parameters keep their `requiresGradient` and lose any gradient.
    @discardableResult
    public func load(stateDict: [String: Tensor], strict: Bool = true) throws -> StateDictLoadReport {
        let parameters = namedParameters(), buffers = namedBuffers()
        var expectedShapes: [String: [Int]] = [:]
        for (name, parameter) in parameters { expectedShapes[name] = parameter.shape }
        for (name, buffer) in buffers { expectedShapes[name] = buffer.shape }
        let report = StateDictLoadReport(
            missingKeys: expectedShapes.keys.filter { stateDict[$0] == nil }.sorted(),
            unexpectedKeys: stateDict.keys.filter { expectedShapes[$0] == nil }.sorted(),
            shapeMismatches: expectedShapes.keys.sorted().compactMap { key in
                guard let found = stateDict[key]?.shape, found != expectedShapes[key]! else { return nil }
                return StateDictLoadReport.ShapeMismatch(key: key, expected: expectedShapes[key]!, found: found)
            })
        if strict && !report.isExactMatch { throw StateDictError(report: report) }
        for (name, parameter) in parameters {
            if let value = stateDict[name], value.shape == parameter.shape { parameter.assign(value) }
        }
        for (name, buffer) in buffers {
            if let value = stateDict[name], value.shape == buffer.shape { buffer.value = value }
        }
        return report
    }

    /// Loads the tensors of a safetensors file (see `load(stateDict:strict:)`); converts F16/BF16 to Float32.
    @discardableResult
    public func load(_ file: SafeTensorsFile, strict: Bool = true) throws -> StateDictLoadReport {
        try load(stateDict: file.tensors(), strict: strict)
    }

    /// Sets training (true) or evaluation (false) mode on this module and every descendant.
    public func train(_ isTraining: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = isTraining }
    }

    /// Evaluation mode for the whole tree: BatchNorm uses running statistics, Dropout passes through.
    public func eval() { train(false) }

    /// Sets `requiresGradient` on every parameter of the tree: false freezes it (no gradients, optimizers
    /// skip it), true unfreezes it.
    public func setRequiresGradient(_ requiresGradient: Bool) {
        for parameter in parameters() { parameter.requiresGradient = requiresGradient }
    }

    /// Clears the accumulated gradient of every parameter of the tree.
    public func zeroGradients() {
        for parameter in parameters() { parameter.zeroGradient() }
    }
}
