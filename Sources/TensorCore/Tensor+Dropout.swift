/// Channel dropout (PyTorch's `Dropout2d`): zeroes whole channels of each sample with probability
/// `probability` and scales the kept ones by `1 / (1 - probability)`, so the expectation is unchanged.
///
/// Call it in training only; evaluation skips it. Draws one `nextUniform()` per (sample, channel), samples
/// outer, from `generator`, so a seeded generator gives the same mask every run. Differentiable in `input`
/// (the gradient is masked and scaled the same way).
/// - Parameters:
///   - input: `[N, H, W, C]`.
///   - probability: in [0, 1]; 1 zeroes everything.
/// - Returns: `[N, H, W, C]`.
public func dropout2d(_ input: Tensor, probability: Float, generator: inout RandomGenerator) -> Tensor {
    checkShapes(input.rank == 4 && probability >= 0 && probability <= 1,
                "dropout2d: input \(input.shape) must be [N, H, W, C] and probability \(probability) in [0, 1]")
    let (batch, channels) = (input.shape[0], input.shape[3])
    let pixelsPerSample = input.shape[1] * input.shape[2]
    let keptScale: Float = probability < 1 ? 1 / (1 - probability) : 0
    var mask = [Float](repeating: 0, count: batch * channels)
    for index in mask.indices { mask[index] = generator.nextUniform() < probability ? 0 : keptScale }

    func applyMask(_ tensor: Tensor) -> Tensor {
        Tensor(shape: tensor.shape) { result in
            tensor.withUnsafeBufferPointer { source in
                mask.withUnsafeBufferPointer { maskBuffer in
                    let x = source.baseAddress!, y = result.baseAddress!, m = maskBuffer.baseAddress!
                    parallelBlocks(batch * pixelsPerSample, minimumBlock: max(1, 32768 / max(channels, 1))) { range in
                        for pixel in range {
                            let source = x + pixel * channels, target = y + pixel * channels
                            let sampleMask = m + (pixel / max(pixelsPerSample, 1)) * channels
                            for c in 0..<channels { target[c] = source[c] * sampleMask[c] }
                        }
                    }
                }
            }
        }
    }
    var output = applyMask(input)
    output.recordOperation(inputs: [input]) { gradient in [applyMask(gradient)] }
    return output
}
