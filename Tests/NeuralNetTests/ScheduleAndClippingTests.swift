import Foundation
import XCTest
import NeuralNet
import TensorCore

final class ScheduleAndClippingTests: XCTestCase {
    func testPolynomialDecay() {
        let schedule = PolynomialDecay(baseLearningRate: 0.01, totalIterations: 100, power: 0.9)
        XCTAssertEqual(schedule.learningRate(at: 0), 0.01)
        XCTAssertEqual(schedule.learningRate(at: 50), Float(0.01 * pow(0.5, 0.9)), accuracy: 1e-9)
        XCTAssertEqual(schedule.learningRate(at: 90), Float(0.01 * pow(0.1, 0.9)), accuracy: 1e-9)
        XCTAssertEqual(schedule.learningRate(at: 100), 0)
        XCTAssertEqual(schedule.learningRate(at: 150), 0)
        XCTAssertEqual(PolynomialDecay(baseLearningRate: 1, totalIterations: 4, power: 1).learningRate(at: 1), 0.75)
    }

    func testCosineDecay() {
        let schedule = CosineDecay(baseLearningRate: 0.1, totalIterations: 10, minimumLearningRate: 0.02)
        XCTAssertEqual(schedule.learningRate(at: 0), 0.1, accuracy: 1e-7)
        XCTAssertEqual(schedule.learningRate(at: 5), 0.06, accuracy: 1e-7)
        XCTAssertEqual(schedule.learningRate(at: 10), 0.02, accuracy: 1e-7)
        XCTAssertEqual(schedule.learningRate(at: 2), Float(0.02 + 0.08 * (1 + cos(Double.pi * 0.2)) / 2), accuracy: 1e-7)
    }

    func testLinearWarmupComposesWithTheWrappedSchedule() {
        let poly = PolynomialDecay(baseLearningRate: 0.01, totalIterations: 100, power: 1)
        let schedule = LinearWarmup(poly, warmupIterations: 10, startFactor: 0.1)
        XCTAssertEqual(schedule.learningRate(at: 0), 0.001, accuracy: 1e-9)
        XCTAssertEqual(schedule.learningRate(at: 5), 0.0095 * 0.55, accuracy: 1e-9)
        XCTAssertEqual(schedule.learningRate(at: 10), poly.learningRate(at: 10))
        XCTAssertEqual(schedule.learningRate(at: 60), poly.learningRate(at: 60))
        let constant = LinearWarmup(ConstantLearningRate(1), warmupIterations: 4, startFactor: 0)
        XCTAssertEqual((0...5).map { constant.learningRate(at: $0) }, [0, 0.25, 0.5, 0.75, 1, 1])
    }

    func testClipGradientNormScalesAllGradientsTogether() {
        let a = Parameter(Tensor(shape: [2], scalars: [0, 0])), b = Parameter(Tensor(shape: [1], scalars: [0]))
        let untouched = Parameter(Tensor(shape: [1], scalars: [0]))
        a.setGradient(Tensor(shape: [2], scalars: [3, 0]))
        b.setGradient(Tensor(shape: [1], scalars: [-4]))
        XCTAssertEqual(clipGradientNorm([a, b, untouched], maxNorm: 1), 5, accuracy: 1e-6)
        XCTAssertEqual(a.gradient!.scalars[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(b.gradient!.scalars[0], -0.8, accuracy: 1e-6)
        XCTAssertNil(untouched.gradient)
        // Under the limit: returned but not changed.
        XCTAssertEqual(clipGradientNorm([a, b], maxNorm: 10), 1, accuracy: 1e-5)
        XCTAssertEqual(a.gradient!.scalars[0], 0.6, accuracy: 1e-6)
    }

    func testClippingDoesNotCorruptGradientsThatShareStorage() {
        // x + y hands the same gradient tensor to both leaves.
        let x = Parameter(Tensor(shape: [2], scalars: [1, 2])), y = Parameter(Tensor(shape: [2], scalars: [3, 4]))
        (x.value + y.value).sum().backward()
        XCTAssertEqual(clipGradientNorm([x, y], maxNorm: 1), 2, accuracy: 1e-6)
        XCTAssertEqual(x.gradient!.scalars[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(x.gradient!.scalars[1], 0.5, accuracy: 1e-6)
        XCTAssertEqual(y.gradient!.scalars, x.gradient!.scalars)
    }
}
