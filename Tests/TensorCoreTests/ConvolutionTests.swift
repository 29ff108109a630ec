import XCTest
import TensorCore

final class ConvolutionTests: XCTestCase {
    /// Direct convolution in plain loops, the reference for oneDNN's forward result.
    private func naiveConvolution(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?,
                                  stride: Int, padding: Int, dilation: Int) -> Tensor {
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let oh = (h + 2 * padding - dilation * (kh - 1) - 1) / stride + 1
        let ow = (w + 2 * padding - dilation * (kw - 1) - 1) / stride + 1
        var result = [Float](repeating: 0, count: n * oh * ow * o)
        for b in 0..<n { for y in 0..<oh { for x in 0..<ow { for f in 0..<o {
            var total = bias.map { $0[flat: f] } ?? 0
            for i in 0..<kh { for j in 0..<kw {
                let sy = y * stride - padding + i * dilation, sx = x * stride - padding + j * dilation
                guard sy >= 0, sy < h, sx >= 0, sx < w else { continue }
                for k in 0..<c {
                    total += input[flat: ((b * h + sy) * w + sx) * c + k] * weight[flat: ((f * c + k) * kh + i) * kw + j]
                }
            } }
            result[((b * oh + y) * ow + x) * o + f] = total
        } } } }
        return Tensor(shape: [n, oh, ow, o], scalars: result)
    }

    func testForwardMatchesDirectConvolution() {
        var values = TestValues(seed: 1)
        for (stride, padding, dilation, useBias) in [(1, 1, 1, true), (2, 1, 1, false), (1, 2, 2, true),
                                                      (2, 0, 1, true), (1, 4, 4, false), (2, 2, 2, true)] {
            let input = values.tensor([2, 9, 11, 5])
            let weight = values.tensor([7, 5, 3, 3])
            let bias = useBias ? values.tensor([7]) : nil
            let output = conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
            let expected = naiveConvolution(input, weight, bias, stride: stride, padding: padding, dilation: dilation)
            assertClose(output, expected, tolerance: 1e-4, "stride \(stride) padding \(padding) dilation \(dilation)")
        }
    }

    func testOneByOneStrideTwoAndSevenBySevenStem() {
        var values = TestValues(seed: 2)
        let input = values.tensor([1, 16, 15, 6])
        let stem = values.tensor([4, 6, 7, 7])
        assertClose(conv2d(input, weight: stem, stride: 2, padding: 3),
                    naiveConvolution(input, stem, nil, stride: 2, padding: 3, dilation: 1), "7x7 stem")
        let projection = values.tensor([3, 6, 1, 1])
        assertClose(conv2d(input, weight: projection, stride: 2),
                    naiveConvolution(input, projection, nil, stride: 2, padding: 0, dilation: 1), "1x1 stride 2")
    }

    func testGradients() {
        var values = TestValues(seed: 3)
        for (stride, padding, dilation, useBias) in [(1, 1, 1, true), (2, 1, 1, false), (1, 2, 2, true),
                                                      (1, 0, 1, false), (2, 4, 4, true), (1, 4, 4, false)] {
            let input = values.tensor([2, 7, 6, 3])
            let weight = values.tensor([4, 3, 3, 3])
            var inputs = [input, weight]
            if useBias { inputs.append(values.tensor([4])) }
            checkGradients("conv2d stride \(stride) padding \(padding) dilation \(dilation) bias \(useBias)",
                           inputs: inputs) { arguments in
                conv2d(arguments[0], weight: arguments[1], bias: arguments.count > 2 ? arguments[2] : nil,
                       stride: stride, padding: padding, dilation: dilation)
            }
        }
    }

    func testSecondIdenticalCallCreatesNoPrimitive() {
        var values = TestValues(seed: 4)
        let input = values.tensor([1, 10, 10, 8]).requiringGradient()
        let weight = values.tensor([16, 8, 3, 3]).requiringGradient()
        let bias = values.tensor([16]).requiringGradient()
        func step() { conv2d(input, weight: weight, bias: bias, padding: 1, dilation: 1).sum().backward() }
        step()
        let afterFirst = TensorEngine.primitiveCreationCount
        XCTAssertGreaterThan(afterFirst, 0)
        step()
        step()
        XCTAssertEqual(TensorEngine.primitiveCreationCount, afterFirst, "a repeated training step compiled new primitives")
    }

    func testWeightsWrittenInPlaceAreReorderedAgain() {
        var values = TestValues(seed: 5)
        let input = values.tensor([1, 6, 6, 16])
        var weight = values.tensor([32, 16, 3, 3])
        let first = conv2d(input, weight: weight, padding: 1)
        assertClose(first, naiveConvolution(input, weight, nil, stride: 1, padding: 1, dilation: 1), "before the update")
        // An optimizer-style in-place update of the same storage must invalidate the cached reordered weights.
        weight.withUnsafeMutableBufferPointer { scalars in
            for index in scalars.indices { scalars[index] = -scalars[index] * 0.5 }
        }
        let second = conv2d(input, weight: weight, padding: 1)
        assertClose(second, naiveConvolution(input, weight, nil, stride: 1, padding: 1, dilation: 1), "after the update")
        // Backward-data right after forward reuses the reordered weights; after another update it must not.
        let leaf = input.requiringGradient()
        conv2d(leaf, weight: weight, padding: 1).sum().backward()
        let gradientBefore = leaf.gradient!
        weight.withUnsafeMutableBufferPointer { scalars in
            for index in scalars.indices { scalars[index] *= 2 }
        }
        let leafAgain = input.requiringGradient()
        conv2d(leafAgain, weight: weight, padding: 1).sum().backward()
        assertClose(leafAgain.gradient!, gradientBefore * 2, tolerance: 1e-4, "input gradient scales with the weights")
    }

    func testConcurrentCallsFromSeveralThreadsAgree() {
        var values = TestValues(seed: 6)
        let inputs = (0..<4).map { _ in values.tensor([1, 8, 8, 16]) }
        let weight = values.tensor([16, 16, 3, 3])
        let sequential = inputs.map { conv2d($0, weight: weight, padding: 1).scalars }
        var concurrent = [[Float]](repeating: [], count: inputs.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
            let result = conv2d(inputs[index], weight: weight, padding: 1).scalars
            lock.withLock { concurrent[index] = result }
        }
        XCTAssertEqual(concurrent, sequential)
    }
}
