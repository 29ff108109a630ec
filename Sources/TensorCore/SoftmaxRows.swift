/// The softmax kernel shared by `softmax` and `crossEntropy`, arranged so the exponentials vectorise.
///
/// Segmentation logits have few channels per pixel, so a per-row loop that exponentiates and sums at once
/// stays scalar (a Float sum cannot be reordered). Here a chunk of rows goes through four simple passes:
/// row maxima, `x - max` written to the target, one flat loop of `Float.exp()` over the whole chunk (which
/// LLVM vectorises), then row sums and normalisation.
enum SoftmaxRows {
    /// Rows per chunk: small enough for the chunk to stay in L1/L2 between passes.
    static let chunk = 128

    /// Writes softmax(source row) into each target row of rows `0..<count` (`channels` Floats each), and each
    /// row's max and sum of e^(x - max) into `maxima` and `sums` (`count` Floats each).
    @inline(__always)
    static func compute(source: UnsafePointer<Float>, target: UnsafeMutablePointer<Float>, channels: Int, count: Int,
                        maxima: UnsafeMutablePointer<Float>, sums: UnsafeMutablePointer<Float>) {
        for row in 0..<count {
            let input = source + row * channels
            var largest = -Float.infinity
            for c in 0..<channels { largest = max(largest, input[c]) }
            maxima[row] = largest
        }
        for row in 0..<count {
            let input = source + row * channels, output = target + row * channels
            let largest = maxima[row]
            for c in 0..<channels { output[c] = input[c] - largest }
        }
        for index in 0..<count * channels { target[index] = target[index].exp() }
        for row in 0..<count {
            let output = target + row * channels
            var total: Float = 0
            for c in 0..<channels { total += output[c] }
            sums[row] = total
            let scale = 1 / total
            for c in 0..<channels { output[c] *= scale }
        }
    }

    /// Runs `compute` over rows `range` in chunks, with scratch for the maxima and sums, calling
    /// `chunkDone(firstRow, rowCount, maxima, sums)` after each chunk.
    @inline(__always)
    static func forEachChunk(source: UnsafePointer<Float>, target: (Int) -> UnsafeMutablePointer<Float>, channels: Int,
                             rows range: Range<Int>,
                             chunkDone: (Int, Int, UnsafePointer<Float>, UnsafePointer<Float>) -> Void) {
        let statistics = UnsafeMutablePointer<Float>.allocate(capacity: 2 * chunk)
        defer { statistics.deallocate() }
        var start = range.lowerBound
        while start < range.upperBound {
            let count = min(chunk, range.upperBound - start)
            compute(source: source + start * channels, target: target(start), channels: channels, count: count,
                    maxima: statistics, sums: statistics + chunk)
            chunkDone(start, count, statistics, statistics + chunk)
            start += count
        }
    }
}
