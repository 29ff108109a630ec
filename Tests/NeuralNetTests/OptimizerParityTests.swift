import XCTest
import NeuralNet
import TensorCore

/// Optimizer updates on fixed gradients against torch.optim (optimizers.safetensors).
final class OptimizerParityTests: XCTestCase {
    private func run(_ config: String, make: ([(name: String, parameter: Parameter)]) -> Optimizer, file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try ParityFixture("optimizers.safetensors")
        let named = try ["a", "b"].map { ($0, Parameter(try fixture["initial.\($0)"])) }
        let optimizer = make(named)
        for step in 1...2 {
            for (name, parameter) in named { parameter.setGradient(try fixture["step\(step).grad.\(name)"]) }
            optimizer.step()
            for (name, parameter) in named {
                assertClose(parameter.value, try fixture["\(config).step\(step).\(name)"], relative: 1e-5, "\(config) step \(step) \(name)", file: file, line: line)
            }
        }
    }

    func testSGDMomentumWeightDecay() throws {
        try run("sgd_momentum") { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4) }
    }

    func testSGDNesterov() throws {
        try run("sgd_nesterov") { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-2, nesterov: true) }
    }

    func testSGDWithoutMomentum() throws {
        try run("sgd_plain") { SGD($0, learningRate: 0.1, weightDecay: 1e-3) }
    }

    func testAdamW() throws {
        try run("adamw") { AdamW($0, learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2) }
    }

    /// Exporting state after step 1 into a fresh optimizer gives the same step 2 as continuing.
    func testStateRoundTripsThroughAFreshOptimizer() throws {
        let fixture = try ParityFixture("optimizers.safetensors")
        for (config, make) in [("sgd_momentum", { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4) as Optimizer }),
                               ("adamw", { AdamW($0, learningRate: 1e-2, weightDecay: 1e-2) as Optimizer })] {
            let named = try ["a", "b"].map { ($0, Parameter(try fixture["initial.\($0)"])) }
            let first = make(named)
            for (name, parameter) in named { parameter.setGradient(try fixture["step1.grad.\(name)"]) }
            first.step()
            let saved = try SafeTensorsFile(data: SafeTensorsWriter.encode(first.stateDict())).tensors()
            XCTAssertFalse(saved.isEmpty)
            let second = make(named)
            try second.load(stateDict: saved)
            for (name, parameter) in named { parameter.setGradient(try fixture["step2.grad.\(name)"]) }
            second.step()
            for (name, parameter) in named {
                assertClose(parameter.value, try fixture["\(config).step2.\(name)"], relative: 1e-5, "\(config) resumed \(name)")
            }
        }
    }

    func testLoadingForeignStateThrows() {
        let parameter = Parameter(Tensor(shape: [2], scalars: [1, 2]))
        let sgd = SGD([("w", parameter)], learningRate: 0.1, momentum: 0.9)
        XCTAssertThrowsError(try sgd.load(stateDict: ["v.momentum_buffer": Tensor(shape: [2])]))
        XCTAssertThrowsError(try sgd.load(stateDict: ["w.momentum_buffer": Tensor(shape: [3])]))
        XCTAssertThrowsError(try sgd.load(stateDict: ["w.exp_avg": Tensor(shape: [2])]))
        XCTAssertNoThrow(try sgd.load(stateDict: ["w.momentum_buffer": Tensor(shape: [2])]))
        let adam = AdamW([("w", parameter)])
        XCTAssertThrowsError(try adam.load(stateDict: ["w.exp_avg": Tensor(shape: [2]), "w.exp_avg_sq": Tensor(shape: [2])]))
        XCTAssertThrowsError(try adam.load(stateDict: ["w.exp_avg": Tensor(shape: [2]), "w.exp_avg_sq": Tensor(shape: [2]), "w.step": Tensor(0.5)]))
    }

    func testFrozenAndGradientlessParametersAreSkipped() {
        let frozen = Parameter(Tensor(shape: [2], scalars: [1, 2]), requiresGradient: false)
        let idle = Parameter(Tensor(shape: [2], scalars: [3, 4]))
        let active = Parameter(Tensor(shape: [2], scalars: [5, 6]))
        active.setGradient(Tensor(shape: [2], scalars: [1, -1]))
        for optimizer in [SGD([("f", frozen), ("i", idle), ("a", active)], learningRate: 0.5, momentum: 0.9, weightDecay: 0.1) as Optimizer,
                          AdamW([("f", frozen), ("i", idle), ("a", active)], learningRate: 0.5)] {
            optimizer.step()
            XCTAssertEqual(frozen.value.scalars, [1, 2])
            XCTAssertEqual(idle.value.scalars, [3, 4])
            XCTAssertEqual(Set(optimizer.stateDict().keys.map { String($0.prefix(2)) }), ["a."])
        }
        XCTAssertNotEqual(active.value.scalars, [5, 6])
    }
}
