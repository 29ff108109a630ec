/// Mean cross-entropy of per-pixel class logits against integer labels, PyTorch's
/// `F.cross_entropy(logits, labels, weight: classWeights, ignore_index: ignoreIndex)`.
///
/// The loss is `sum_i w[y_i] * -log softmax(x_i)[y_i] / sum_i w[y_i]` over pixels i whose label is not
/// `ignoreIndex` (w = 1 without class weights). If no pixel counts, the loss is 0 with a zero gradient
/// (PyTorch gives NaN), so a tile that is all nodata does not poison training. Differentiable in `logits`.
/// - Parameters:
///   - logits: `[N, H, W, C]`.
///   - labels: `[N, H, W]`, integral class indices in `0..<C` or `ignoreIndex`, stored as Float32.
///   - classWeights: `[C]`, or nil.
/// - Returns: a rank-0 tensor.
public func crossEntropy(logits: Tensor, labels: Tensor, ignoreIndex: Int = -100, classWeights: Tensor? = nil) -> Tensor {
    checkShapes(logits.rank == 4 && labels.shape == Array(logits.shape.prefix(3)) && logits.shape[3] >= 1,
                "crossEntropy: logits \(logits.shape) must be [N, H, W, C] and labels \(labels.shape) [N, H, W]")
    let classes = logits.shape[3]
    checkShapes(classWeights == nil || classWeights!.shape == [classes],
                "crossEntropy: class weights \(classWeights?.shape ?? []) must be [\(classes)] for logits \(logits.shape)")
    let pixels = labels.count
    let weights = classWeights?.scalars ?? [Float](repeating: 1, count: classes)

    // Class per pixel (-1 when ignored), validated once.
    let targets: [Int32] = labels.withUnsafeBufferPointer { buffer in
        buffer.map { value -> Int32 in
            checkShapes(value.isFinite && abs(value) < 1e9, "crossEntropy: label \(value) is not a class index")
            let label = Int(value)
            if label == ignoreIndex && Float(label) == value { return -1 }
            checkShapes(Float(label) == value && label >= 0 && label < classes,
                        "crossEntropy: label \(value) is neither a class in 0..<\(classes) nor the ignore index \(ignoreIndex)")
            return Int32(label)
        }
    }

    let sums = logits.withUnsafeBufferPointer { source in
        targets.withUnsafeBufferPointer { targetBuffer in
            weights.withUnsafeBufferPointer { weightBuffer in
                let x = source.baseAddress!, target = targetBuffer.baseAddress!, w = weightBuffer.baseAddress!
                return softmaxLossSums(logits: x, pixels: pixels, classes: classes) { first, count, maxima, expSums, total in
                    for offset in 0..<count where target[first + offset] >= 0 {
                        let pixel = first + offset, label = Int(target[pixel])
                        let negativeLogLikelihood = maxima[offset] + expSums[offset].log() - x[pixel * classes + label]
                        total[0] += Double(w[label]) * Double(negativeLogLikelihood)
                        total[1] += Double(w[label])
                    }
                }
            }
        }
    }
    let weightTotal = sums[1]
    var loss = Tensor(weightTotal > 0 ? Float(sums[0] / weightTotal) : 0)
    let savedLogits = logits.detached()
    loss.recordOperation(inputs: [logits]) { gradient in
        // d loss / d x_i = w[y_i] / W * (softmax(x_i) - onehot(y_i)), zero for ignored pixels.
        let scale = weightTotal > 0 ? gradient.scalar / Float(weightTotal) : 0
        return [targets.withUnsafeBufferPointer { targetBuffer in
            weights.withUnsafeBufferPointer { weightBuffer in
                let target = targetBuffer.baseAddress!, w = weightBuffer.baseAddress!
                return softmaxLossGradient(savedLogits) { range, dx in
                    for pixel in range {
                        let out = dx + pixel * classes
                        guard target[pixel] >= 0 else {
                            for c in 0..<classes { out[c] = 0 }
                            continue
                        }
                        let label = Int(target[pixel])
                        let pixelScale = scale * w[label]
                        for c in 0..<classes { out[c] *= pixelScale }
                        out[label] -= pixelScale
                    }
                }
            }
        }]
    }
    return loss
}

