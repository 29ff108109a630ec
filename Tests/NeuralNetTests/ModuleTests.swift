import XCTest
import NeuralNet
import TensorCore

/// A layer made only of parameters and buffers, so these tests depend on no kernel.
private final class Affine: Module, Layer {
    let scale: Parameter
    let shift: Parameter
    let count = Buffer(Tensor(0))

    init(width: Int) {
        scale = Parameter(Tensor(shape: [width], repeating: 1))
        shift = Parameter(Tensor(shape: [width], repeating: 0))
        super.init()
        register(scale, as: "weight")
        register(shift, as: "bias")
        register(count, as: "calls")
    }

    func callAsFunction(_ input: Tensor) -> Tensor { input + shift.value }
}

private final class Tower: Module {
    let first = Affine(width: 2)
    let stages = Sequential([Affine(width: 2), Affine(width: 3)])
    override init() {
        super.init()
        register(first, as: "stem")
        register(stages, as: "stages")
    }
}

final class ModuleTests: XCTestCase {
    func testDottedNamesFollowRegistrationAndSequentialIndices() {
        let tower = Tower()
        XCTAssertEqual(tower.namedParameters().map(\.name), ["stem.weight", "stem.bias", "stages.0.weight", "stages.0.bias", "stages.1.weight", "stages.1.bias"])
        XCTAssertEqual(tower.namedBuffers().map(\.name), ["stem.calls", "stages.0.calls", "stages.1.calls"])
        XCTAssertEqual(tower.namedModules().map(\.name), ["", "stem", "stages", "stages.0", "stages.1"])
        XCTAssertEqual(Set(tower.stateDict().keys), Set(tower.namedParameters().map(\.name) + tower.namedBuffers().map(\.name)))
        XCTAssertEqual(tower.stateDict()["stages.1.weight"]?.shape, [3])
        XCTAssertEqual(tower.parameters().count, 6)
    }

    func testStrictLoadReportsEveryKindOfMismatchAndLoadsNothing() {
        let tower = Tower()
        var state = tower.stateDict()
        state["stem.weight"] = Tensor(shape: [2], scalars: [5, 6])
        state["stages.1.bias"] = Tensor(shape: [4])
        state.removeValue(forKey: "stages.0.calls")
        state["head.weight"] = Tensor(shape: [1])
        XCTAssertThrowsError(try tower.load(stateDict: state)) { error in
            guard let error = error as? StateDictError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.report.missingKeys, ["stages.0.calls"])
            XCTAssertEqual(error.report.unexpectedKeys, ["head.weight"])
            XCTAssertEqual(error.report.shapeMismatches, [.init(key: "stages.1.bias", expected: [3], found: [4])])
            XCTAssertTrue("\(error)".contains("stages.1.bias (model [3], file [4])"), "\(error)")
        }
        XCTAssertEqual(tower.first.scale.value.scalars, [1, 1], "a failed strict load must change nothing")
        let report = try? tower.load(stateDict: state, strict: false)
        XCTAssertEqual(report?.missingKeys, ["stages.0.calls"])
        XCTAssertEqual(tower.first.scale.value.scalars, [5, 6])
    }

    func testLoadRoundTripsThroughSafeTensorsAndKeepsParametersTrainable() throws {
        let source = Tower()
        source.stages.children[1].module.namedParameters()[0].parameter.assign(Tensor(shape: [3], scalars: [7, 8, 9]))
        let file = try SafeTensorsFile(data: SafeTensorsWriter.encode(source.stateDict()))
        let target = Tower()
        target.first.shift.requiresGradient = false
        let report = try target.load(file)
        XCTAssertTrue(report.isExactMatch)
        XCTAssertEqual(target.stateDict()["stages.1.weight"]?.scalars, [7, 8, 9])
        XCTAssertTrue(target.stages.children[1].module.parameters()[0].value.requiresGradient)
        XCTAssertFalse(target.first.shift.value.requiresGradient)
    }

    func testTrainEvalIsRecursive() {
        let tower = Tower()
        XCTAssertTrue(tower.namedModules().allSatisfy { $0.module.isTraining })
        tower.eval()
        XCTAssertTrue(tower.namedModules().allSatisfy { !$0.module.isTraining })
        tower.stages.train()
        XCTAssertFalse(tower.first.isTraining)
        XCTAssertTrue(tower.stages.children[0].module.isTraining)
    }

    func testFrozenParametersGetNoGradient() {
        let layer = Affine(width: 2)
        layer.shift.requiresGradient = false
        let input = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        layer(input).sum().backward()
        XCTAssertNil(layer.shift.gradient)
        XCTAssertEqual(input.gradient?.scalars, [1, 1])
        layer.shift.requiresGradient = true
        layer(input).sum().backward()
        XCTAssertEqual(layer.shift.gradient?.scalars, [1, 1])
        layer.zeroGradients()
        XCTAssertNil(layer.shift.gradient)
    }

    func testSharedParameterIsListedOnce() {
        let shared = Affine(width: 2)
        let model = Sequential([shared, shared])
        XCTAssertEqual(model.namedParameters().map(\.name), ["0.weight", "0.bias"])
    }
}
