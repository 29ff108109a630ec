import XCTest
import TensorCore

/// The parallel paths (several row blocks) must compute what the single-block path computes.
final class ThreadingTests: XCTestCase {
    private func withThreads<R>(_ count: Int, _ body: () -> R) -> R {
        let saved = TensorEngine.threadCount
        TensorEngine.threadCount = count
        defer { TensorEngine.threadCount = saved }
        return body()
    }

    func testOpsAgreeAcrossThreadCounts() {
        var values = TestValues(seed: 71)
        let x = values.tensor([2, 63, 47, 16], scale: 2)
        var labelValues = [Float](repeating: 0, count: 2 * 63 * 47)
        for index in labelValues.indices { labelValues[index] = index % 17 == 0 ? 255 : Float(index % 16) }
        let labels = Tensor(shape: [2, 63, 47], scalars: labelValues)
        let gamma = values.tensor([16]), beta = values.tensor([16])
        func run() -> [Tensor] {
            let leaf = x.requiringGradient()
            var mean = Tensor(shape: [16]), variance = Tensor(shape: [16], repeating: 1)
            let normalised = batchNorm(leaf, weight: gamma, bias: beta, runningMean: &mean, runningVariance: &variance, training: true)
            let activated = relu(normalised) * 1.5 + leaf
            let pooled = maxPool2d(activated, kernelSize: 3, stride: 2, padding: 1)
            let resized = resizeBilinear(pooled, height: 63, width: 47)
            let loss = crossEntropy(logits: resized, labels: labels, ignoreIndex: 255)
            loss.backward()
            return [normalised, activated, pooled, resized, softmax(resized), loss, leaf.gradient!, mean, variance]
        }
        let single = withThreads(1) { run() }
        let parallel = withThreads(3) { run() }
        for (index, (one, many)) in zip(single, parallel).enumerated() {
            assertClose(many, one, tolerance: 1e-5, "result \(index)")
        }
    }
}
