/// Batch normalisation over the channels of an NHWC batch (PyTorch's `BatchNorm2d`).
///
/// Training (`training: true`): normalises with the batch mean and the biased batch variance, then updates
/// the running statistics in place, `running = (1 - momentum) * running + momentum * batch`, using the
/// unbiased variance for `runningVariance`. Needs more than one value per channel (N*H*W > 1).
/// Evaluation: normalises with the running statistics and leaves them unchanged.
/// Differentiable in `input`, `weight` and `bias`; the running statistics are buffers, not parameters.
/// - Parameters:
///   - input: `[N, H, W, C]`.
///   - weight, bias: `[C]` (gamma and beta).
///   - runningMean, runningVariance: `[C]`.
/// - Returns: `[N, H, W, C]`.
public func batchNorm(_ input: Tensor, weight: Tensor, bias: Tensor,
                      runningMean: inout Tensor, runningVariance: inout Tensor,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
    checkShapes(input.rank == 4, "batchNorm: input \(input.shape) must be [N, H, W, C]")
    let channels = input.shape[3]
    checkShapes(weight.shape == [channels] && bias.shape == [channels]
                && runningMean.shape == [channels] && runningVariance.shape == [channels],
                "batchNorm: input \(input.shape) needs weight \(weight.shape), bias \(bias.shape), running mean \(runningMean.shape) and running variance \(runningVariance.shape) all [\(channels)]")
    let rows = input.count / max(channels, 1)
    checkShapes(!training || rows > 1, "batchNorm: training needs more than one value per channel, input is \(input.shape)")

    // Per-channel mean and 1/sqrt(variance + epsilon) used for this call.
    var mean = [Float](repeating: 0, count: channels)
    var inverseDeviation = [Float](repeating: 0, count: channels)
    if training {
        // One pass for sum and sum of squares. In Double, E[x^2] - E[x]^2 has a variance error of about
        // 1e-16 * mean^2 / variance, below Float32 rounding until |mean| / deviation passes 3e4.
        let sums = input.withUnsafeBufferPointer { source in
            let x = source.baseAddress!
            return parallelChannelSums(rows: rows, channels: channels, quantities: 2, minimumRows: 256) { range, total in
                let sum = total, sumOfSquares = total + channels
                for row in range {
                    let pixel = x + row * channels
                    for c in 0..<channels {
                        let value = Double(pixel[c])
                        sum[c] += value
                        sumOfSquares[c] += value * value
                    }
                }
            }
        }
        let batchMean = (0..<channels).map { sums[$0] / Double(rows) }
        let biasedVariance = (0..<channels).map { max(sums[channels + $0] / Double(rows) - batchMean[$0] * batchMean[$0], 0) }
        let unbiasFactor = Double(rows) / Double(rows - 1)
        runningMean.withUnsafeMutableBufferPointer { running in
            for c in 0..<channels { running[c] = (1 - momentum) * running[c] + momentum * Float(batchMean[c]) }
        }
        runningVariance.withUnsafeMutableBufferPointer { running in
            for c in 0..<channels {
                running[c] = (1 - momentum) * running[c] + momentum * Float(biasedVariance[c] * unbiasFactor)
            }
        }
        for c in 0..<channels {
            mean[c] = Float(batchMean[c])
            inverseDeviation[c] = Float(1 / (biasedVariance[c] + Double(epsilon)).squareRoot())
        }
    } else {
        for c in 0..<channels {
            mean[c] = runningMean[flat: c]
            inverseDeviation[c] = 1 / (runningVariance[flat: c] + epsilon).squareRoot()
        }
    }

    // y = x * scale + shift, scale = gamma / sigma, shift = beta - mean * scale.
    let scale = (0..<channels).map { weight[flat: $0] * inverseDeviation[$0] }
    let shift = (0..<channels).map { bias[flat: $0] - mean[$0] * scale[$0] }
    var output = Tensor(shape: input.shape) { result in
        input.withUnsafeBufferPointer { source in
            scale.withUnsafeBufferPointer { scaleBuffer in
                shift.withUnsafeBufferPointer { shiftBuffer in
                    let x = source.baseAddress!, y = result.baseAddress!
                    let a = scaleBuffer.baseAddress!, b = shiftBuffer.baseAddress!
                    parallelBlocks(rows, minimumBlock: max(1, 32768 / max(channels, 1))) { range in
                        for row in range {
                            let source = x + row * channels, target = y + row * channels
                            for c in 0..<channels { target[c] = source[c] * a[c] + b[c] }
                        }
                    }
                }
            }
        }
    }

    let savedInput = input.detached()
    output.recordOperation(inputs: [input, weight, bias]) { gradient in
        // Per channel: S1 = sum(dy), S2 = sum(dy * (x - mean)).
        let sums = savedInput.withUnsafeBufferPointer { source in
            gradient.withUnsafeBufferPointer { upstream in
                mean.withUnsafeBufferPointer { meanBuffer in
                    let x = source.baseAddress!, g = upstream.baseAddress!, mu = meanBuffer.baseAddress!
                    return parallelChannelSums(rows: rows, channels: channels, quantities: 2, minimumRows: 256) { range, total in
                        let sumOfGradients = total, sumOfProducts = total + channels
                        for row in range {
                            let pixel = x + row * channels, upstreamPixel = g + row * channels
                            for c in 0..<channels {
                                let dy = Double(upstreamPixel[c])
                                sumOfGradients[c] += dy
                                sumOfProducts[c] += dy * (Double(pixel[c]) - Double(mu[c]))
                            }
                        }
                    }
                }
            }
        }
        let biasGradient = Tensor(shape: [channels], scalars: (0..<channels).map { Float(sums[$0]) })
        let weightGradient = Tensor(shape: [channels],
                                    scalars: (0..<channels).map { Float(sums[channels + $0]) * inverseDeviation[$0] })
        // Training: dx = scale * (dy - S1 / M - (x - mean) * sigma^-2 * S2 / M). Evaluation: dx = scale * dy.
        var centredFactor = [Float](repeating: 0, count: channels)
        var constant = [Float](repeating: 0, count: channels)
        if training {
            for c in 0..<channels {
                let k3 = scale[c] * inverseDeviation[c] * inverseDeviation[c] * Float(sums[channels + c] / Double(rows))
                let k2 = scale[c] * Float(sums[c] / Double(rows))
                centredFactor[c] = k3
                constant[c] = k3 * mean[c] - k2
            }
        }
        let inputGradient = Tensor(shape: savedInput.shape) { result in
            savedInput.withUnsafeBufferPointer { source in
                gradient.withUnsafeBufferPointer { upstream in
                    scale.withUnsafeBufferPointer { scaleBuffer in
                        centredFactor.withUnsafeBufferPointer { factorBuffer in
                            constant.withUnsafeBufferPointer { constantBuffer in
                                let x = source.baseAddress!, g = upstream.baseAddress!, dx = result.baseAddress!
                                let a = scaleBuffer.baseAddress!, k = factorBuffer.baseAddress!, d = constantBuffer.baseAddress!
                                parallelBlocks(rows, minimumBlock: max(1, 32768 / max(channels, 1))) { range in
                                    for row in range {
                                        let pixel = x + row * channels, upstreamPixel = g + row * channels
                                        let target = dx + row * channels
                                        for c in 0..<channels { target[c] = a[c] * upstreamPixel[c] - k[c] * pixel[c] + d[c] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [inputGradient, weightGradient, biasGradient]
    }
    return output
}
