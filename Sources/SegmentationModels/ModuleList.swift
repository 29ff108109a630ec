import NeuralNet

/// Child modules named `0`, `1`, … in order (PyTorch's `ModuleList`), so their entries read
/// `stages.0.conv.weight`. Holds no parameters of its own; an empty list contributes no keys.
final class ModuleList<Element: Module>: Module {
    let elements: [Element]

    init(_ elements: [Element]) {
        self.elements = elements
        super.init()
        for (index, element) in elements.enumerated() { register(element, as: String(index)) }
    }
}
