import XCTest
import TensorCore

/// Distinct values spaced 0.05 apart in shuffled order, so finite differences never swap a window's winner.
func distinctValues(_ shape: [Int], seed: UInt64) -> Tensor {
    let count = shape.reduce(1, *)
    var order = Array(0..<count)
    var values = TestValues(seed: seed)
    for index in stride(from: count - 1, to: 0, by: -1) {
        let other = Int((values.next() + 1) / 2 * Float(index + 1)) % (index + 1)
        order.swapAt(index, other)
    }
    return Tensor(shape: shape, scalars: order.map { Float($0) * 0.05 - Float(count) * 0.025 })
}

final class PoolingTests: XCTestCase {
    func testMaxPoolStemForward() {
        // One channel, 4x4, kernel 3 stride 2 padding 1: windows centred on even pixels.
        let x = Tensor(shape: [1, 4, 4, 1], scalars: (0..<16).map { Float($0) })
        let y = maxPool2d(x, kernelSize: 3, stride: 2, padding: 1)
        XCTAssertEqual(y.shape, [1, 2, 2, 1])
        XCTAssertEqual(y.scalars, [5, 7, 13, 15])
        let negative = maxPool2d(x * -1, kernelSize: 3, stride: 2, padding: 1)
        XCTAssertEqual(negative.scalars, [0, -1, -4, -5], "padding must never win over negative values")
    }

    func testPoolingMatchesNaiveLoopsOnRandomData() {
        var values = TestValues(seed: 34)
        let x = values.tensor([2, 9, 8, 5])
        let (h, w, c) = (9, 8, 5)
        for (kernel, stride, padding) in [(3, 2, 1), (2, 2, 0), (3, 1, 1), (5, 3, 2)] {
            let oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1
            var expected = [Float]()
            for n in 0..<2 { for oy in 0..<oh { for ox in 0..<ow { for k in 0..<c {
                var best = -Float.infinity
                for ky in 0..<kernel { for kx in 0..<kernel {
                    let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
                    if iy >= 0 && iy < h && ix >= 0 && ix < w { best = max(best, x[flat: ((n * h + iy) * w + ix) * c + k]) }
                } }
                expected.append(best)
            } } } }
            XCTAssertEqual(maxPool2d(x, kernelSize: kernel, stride: stride, padding: padding).scalars, expected,
                           "maxPool2d k\(kernel) s\(stride) p\(padding)")
        }
        for (oh, ow) in [(3, 3), (2, 5), (12, 11), (6, 1)] {
            var expected = [Float]()
            for n in 0..<2 { for i in 0..<oh { for j in 0..<ow { for k in 0..<c {
                let rows = Int((Double(i * h) / Double(oh)).rounded(.down))..<Int((Double((i + 1) * h) / Double(oh)).rounded(.up))
                let columns = Int((Double(j * w) / Double(ow)).rounded(.down))..<Int((Double((j + 1) * w) / Double(ow)).rounded(.up))
                var total: Float = 0
                for iy in rows { for ix in columns { total += x[flat: ((n * h + iy) * w + ix) * c + k] } }
                expected.append(total / Float(rows.count * columns.count))
            } } } }
            assertClose(adaptiveAveragePool2d(x, outputHeight: oh, outputWidth: ow),
                        Tensor(shape: [2, oh, ow, c], scalars: expected), tolerance: 1e-6, "adaptiveAveragePool2d \(oh)x\(ow)")
        }
    }

    func testMaxPoolGradients() {
        for (kernel, stride, padding) in [(3, 2, 1), (2, 2, 0), (3, 1, 1)] {
            checkGradients("maxPool2d k\(kernel) s\(stride) p\(padding)", inputs: [distinctValues([2, 7, 6, 3], seed: 31)]) {
                maxPool2d($0[0], kernelSize: kernel, stride: stride, padding: padding)
            }
        }
    }

