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
                SoftmaxRows.forEachChunk(source: x, target: { y + $0 * channels }, channels: channels, rows: range) { _, _, _, _ in }
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
    /// e^self, branch-free so that loops calling it vectorise (libm's `expf` is an opaque call per element).
    ///
    /// Splits self = n * ln 2 + r with |r| <= ln 2 / 2 (n by the 1.5 * 2^23 rounding trick), evaluates a
    /// degree-7 Taylor polynomial of e^r (relative error < 2e-7 on that interval) and scales by 2^n built in
    /// the exponent bits. Inputs are clamped to [-87, 88], where Float32 e^x is normal; softmax and
    /// cross-entropy only pass values <= 0.
    @inline(__always)
    func exp() -> Float {
        let x = Swift.min(Swift.max(self, -87), 88)
        let shifted = x * 1.442_695_04 + 12_582_912  // n + 1.5 * 2^23: n sits in the low mantissa bits
        let n = shifted - 12_582_912
        let r = (x - n * 0.693_145_75) - n * 1.428_606_8e-6  // ln 2 split so that n * 0.693_145_75 is exact
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        return p * Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) << 23)
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
