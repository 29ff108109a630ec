import XCTest
import TensorCore

final class LossTests: XCTestCase {
    private func naiveCrossEntropy(_ logits: Tensor, _ labels: [Int], ignoreIndex: Int, weights: [Double]?) -> Double {
        let classes = logits.shape[3]
        var total = 0.0, weightTotal = 0.0
        for (pixel, label) in labels.enumerated() where label != ignoreIndex {
            let row = (0..<classes).map { Double(logits[flat: pixel * classes + $0]) }
            let logSum = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
            let weight = weights?[label] ?? 1
            total += weight * (logSum - row[label])
            weightTotal += weight
        }
        return total / weightTotal
    }

    func testCrossEntropyMatchesDefinition() {
        var values = TestValues(seed: 51)
        let logits = values.tensor([2, 3, 2, 4], scale: 3)
        let labels = [0, 3, 255, 1, 2, 2, 255, 0, 1, 3, 3, 0]
        let labelTensor = Tensor(shape: [2, 3, 2], scalars: labels.map(Float.init))
        let plain = crossEntropy(logits: logits, labels: labelTensor, ignoreIndex: 255)
        XCTAssertEqual(Double(plain.scalar), naiveCrossEntropy(logits, labels, ignoreIndex: 255, weights: nil), accuracy: 1e-5)
        let weights: [Float] = [0.5, 2, 1, 3]
        let weighted = crossEntropy(logits: logits, labels: labelTensor, ignoreIndex: 255,
                                    classWeights: Tensor(shape: [4], scalars: weights))
        XCTAssertEqual(Double(weighted.scalar),
                       naiveCrossEntropy(logits, labels, ignoreIndex: 255, weights: weights.map(Double.init)), accuracy: 1e-5)
    }

    func testAllIgnoredGivesZeroLossAndGradient() {
        let logits = Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6]).requiringGradient()
        let loss = crossEntropy(logits: logits, labels: Tensor(shape: [1, 1, 2], scalars: [-100, -100]))
        XCTAssertEqual(loss.scalar, 0)
        loss.backward()
        XCTAssertEqual(logits.gradient?.scalars, [Float](repeating: 0, count: 6))
    }

    func testCrossEntropyGradients() {
        var values = TestValues(seed: 52)
        let logits = values.tensor([2, 3, 3, 5], scale: 2)
        let labels = Tensor(shape: [2, 3, 3], scalars: [0, 4, 1, 7, 2, 3, 3, 0, 7, 1, 4, 4, 2, 2, 0, 7, 1, 3])
        checkGradients("crossEntropy", inputs: [logits]) { crossEntropy(logits: $0[0], labels: labels, ignoreIndex: 7) }
        let weights = Tensor(shape: [5], scalars: [1, 0.2, 3, 0.7, 1.5])
        checkGradients("crossEntropy weighted", inputs: [logits]) {
            crossEntropy(logits: $0[0], labels: labels, ignoreIndex: 7, classWeights: weights)
        }
    }

    func testSoftCrossEntropyMatchesDefinitionAndSkipsPixelsWithoutTargets() {
        var values = TestValues(seed: 53)
        let logits = values.tensor([1, 2, 3, 4], scale: 3)
        // Pixel 2 has no target; pixel 4 a one-hot target (= the hard cross-entropy of class 1).
        var targets = [Float](repeating: 0, count: 24)
        let rows: [[Float]] = [[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0, 0, 0, 0], [0.25, 0.25, 0.25, 0.25], [0, 1, 0, 0], [0.5, 0, 0.5, 0]]
        for (pixel, row) in rows.enumerated() { for c in 0..<4 { targets[pixel * 4 + c] = row[c] } }
        var expected = 0.0
        for (pixel, row) in rows.enumerated() where row.reduce(0, +) > 0 {
            let x = (0..<4).map { Double(logits[flat: pixel * 4 + $0]) }
            let logSum = Foundation.log(x.map { Foundation.exp($0) }.reduce(0, +))
            expected -= (0..<4).reduce(0.0) { $0 + Double(row[$1]) * (x[$1] - logSum) }
        }
        let loss = softCrossEntropy(logits: logits, targets: Tensor(shape: [1, 2, 3, 4], scalars: targets))
        XCTAssertEqual(Double(loss.scalar), expected / 5, accuracy: 1e-5)
        let oneHot = softCrossEntropy(logits: logits, targets: Tensor(shape: [1, 2, 3, 4], scalars: (0..<24).map { $0 % 4 == 2 ? 1 : 0 }))
        let hard = crossEntropy(logits: logits, labels: Tensor(shape: [1, 2, 3], repeating: 2))
        XCTAssertEqual(oneHot.scalar, hard.scalar, accuracy: 1e-5)
        let none = softCrossEntropy(logits: logits.requiringGradient(), targets: Tensor(shape: [1, 2, 3, 4], repeating: 0))
        XCTAssertEqual(none.scalar, 0)
    }

    func testSoftCrossEntropyGradients() {
        var values = TestValues(seed: 54)
        let logits = values.tensor([2, 3, 2, 5], scale: 2)
        var targets = values.tensor([2, 3, 2, 5], scale: 1).scalars.map { abs($0) }
        for c in 0..<5 { targets[3 * 5 + c] = 0 }   // one pixel without a target
        let targetTensor = Tensor(shape: [2, 3, 2, 5], scalars: targets)
        checkGradients("softCrossEntropy", inputs: [logits]) { softCrossEntropy(logits: $0[0], targets: targetTensor) }
    }

    func testArgmaxChannelsTakesFirstOfTies() {
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [0, 5, 1, 7, 7, 2, -1, -3, -2])
        XCTAssertEqual(argmaxChannels(x).scalars, [1, 0, 0])
        XCTAssertEqual(argmaxChannels(x).shape, [1, 1, 3])
    }
}

final class DropoutTests: XCTestCase {
    func testZeroesWholeChannelsAndScalesTheRest() {
        let x = Tensor(shape: [4, 3, 3, 8], repeating: 1)
        var generator = RandomGenerator(seed: 5)
        let y = dropout2d(x, probability: 0.5, generator: &generator)
        var dropped = 0
        for n in 0..<4 {
            for c in 0..<8 {
                let channel = (0..<9).map { y[flat: (n * 9 + $0) * 8 + c] }
                XCTAssertTrue(channel.allSatisfy { $0 == 0 } || channel.allSatisfy { $0 == 2 }, "sample \(n) channel \(c): \(channel)")
                if channel[0] == 0 { dropped += 1 }
            }
        }
        XCTAssertGreaterThan(dropped, 4)
        XCTAssertLessThan(dropped, 28)
        var again = RandomGenerator(seed: 5)
        XCTAssertEqual(dropout2d(x, probability: 0.5, generator: &again).scalars, y.scalars, "same seed, same mask")
        XCTAssertEqual(again, generator, "one draw per (sample, channel)")
        XCTAssertEqual(dropout2d(x, probability: 0, generator: &again).scalars, x.scalars)
        XCTAssertEqual(dropout2d(x, probability: 1, generator: &again).scalars, [Float](repeating: 0, count: x.count))
    }

    func testGradient() {
        var values = TestValues(seed: 61)
        checkGradients("dropout2d", inputs: [values.tensor([2, 3, 2, 6])]) { arguments in
            var generator = RandomGenerator(seed: 9)
            return dropout2d(arguments[0], probability: 0.4, generator: &generator)
        }
    }
}
