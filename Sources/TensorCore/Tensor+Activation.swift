/// Rectified linear unit, `max(x, 0)` elementwise. The gradient at exactly 0 is 0, as in PyTorch.
/// - Parameter input: any shape.
/// - Returns: the shape of `input`.
public func relu(_ input: Tensor) -> Tensor {
    var output = input.mapElements(ReLUKernel())
    let savedOutput = output.detached()
    output.recordOperation(inputs: [input]) { gradient in [gradient.zipElements(savedOutput, ReLUGradientKernel())] }
    return output
}

struct ReLUKernel: UnaryKernel {
    @inline(__always) func callAsFunction(_ value: Float) -> Float { value > 0 ? value : 0 }
}

/// The upstream gradient where the ReLU output is positive, else 0.
struct ReLUGradientKernel: BinaryKernel {
    @inline(__always) func callAsFunction(_ upstream: Float, _ output: Float) -> Float { output > 0 ? upstream : 0 }
}

/// Softmax over the last axis (the channels of an NHWC tensor), computed stably (max subtracted).
/// - Parameter input: any shape of rank >= 1.
/// - Returns: the shape of `input`; each row along the last axis sums to 1.
public func softmax(_ input: Tensor) -> Tensor {
    checkShapes(input.rank >= 1 && input.shape.last! > 0, "softmax: input \(input.shape) needs a non-empty last axis")
    let channels = input.shape.last!
    let rows = input.count / channels
    var output = Tensor(shape: input.shape) { result in
        input.withUnsafeBufferPointer { source in
            let x = source.baseAddress!, y = result.baseAddress!
            parallelBlocks(rows, minimumBlock: max(1, 16384 / channels)) { range in
                for row in range {
                    let source = x + row * channels, target = y + row * channels
                    var largest = -Float.infinity
                    for c in 0..<channels { largest = max(largest, source[c]) }
                    var total: Float = 0
                    for c in 0..<channels {
                        let value = (source[c] - largest).exp()
                        target[c] = value
                        total += value
                    }
                    let scale = 1 / total
                    for c in 0..<channels { target[c] *= scale }
                }
            }
        }
    }
    let savedOutput = output.detached()
    output.recordOperation(inputs: [input]) { gradient in
        // dx = y * (g - sum_c(g * y)) per row.
        [Tensor(shape: savedOutput.shape) { result in
            savedOutput.withUnsafeBufferPointer { probabilities in
                gradient.withUnsafeBufferPointer { upstream in
                    let y = probabilities.baseAddress!, g = upstream.baseAddress!, dx = result.baseAddress!
                    parallelBlocks(rows, minimumBlock: max(1, 16384 / channels)) { range in
                        for row in range {
                            let probability = y + row * channels, upstreamRow = g + row * channels
                            let target = dx + row * channels
                            var dot: Float = 0
                            for c in 0..<channels { dot += upstreamRow[c] * probability[c] }
                            for c in 0..<channels { target[c] = probability[c] * (upstreamRow[c] - dot) }
                        }
                    }
                }
            }
        }]
    }
    return output
}

extension Float {
    /// e^self through Foundation-free libm (`expf`).
    @inline(__always)
    func exp() -> Float {
        #if canImport(Glibc)
        return Glibc.expf(self)
        #else
        return Darwin.expf(self)
        #endif
    }

    /// Natural logarithm (`logf`).
    @inline(__always)
    func log() -> Float {
        #if canImport(Glibc)
        return Glibc.logf(self)
        #else
        return Darwin.logf(self)
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
