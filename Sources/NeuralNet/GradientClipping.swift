import TensorCore

/// Scales all gradients of `parameters` together so that their global L2 norm is at most `maxNorm`, and
/// returns the norm before clipping (as PyTorch's `clip_grad_norm_`: the scale is
/// `maxNorm / (norm + 1e-6)`, applied only when below 1). Parameters without a gradient are ignored.
/// A non-finite norm is returned as is and the gradients are left untouched, so the caller can skip the step.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    precondition(maxNorm > 0, "clipGradientNorm: maxNorm must be positive, got \(maxNorm)")
    var sumOfSquares: Double = 0
    for parameter in parameters {
        parameter.gradient?.withUnsafeBufferPointer { for g in $0 { sumOfSquares += Double(g) * Double(g) } }
    }
    let norm = Float(sumOfSquares.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    guard norm.isFinite, scale < 1 else { return norm }
    for parameter in parameters {
        guard let gradient = parameter.gradient else { continue }
        parameter.setGradient(Tensor(shape: gradient.shape, scalars: gradient.scalars.map { $0 * scale }))
    }
    return norm
}
