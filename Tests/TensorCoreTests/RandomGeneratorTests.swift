import XCTest
import TensorCore

final class RandomGeneratorTests: XCTestCase {
    func testXoshiroOutputFromKnownState() {
        // The published xoshiro256** reference sequence for the state (1, 2, 3, 4).
        var generator = RandomGenerator(state: [1, 2, 3, 4])
        XCTAssertEqual(generator.next(), 11520)
        XCTAssertEqual(generator.next(), 0)
        XCTAssertEqual(generator.next(), 1_509_978_240)
        XCTAssertEqual(generator.next(), 1_215_971_899_390_074_240)
    }

    func testStateRoundTripContinuesTheSequence() {
        var generator = RandomGenerator(seed: 42)
        for _ in 0..<10 { _ = generator.next() }
        var restored = RandomGenerator(state: generator.state)
        XCTAssertEqual((0..<5).map { _ in generator.next() }, (0..<5).map { _ in restored.next() })
        XCTAssertNotEqual(RandomGenerator(seed: 1).state, RandomGenerator(seed: 2).state)
    }

    func testDistributions() {
        var generator = RandomGenerator(seed: 7)
        let uniform = (0..<100_000).map { _ in generator.nextUniform() }
        XCTAssertTrue(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(uniform.reduce(0, +) / 100_000, 0.5, accuracy: 0.01)
        let normal = Tensor.randomNormal(shape: [100_000], mean: 1, standardDeviation: 2, generator: &generator).scalars
        let mean = normal.reduce(0, +) / 100_000
        let variance = normal.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 100_000
        XCTAssertEqual(mean, 1, accuracy: 0.03)
        XCTAssertEqual(variance.squareRoot(), 2, accuracy: 0.03)
    }

    func testKaimingScales() {
        var generator = RandomGenerator(seed: 8)
        // fan_in = 64 * 3 * 3 = 576; std = sqrt(2 / 576).
        let normal = Tensor.kaimingNormal(shape: [128, 64, 3, 3], generator: &generator).scalars
        let deviation = (normal.map { $0 * $0 }.reduce(0, +) / Float(normal.count)).squareRoot()
        XCTAssertEqual(deviation, (2.0 / 576).squareRoot(), accuracy: 0.002)
        // fan_out = 128 * 9 = 1152.
        let fanOut = Tensor.kaimingNormal(shape: [128, 64, 3, 3], mode: .fanOut, generator: &generator).scalars
        let fanOutDeviation = (fanOut.map { $0 * $0 }.reduce(0, +) / Float(fanOut.count)).squareRoot()
        XCTAssertEqual(fanOutDeviation, (2.0 / 1152).squareRoot(), accuracy: 0.002)
        // PyTorch's Conv2d default: bound 1 / sqrt(fan_in).
        let uniform = Tensor.kaimingUniform(shape: [16, 4, 3, 3], negativeSlope: Float(5).squareRoot(), generator: &generator).scalars
        let bound = 1 / Float(36).squareRoot()
        XCTAssertTrue(uniform.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(uniform.map(abs).max()!, bound * 0.95)
    }
}
