/// For one axis of a bilinear resize: the two source indices and the weight of the second, per output index.
struct BilinearAxis {
    var lower: [Int]
    var upper: [Int]
    var upperWeight: [Float]

    /// PyTorch's source-index rule (`area_pixel_compute_source_index`), in Float32 as PyTorch computes it.
    /// `alignCorners`: corner pixel centres map onto each other, `source = output * (in - 1) / (out - 1)`.
    /// Otherwise pixel areas align, `source = (output + 0.5) * in / out - 0.5`, clamped at 0.
    init(input: Int, output: Int, alignCorners: Bool) {
        lower = []; upper = []; upperWeight = []
        let scale: Float = alignCorners
            ? (output > 1 ? Float(input - 1) / Float(output - 1) : 0)
            : Float(input) / Float(output)
        for index in 0..<output {
            let source = alignCorners ? scale * Float(index) : max(scale * (Float(index) + 0.5) - 0.5, 0)
            let first = min(Int(source), input - 1)
            lower.append(first)
            upper.append(first < input - 1 ? first + 1 : first)
            upperWeight.append(source - Float(first))
        }
    }
}

/// The bilinear forward pass of `resizeBilinear` and of the inference plan's resize kernel: NHWC pixels at
/// `offset + pixel * stride` (a plan value may be a channel slice of a wider buffer), any element types.
@inline(__always)
func bilinearResize<S: PlanElement, D: PlanElement>(
    _: S.Type, _: D.Type,
    source x: UnsafeMutableRawPointer, sourceOffset: Int, sourceStride: Int,
    destination y: UnsafeMutableRawPointer, destinationOffset: Int, destinationStride: Int,
    batch: Int, inputHeight: Int, inputWidth: Int, rows: BilinearAxis, columns: BilinearAxis, channels: Int
) {
    let height = rows.lower.count, width = columns.lower.count
    parallelBlocks(batch * height, minimumBlock: max(1, 4096 / max(width * channels, 1))) { range in
        for outputRow in range {
            let n = outputRow / height, oy = outputRow % height
            let rowWeight = rows.upperWeight[oy]
            let top = (n * inputHeight + rows.lower[oy]) * inputWidth
            let bottom = (n * inputHeight + rows.upper[oy]) * inputWidth
            for ox in 0..<width {
                let columnWeight = columns.upperWeight[ox]
                let topLeft = sourceOffset + (top + columns.lower[ox]) * sourceStride
                let topRight = sourceOffset + (top + columns.upper[ox]) * sourceStride
                let bottomLeft = sourceOffset + (bottom + columns.lower[ox]) * sourceStride
                let bottomRight = sourceOffset + (bottom + columns.upper[ox]) * sourceStride
                let out = destinationOffset + (outputRow * width + ox) * destinationStride
                for c in 0..<channels {
                    let upperRow = (1 - columnWeight) * S.load(x, topLeft + c) + columnWeight * S.load(x, topRight + c)
                    let lowerRow = (1 - columnWeight) * S.load(x, bottomLeft + c) + columnWeight * S.load(x, bottomRight + c)
                    D.store(y, out + c, (1 - rowWeight) * upperRow + rowWeight * lowerRow)
                }
            }
        }
    }
}

/// Bilinear resize of an NHWC batch, PyTorch's `F.interpolate(mode="bilinear")` (default
/// `alignCorners: false`). Works for up- and down-scaling (down-scaling samples, it does not average).
/// - Parameters:
///   - input: `[N, H, W, C]`, H and W >= 1.
///   - height, width: the output size, >= 1.
///   - alignCorners: PyTorch's `align_corners`.
/// - Returns: `[N, height, width, C]`.
public func resizeBilinear(_ input: Tensor, height: Int, width: Int, alignCorners: Bool = false) -> Tensor {
    checkShapes(input.rank == 4 && input.shape[1] >= 1 && input.shape[2] >= 1 && height >= 1 && width >= 1,
                "resizeBilinear: input \(input.shape) must be non-empty [N, H, W, C], output \(height)x\(width) >= 1x1")
    let (batch, inputHeight, inputWidth, channels) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let rows = BilinearAxis(input: inputHeight, output: height, alignCorners: alignCorners)
    let columns = BilinearAxis(input: inputWidth, output: width, alignCorners: alignCorners)

    var output = Tensor(shape: [batch, height, width, channels]) { result in
        input.withUnsafeBufferPointer { source in
            bilinearResize(
                Float32Element.self, Float32Element.self,
                source: UnsafeMutableRawPointer(mutating: source.baseAddress!), sourceOffset: 0, sourceStride: channels,
                destination: UnsafeMutableRawPointer(result.baseAddress!), destinationOffset: 0, destinationStride: channels,
                batch: batch, inputHeight: inputHeight, inputWidth: inputWidth, rows: rows, columns: columns, channels: channels)
        }
    }
    let inputShape = input.shape
    output.recordOperation(inputs: [input]) { gradient in
        [Tensor(shape: inputShape, repeating: 0).updatingInPlace { result in
            gradient.withUnsafeBufferPointer { upstream in
                let g = upstream.baseAddress!, dx = result.baseAddress!
                // Output pixels of one image scatter into that image only, so images run in parallel.
                parallelBlocks(batch, minimumBlock: 1) { images in
                    for n in images {
                        for oy in 0..<height {
                            let rowWeight = rows.upperWeight[oy]
                            let top = (n * inputHeight + rows.lower[oy]) * inputWidth
                            let bottom = (n * inputHeight + rows.upper[oy]) * inputWidth
                            for ox in 0..<width {
                                let columnWeight = columns.upperWeight[ox]
                                let upstreamPixel = g + ((n * height + oy) * width + ox) * channels
                                let corners = [(top + columns.lower[ox], (1 - rowWeight) * (1 - columnWeight)),
                                               (top + columns.upper[ox], (1 - rowWeight) * columnWeight),
                                               (bottom + columns.lower[ox], rowWeight * (1 - columnWeight)),
                                               (bottom + columns.upper[ox], rowWeight * columnWeight)]
                                for (pixel, weight) in corners {
                                    let target = dx + pixel * channels
                                    for c in 0..<channels { target[c] += weight * upstreamPixel[c] }
                                }
                            }
                        }
                    }
                }
            }
        }]
    }
    return output
}
