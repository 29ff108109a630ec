import TensorCore

/// Layers applied in order; child `i` is named `"i"`, so parameters read `0.weight`, `1.running_mean`, …
/// exactly as in a PyTorch `nn.Sequential`.
public final class Sequential: Module, Layer {
    /// The layers, in application order.
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
        super.init()
        for (index, layer) in layers.enumerated() { register(layer, as: String(index)) }
    }

    /// Applies each layer to the previous one's output.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { output, layer in layer(output) }
    }
}
