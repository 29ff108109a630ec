import TensorCore

/// Per-pixel cross-entropy between class scores and labels, PyTorch's `nn.CrossEntropyLoss` with mean
/// reduction: the mean over labelled pixels of `−log softmax(logits)[label]`, each pixel weighted by
/// `classWeights[label]` (the mean divides by the sum of those weights). Pixels labelled `ignoreIndex`
/// (e.g. nodata) contribute nothing; if every pixel is ignored the loss is 0 with a zero gradient.
public struct CrossEntropyLoss: Sendable {
    public let ignoreIndex: Int
    /// One non-negative weight per class, or nil for equal weights.
    public let classWeights: Tensor?

    public init(ignoreIndex: Int = -100, classWeights: Tensor? = nil) {
        if let classWeights {
            precondition(classWeights.rank == 1, "CrossEntropyLoss: classWeights must be [classes], got \(classWeights.shape)")
            precondition(classWeights.scalars.allSatisfy { $0 >= 0 && $0.isFinite }, "CrossEntropyLoss: classWeights must be finite and non-negative")
        }
        self.ignoreIndex = ignoreIndex
        self.classWeights = classWeights?.detached()
    }

    /// - Parameters:
    ///   - logits: `[N, H, W, classes]` unnormalised scores.
    ///   - labels: `[N, H, W]` class indices in `0..<classes` or `ignoreIndex`, stored as Float32.
    /// - Returns: the scalar loss `[]`, differentiable in `logits`.
    public func callAsFunction(logits: Tensor, labels: Tensor) -> Tensor {
        precondition(logits.rank == 4 && labels.shape == Array(logits.shape.prefix(3)), "CrossEntropyLoss: logits \(logits.shape) must be [N, H, W, classes] and labels \(labels.shape) [N, H, W]")
        if let classWeights {
            precondition(classWeights.shape == [logits.shape[3]], "CrossEntropyLoss: \(classWeights.shape[0]) class weights for \(logits.shape[3]) classes")
        }
        return crossEntropy(logits: logits, labels: labels, ignoreIndex: ignoreIndex, classWeights: classWeights)
    }
}