/// Mean cross-entropy of per-pixel class logits against soft targets (class probabilities, e.g. a
/// teacher model's), PyTorch's `-(targets * log_softmax(logits)).sum(-1)` averaged over the pixels that
/// have a target.
///
/// A pixel whose targets are all 0 has no target and does not count; if none counts, the loss is 0 with a
/// zero gradient. Targets need not sum to 1 (the gradient is `softmax(x) * sum(t) - t` per pixel).
/// Differentiable in `logits`.
/// - Parameters:
///   - logits: `[N, H, W, C]`.
///   - targets: `[N, H, W, C]`, non-negative.
/// - Returns: a rank-0 tensor.
public func softCrossEntropy(logits: Tensor, targets: Tensor) -> Tensor {
    checkShapes(logits.rank == 4 && targets.shape == logits.shape && logits.shape[3] >= 1,
                "softCrossEntropy: logits \(logits.shape) must be [N, H, W, C] and targets \(targets.shape) the same")
    let classes = logits.shape[3], pixels = logits.count / classes
    let savedTargets = targets.detached()
    let sums = logits.withUnsafeBufferPointer { source in
        savedTargets.withUnsafeBufferPointer { targetBuffer in
            let x = source.baseAddress!, t = targetBuffer.baseAddress!
            return softmaxLossSums(logits: x, pixels: pixels, classes: classes) { first, count, maxima, expSums, total in
                for offset in 0..<count {
                    let pixel = first + offset, row = t + pixel * classes, logits = x + pixel * classes
                    var mass: Float = 0
                    for c in 0..<classes { mass += row[c] }
                    guard mass > 0 else { continue }
                    // -sum_c t_c (x_c - max - log sum) = mass (max + log sum) - sum_c t_c x_c
                    var dot: Float = 0
                    for c in 0..<classes { dot += row[c] * logits[c] }
                    total[0] += Double(mass * (maxima[offset] + expSums[offset].log()) - dot)
                    total[1] += 1
                }
            }
        }
    }
    let counted = sums[1]
    var loss = Tensor(counted > 0 ? Float(sums[0] / counted) : 0)
    let savedLogits = logits.detached()
    loss.recordOperation(inputs: [logits]) { gradient in
        let scale = counted > 0 ? gradient.scalar / Float(counted) : 0
        return [savedTargets.withUnsafeBufferPointer { targetBuffer in
            let t = targetBuffer.baseAddress!
            return softmaxLossGradient(savedLogits) { range, dx in
                for pixel in range {
                    let out = dx + pixel * classes, row = t + pixel * classes
                    var mass: Float = 0
                    for c in 0..<classes { mass += row[c] }
                    for c in 0..<classes { out[c] = scale * (out[c] * mass - row[c]) }
                }
            }
        }]
    }
    return loss
}

/// The two sums a softmax loss averages (its total and what it is averaged over), over `pixels` rows of
/// `classes` logits in parallel: `accumulate` gets each chunk of rows (first row, row count, the rows'
/// maxima and sums of exp(x - max)) and adds into `total[0]` and `total[1]`.
private func softmaxLossSums(logits x: UnsafePointer<Float>, pixels: Int, classes: Int,
                             accumulate: (Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
    parallelChannelSums(rows: pixels, channels: 1, quantities: 2, minimumRows: max(1, 16384 / classes)) { range, total in
        // Probabilities land in a per-block scratch; the losses need only each row's max and sum.
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: SoftmaxRows.chunk * classes)
        defer { scratch.deallocate() }
        SoftmaxRows.forEachChunk(source: x, target: { _ in scratch }, channels: classes, rows: range) { first, count, maxima, expSums in
            accumulate(first, count, maxima, expSums, total)
        }
    }
}

/// The gradient of a softmax loss with respect to `logits` `[N, H, W, C]`: each block of pixels (in
/// parallel) first gets softmax(x) written into the gradient `dx`, which `adjust` then turns into the
/// gradient of those pixels in place.
private func softmaxLossGradient(_ logits: Tensor, adjust: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let classes = logits.shape[3], pixels = logits.count / classes
    return Tensor(shape: logits.shape) { result in
        logits.withUnsafeBufferPointer { source in
            let x = source.baseAddress!, dx = result.baseAddress!
            parallelBlocks(pixels, minimumBlock: max(1, 16384 / classes)) { range in
                SoftmaxRows.forEachChunk(source: x, target: { dx + $0 * classes }, channels: classes, rows: range) { _, _, _, _ in }
                adjust(range, dx)
            }
        }
    }
}

/// The index of the largest channel of each pixel (the predicted class); the first one among ties, as
/// PyTorch's `argmax`. Not differentiable.
/// - Parameter input: `[N, H, W, C]`, C >= 1.
/// - Returns: `[N, H, W]`, class indices as Float32.
public func argmaxChannels(_ input: Tensor) -> Tensor {
    checkShapes(input.rank == 4 && input.shape[3] >= 1, "argmaxChannels: input \(input.shape) must be [N, H, W, C] with C >= 1")
    let channels = input.shape[3]
    let pixels = input.count / channels
    return Tensor(shape: Array(input.shape.prefix(3))) { result in
        input.withUnsafeBufferPointer { source in
            let x = source.baseAddress!, y = result.baseAddress!
            parallelBlocks(pixels, minimumBlock: max(1, 32768 / channels)) { range in
                for pixel in range {
                    let row = x + pixel * channels
                    var best = 0
                    for c in 1..<max(channels, 1) where row[c] > row[best] { best = c }
                    y[pixel] = Float(best)
                }
            }
        }
    }
}
