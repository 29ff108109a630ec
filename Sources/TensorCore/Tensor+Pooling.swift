/// Max pooling over square windows of an NHWC batch (the ResNet stem uses kernel 3, stride 2, padding 1).
///
/// Padding counts as -infinity, so it never wins; among equal maxima the first in row-major window order
/// wins, as in PyTorch. The gradient flows to the winning input element of each window (summed where
/// windows overlap).
/// - Parameters:
///   - input: `[N, H, W, C]`.
///   - kernelSize: window side (>= 1); stride: step (>= 1); padding: 0 ... kernelSize / 2, as PyTorch allows.
/// - Returns: `[N, OH, OW, C]`, `OH = (H + 2 * padding - kernelSize) / stride + 1` (rounded down).
public func maxPool2d(_ input: Tensor, kernelSize: Int, stride: Int, padding: Int = 0) -> Tensor {
    checkShapes(input.rank == 4 && kernelSize >= 1 && stride >= 1 && padding >= 0 && padding <= kernelSize / 2,
                "maxPool2d: input \(input.shape) must be [N, H, W, C], kernel \(kernelSize) and stride \(stride) >= 1, padding \(padding) in 0...kernel/2")
    let (batch, height, width, channels) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let outputHeight = (height + 2 * padding - kernelSize) / stride + 1
    let outputWidth = (width + 2 * padding - kernelSize) / stride + 1
    checkShapes(outputHeight >= 1 && outputWidth >= 1,
                "maxPool2d: input \(input.shape) is smaller than the \(kernelSize)x\(kernelSize) window with padding \(padding)")
    checkShapes(input.count < Int(Int32.max), "maxPool2d: input \(input.shape) has too many elements for 32-bit indices")

    // The winners' flat input indices, for backward; inference skips them.
    let recordsWinners = Tensor.isRecording && input.requiresGradient
    var winners = [Int32](repeating: 0, count: recordsWinners ? batch * outputHeight * outputWidth * channels : 0)
    var output = Tensor(shape: [batch, outputHeight, outputWidth, channels]) { result in
        input.withUnsafeBufferPointer { source in
            winners.withUnsafeMutableBufferPointer { winnerBuffer in
                let x = source.baseAddress!, y = result.baseAddress!, winner = winnerBuffer.baseAddress
                parallelBlocks(batch * outputHeight, minimumBlock: max(1, 8192 / max(outputWidth * channels * kernelSize * kernelSize, 1))) { range in
                    for outputRow in range {
                        let n = outputRow / outputHeight, oy = outputRow % outputHeight
                        for ox in 0..<outputWidth {
                            let out = ((n * outputHeight + oy) * outputWidth + ox) * channels
                            // padding <= kernel / 2 puts the window's first in-bounds tap at (top, left).
                            let top = max(oy * stride - padding, 0), left = max(ox * stride - padding, 0)
                            let firstBase = ((n * height + top) * width + left) * channels
                            let best = y + out, first = x + firstBase
                            for c in 0..<channels { best[c] = first[c] }
                            if recordsWinners {
                                let winnerIndex = winner! + out
                                for c in 0..<channels { winnerIndex[c] = Int32(truncatingIfNeeded: firstBase &+ c) }
                            }
                            for iy in top..<min(oy * stride - padding + kernelSize, height) {
                                for ix in left..<min(ox * stride - padding + kernelSize, width) {
                                    let inputBase = ((n * height + iy) * width + ix) * channels
                                    let tap = x + inputBase
                                    // Branch-free selects so the channel loops vectorise; strict > keeps the first maximum.
                                    if recordsWinners {
                                        let winnerIndex = winner! + out
                                        let base = Int32(truncatingIfNeeded: inputBase)
                                        for c in 0..<channels {
                                            let better = tap[c] > best[c]
                                            winnerIndex[c] = better ? base &+ Int32(truncatingIfNeeded: c) : winnerIndex[c]
                                            best[c] = better ? tap[c] : best[c]
                                        }
                                    } else {
                                        for c in 0..<channels { best[c] = tap[c] > best[c] ? tap[c] : best[c] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    let inputShape = input.shape
    let perImage = outputHeight * outputWidth * channels
    output.recordOperation(inputs: [input]) { gradient in
        [Tensor(shape: inputShape, repeating: 0).updatingInPlace { result in
            gradient.withUnsafeBufferPointer { upstream in
                winners.withUnsafeBufferPointer { winnerBuffer in
                    let g = upstream.baseAddress!, winner = winnerBuffer.baseAddress!, dx = result.baseAddress!
                    // Windows overlap only within one image, so images scatter in parallel.
                    parallelBlocks(batch, minimumBlock: 1) { images in
                        for index in images.lowerBound * perImage..<images.upperBound * perImage {
                            dx[Int(winner[index])] += g[index]
                        }
                    }
                }
            }
        }]
    }
    return output
}

/// Adaptive average pooling to an `outputHeight x outputWidth` grid with PyTorch's bin edges: output row i
/// averages input rows `floor(i * H / outputHeight) ..< ceil((i + 1) * H / outputHeight)` (likewise for
/// columns). Bins overlap when the sizes do not divide; an output larger than the input repeats pixels.
/// - Parameters:
///   - input: `[N, H, W, C]`.
///   - outputHeight, outputWidth: >= 1.
/// - Returns: `[N, outputHeight, outputWidth, C]`.
public func adaptiveAveragePool2d(_ input: Tensor, outputHeight: Int, outputWidth: Int) -> Tensor {
    checkShapes(input.rank == 4 && outputHeight >= 1 && outputWidth >= 1 && input.shape[1] >= 1 && input.shape[2] >= 1,
                "adaptiveAveragePool2d: input \(input.shape) must be non-empty [N, H, W, C], output \(outputHeight)x\(outputWidth) >= 1x1")
    let (batch, height, width, channels) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let rowBins = (0..<outputHeight).map { ($0 * height / outputHeight)..<(($0 + 1) * height + outputHeight - 1) / outputHeight }
    let columnBins = (0..<outputWidth).map { ($0 * width / outputWidth)..<(($0 + 1) * width + outputWidth - 1) / outputWidth }

    var output = Tensor(shape: [batch, outputHeight, outputWidth, channels]) { result in
        input.withUnsafeBufferPointer { source in
            let x = source.baseAddress!, y = result.baseAddress!
            parallelBlocks(batch * outputHeight, minimumBlock: 1) { range in
                for outputRow in range {
                    let n = outputRow / outputHeight, rows = rowBins[outputRow % outputHeight]
                    for (ox, columns) in columnBins.enumerated() {
                        let target = y + (outputRow * outputWidth + ox) * channels
                        for c in 0..<channels { target[c] = 0 }
                        for iy in rows {
                            for ix in columns {
                                let source = x + ((n * height + iy) * width + ix) * channels
                                for c in 0..<channels { target[c] += source[c] }
                            }
                        }
                        let scale = 1 / Float(rows.count * columns.count)
                        for c in 0..<channels { target[c] *= scale }
                    }
                }
            }
        }
    }
    let inputShape = input.shape
    output.recordOperation(inputs: [input]) { gradient in
        [Tensor(shape: inputShape, repeating: 0).updatingInPlace { result in
            gradient.withUnsafeBufferPointer { upstream in
                let g = upstream.baseAddress!, dx = result.baseAddress!
                parallelBlocks(batch, minimumBlock: 1) { images in
                    for n in images {
                        for (oy, rows) in rowBins.enumerated() {
                            for (ox, columns) in columnBins.enumerated() {
                                let upstreamPixel = g + ((n * outputHeight + oy) * outputWidth + ox) * channels
                                let scale = 1 / Float(rows.count * columns.count)
                                for iy in rows {
                                    for ix in columns {
                                        let target = dx + ((n * height + iy) * width + ix) * channels
                                        for c in 0..<channels { target[c] += upstreamPixel[c] * scale }
                                    }
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

/// Adaptive average pooling to a square `outputSize x outputSize` grid (PSPNet's pyramid bins 1, 2, 3, 6).
/// - Parameter input: `[N, H, W, C]`.
/// - Returns: `[N, outputSize, outputSize, C]`.
public func adaptiveAveragePool2d(_ input: Tensor, outputSize: Int) -> Tensor {
    adaptiveAveragePool2d(input, outputHeight: outputSize, outputWidth: outputSize)
}

extension Tensor {
    /// This tensor after `body` wrote into its (uniquely owned) scalars; a helper for building gradients.
    func updatingInPlace(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        var copy = self
        copy.withUnsafeMutableBufferPointer(body)
        return copy
    }
}
