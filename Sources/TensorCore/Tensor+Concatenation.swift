/// Concatenates NHWC tensors along the channel axis (PSPNet joins its pyramid branches this way).
/// - Parameter tensors: each `[N, H, W, Ci]`, equal N, H, W; at least one.
/// - Returns: `[N, H, W, sum of Ci]`, channels in argument order.
public func concatenateChannels(_ tensors: [Tensor]) -> Tensor {
    checkShapes(!tensors.isEmpty && tensors.allSatisfy { $0.rank == 4 && $0.shape.prefix(3) == tensors[0].shape.prefix(3) },
                "concatenateChannels: need [N, H, W, C] tensors with equal N, H, W, got \(tensors.map(\.shape))")
    let pixels = tensors[0].count / max(tensors[0].shape[3], 1)
    let widths = tensors.map { $0.shape[3] }
    let total = widths.reduce(0, +)
    var offsets = [0]
    for width in widths { offsets.append(offsets.last! + width) }
    let outputShape = Array(tensors[0].shape.prefix(3)) + [total]
    var output = Tensor(shape: outputShape) { result in
        let target = result.baseAddress!
        for (part, tensor) in tensors.enumerated() {
            let width = widths[part], offset = offsets[part]
            tensor.withUnsafeBufferPointer { buffer in
                guard let source = buffer.baseAddress, width > 0 else { return }
                parallelBlocks(pixels, minimumBlock: max(1, 32768 / width)) { range in
                    for pixel in range {
                        (target + pixel * total + offset).update(from: source + pixel * width, count: width)
                    }
                }
            }
        }
    }
    output.recordOperation(inputs: tensors) { gradient in
        gradient.withUnsafeBufferPointer { upstream in
            let source = upstream.baseAddress!
            return widths.indices.map { part -> Tensor? in
                let width = widths[part], offset = offsets[part]
                return Tensor(shape: Array(outputShape.prefix(3)) + [width]) { result in
                    guard let target = result.baseAddress, width > 0 else { return }
                    parallelBlocks(pixels, minimumBlock: max(1, 32768 / width)) { range in
                        for pixel in range {
                            (target + pixel * width).update(from: source + pixel * total + offset, count: width)
                        }
                    }
                }
            }
        }
    }
    return output
}