    func testAdaptiveAveragePoolUsesPyTorchBins() {
        // H = 5 into 3 bins: rows [0, 2), [1, 4), [3, 5). W = 1 into 1 bin.
        let x = Tensor(shape: [1, 5, 1, 1], scalars: [1, 2, 3, 4, 5])
        let y = adaptiveAveragePool2d(x, outputHeight: 3, outputWidth: 1)
        XCTAssertEqual(y.scalars, [1.5, 3, 4.5])
        // Larger than the input: 2 rows into 3 bins [0, 1), [0, 2), [1, 2).
        let up = adaptiveAveragePool2d(Tensor(shape: [1, 2, 1, 1], scalars: [2, 4]), outputHeight: 3, outputWidth: 1)
        XCTAssertEqual(up.scalars, [2, 3, 4])
        let global = adaptiveAveragePool2d(Tensor(shape: [1, 2, 2, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40]), outputSize: 1)
        XCTAssertEqual(global.scalars, [2.5, 25])
    }

    func testAdaptiveAveragePoolGradients() {
        var values = TestValues(seed: 32)
        for (height, width) in [(3, 2), (6, 6), (8, 9), (1, 1)] {
            checkGradients("adaptiveAveragePool2d to \(height)x\(width)", inputs: [values.tensor([2, 5, 7, 3])]) {
                adaptiveAveragePool2d($0[0], outputHeight: height, outputWidth: width)
            }
        }
    }

    func testConcatenateChannels() {
        let a = Tensor(shape: [1, 1, 2, 1], scalars: [1, 2])
        let b = Tensor(shape: [1, 1, 2, 2], scalars: [3, 4, 5, 6])
        XCTAssertEqual(concatenateChannels([a, b]).scalars, [1, 3, 4, 2, 5, 6])
        var values = TestValues(seed: 33)
        checkGradients("concatenateChannels", inputs: [values.tensor([2, 3, 2, 2]), values.tensor([2, 3, 2, 1]),
                                                      values.tensor([2, 3, 2, 3])]) { concatenateChannels($0) }
    }
}

final class ResizeTests: XCTestCase {
    func testBilinearMatchesPyTorchValues() {
        let row = Tensor(shape: [1, 1, 2, 1], scalars: [0, 1])
        // torch F.interpolate(size=(1, 4), mode="bilinear", align_corners=False) of [0, 1]: [0, .25, .75, 1].
        XCTAssertEqual(resizeBilinear(row, height: 1, width: 4).scalars, [0, 0.25, 0.75, 1])
        let aligned = resizeBilinear(row, height: 1, width: 4, alignCorners: true).scalars
        for (value, expected) in zip(aligned, [0, 1.0 / 3, 2.0 / 3, 1] as [Float]) { XCTAssertEqual(value, expected, accuracy: 1e-6) }
        // Down-scaling 4 -> 2 without aligned corners samples at 0.5 and 2.5.
        let four = Tensor(shape: [1, 1, 4, 1], scalars: [0, 1, 2, 3])
        XCTAssertEqual(resizeBilinear(four, height: 1, width: 2).scalars, [0.5, 2.5])
        XCTAssertEqual(resizeBilinear(four, height: 1, width: 2, alignCorners: true).scalars, [0, 3])
        // Two-dimensional: the centre of a 2x2 upscaled to 3x3 with aligned corners is the mean.
        let square = Tensor(shape: [1, 2, 2, 1], scalars: [0, 1, 2, 3])
        XCTAssertEqual(resizeBilinear(square, height: 3, width: 3, alignCorners: true).scalars, [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3])
    }

    func testBilinearGradients() {
        var values = TestValues(seed: 41)
        for alignCorners in [false, true] {
            for (height, width) in [(9, 11), (2, 3), (5, 1)] {
                checkGradients("resizeBilinear to \(height)x\(width) align \(alignCorners)", inputs: [values.tensor([2, 4, 5, 2])]) {
                    resizeBilinear($0[0], height: height, width: width, alignCorners: alignCorners)
                }
            }
        }
    }
}
