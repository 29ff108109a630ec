import XCTest
import TensorCore

final class NormalizationTests: XCTestCase {
    func testTrainingForwardAndRunningStatistics() {
        var values = TestValues(seed: 21)
        let (n, h, w, c) = (2, 3, 4, 5)
        let input = values.tensor([n, h, w, c], scale: 3)
        let weight = values.tensor([c]), bias = values.tensor([c])
        var runningMean = Tensor(shape: [c], scalars: [0.1, 0.2, 0.3, 0.4, 0.5])
        var runningVariance = Tensor(shape: [c], scalars: [1, 2, 3, 4, 5])
        let oldMean = runningMean.scalars, oldVariance = runningVariance.scalars
        let output = batchNorm(input, weight: weight, bias: bias, runningMean: &runningMean,
                               runningVariance: &runningVariance, training: true)
        let rows = n * h * w
        for channel in 0..<c {
            let column = (0..<rows).map { Double(input[flat: $0 * c + channel]) }
            let mean = column.reduce(0, +) / Double(rows)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows)
            for row in 0..<rows {
                let expected = (column[row] - mean) / (variance + 1e-5).squareRoot() * Double(weight[flat: channel])
                    + Double(bias[flat: channel])
                XCTAssertEqual(Double(output[flat: row * c + channel]), expected, accuracy: 1e-4)
            }
            XCTAssertEqual(Double(runningMean[flat: channel]), 0.9 * Double(oldMean[channel]) + 0.1 * mean, accuracy: 1e-5)
            XCTAssertEqual(Double(runningVariance[flat: channel]),
                           0.9 * Double(oldVariance[channel]) + 0.1 * variance * Double(rows) / Double(rows - 1), accuracy: 1e-4)
        }
    }

    func testLargeMeanOffsetKeepsVarianceAccurate() {
        var values = TestValues(seed: 23)
        let input = values.tensor([2, 4, 4, 3]) + 1000
        var runningMean = Tensor(shape: [3]), runningVariance = Tensor(shape: [3], repeating: 1)
        let output = batchNorm(input, weight: Tensor(shape: [3], repeating: 1), bias: Tensor(shape: [3]),
                               runningMean: &runningMean, runningVariance: &runningVariance, training: true, momentum: 1)
        for channel in 0..<3 {
            let column = (0..<32).map { Double(input[flat: $0 * 3 + channel]) }
            let mean = column.reduce(0, +) / 32
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 32
            XCTAssertEqual(Double(runningVariance[flat: channel]), variance * 32 / 31, accuracy: variance * 1e-4)
            for row in 0..<32 {
                XCTAssertEqual(Double(output[flat: row * 3 + channel]), (column[row] - mean) / (variance + 1e-5).squareRoot(),
                               accuracy: 1e-3)
            }
        }
    }

    func testEvaluationUsesRunningStatisticsAndLeavesThem() {
        let input = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        var runningMean = Tensor(shape: [2], scalars: [1, 2])
        var runningVariance = Tensor(shape: [2], scalars: [4, 16])
        let output = batchNorm(input, weight: Tensor(shape: [2], scalars: [2, 1]), bias: Tensor(shape: [2], scalars: [0, 1]),
                               runningMean: &runningMean, runningVariance: &runningVariance, training: false, epsilon: 0)
        XCTAssertEqual(output.scalars, [0, 1, 2, 1.5])
        XCTAssertEqual(runningMean.scalars, [1, 2])
        XCTAssertEqual(runningVariance.scalars, [4, 16])
    }

    func testGradientsInTrainingAndEvaluation() {
        var values = TestValues(seed: 22)
        for training in [true, false] {
            let input = values.tensor([2, 3, 3, 4], scale: 2)
            let weight = values.tensor([4]), bias = values.tensor([4])
            checkGradients("batchNorm training \(training)", inputs: [input, weight, bias], epsilon: 1e-2) { arguments in
                var runningMean = Tensor(shape: [4], scalars: [0.1, -0.2, 0.3, 0])
                var runningVariance = Tensor(shape: [4], scalars: [1, 0.5, 2, 1.5])
                return batchNorm(arguments[0], weight: arguments[1], bias: arguments[2], runningMean: &runningMean,
                                 runningVariance: &runningVariance, training: training)
            }
        }
    }
}
