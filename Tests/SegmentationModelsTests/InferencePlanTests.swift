import Foundation
import XCTest
import NeuralNet
import SegmentationModels
import TensorCore

/// The compiled inference plan (`PSPNetInferencePlan`) against the training path in eval mode and the
/// PyTorch fixtures, for the counter-generated weights of Tests/Fixtures/pspnet.
final class InferencePlanTests: XCTestCase {
    static let tolerance: Float = 1e-3

    func fixtureModel(_ backbone: Backbone, outputStride: Int, decoder: Decoder, classCount: Int = PSPNetFixture.classes,
                      bandCount: Int = PSPNetFixture.bands) throws -> PSPNet {
        let model = PSPNet(configuration: PSPNetConfiguration(
            backbone: backbone, outputStride: outputStride, pyramidSizes: [1, 3, 5, 6], decoder: decoder, auxWeight: 0.4,
            classCount: classCount, bandCount: bandCount))
        try CounterRandom.initialise(model)
        model.eval()
        return model
    }

    func checkParity(_ backbone: Backbone, outputStride: Int, decoder: Decoder,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try fixtureModel(backbone, outputStride: outputStride, decoder: decoder)
        let input = CounterRandom.input("input", batch: 1, height: PSPNetFixture.height, width: PSPNetFixture.width,
                                        bands: PSPNetFixture.bands)
        let plan = try PSPNetInferencePlan(model: model, batch: 1, height: PSPNetFixture.height, width: PSPNetFixture.width)
        let planned = plan(input)
        let trained = Tensor.withoutRecording { model(input) }
        let fixture = try PSPNetFixture.file("forward-\(backbone.rawValue)-os\(outputStride)-1356-\(decoder.rawValue).safetensors")
            .tensor(named: "logits")
        let againstTraining = maximumAbsoluteDifference(planned, trained)
        let againstPyTorch = maximumAbsoluteDifference(planned, fixture)
        print("plan parity \(backbone.rawValue) os\(outputStride) \(decoder.rawValue): max-abs \(againstTraining) vs training path, \(againstPyTorch) vs PyTorch (logits up to \(fixture.scalars.map(abs).max() ?? 0))")
        XCTAssertEqual(planned.shape, [1, PSPNetFixture.height, PSPNetFixture.width, PSPNetFixture.classes], file: file, line: line)
        XCTAssertLessThanOrEqual(againstTraining, InferencePlanTests.tolerance, file: file, line: line)
        XCTAssertLessThanOrEqual(againstPyTorch, InferencePlanTests.tolerance, file: file, line: line)
    }

    func testResNet18ParityUpsample() throws {
        try checkParity(.resnet18, outputStride: 8, decoder: .upsample)
        try checkParity(.resnet18, outputStride: 16, decoder: .upsample)
    }

    func testResNet18ParityFPN() throws {
        try checkParity(.resnet18, outputStride: 8, decoder: .fpn)
    }

    func testResNet50ParityUpsample() throws {
        try checkParity(.resnet50, outputStride: 8, decoder: .upsample)
        try checkParity(.resnet50, outputStride: 16, decoder: .upsample)
    }

    func testResNet50ParityFPN() throws {
        try checkParity(.resnet50, outputStride: 16, decoder: .fpn)
    }

    /// Feature maps smaller than the pyramid bins (an 11 x 7 chip), both decoders.
    func testTinyChipsMatchTheTrainingPath() throws {
        for decoder in Decoder.allCases {
            let model = try fixtureModel(.resnet18, outputStride: 8, decoder: decoder)
            let input = CounterRandom.input("tiny-input", batch: 1, height: 11, width: 7, bands: PSPNetFixture.bands)
            let plan = try PSPNetInferencePlan(model: model, batch: 1, height: 11, width: 7)
            let error = maximumAbsoluteDifference(plan(input), Tensor.withoutRecording { model(input) })
            XCTAssertLessThanOrEqual(error, InferencePlanTests.tolerance, "\(decoder)")
        }
    }

    /// A batch of 4 through a batch-4 plan gives each chip what a batch-1 plan gives it alone.
    func testBatchOfFourEqualsChipByChip() throws {
        let model = try fixtureModel(.resnet18, outputStride: 8, decoder: .fpn, classCount: 5, bandCount: 4)
        let batch = CounterRandom.input("batch", batch: 4, height: 37, width: 29, bands: 4)
        let together = try PSPNetInferencePlan(model: model, batch: 4, height: 37, width: 29)(batch)
        let single = try PSPNetInferencePlan(model: model, batch: 1, height: 37, width: 29)
        let chipCount = 37 * 29 * 4, logitCount = 37 * 29 * 5
        for chip in 0..<4 {
            let alone = Tensor(shape: [1, 37, 29, 4], scalars: Array(batch.scalars[chip * chipCount ..< (chip + 1) * chipCount]))
            let slice = Tensor(shape: [1, 37, 29, 5], scalars: Array(together.scalars[chip * logitCount ..< (chip + 1) * logitCount]))
            XCTAssertLessThanOrEqual(maximumAbsoluteDifference(single(alone), slice), 1e-5, "chip \(chip)")
        }
        XCTAssertGreaterThan(maximumAbsoluteDifference(
            Tensor(shape: [logitCount], scalars: Array(together.scalars[0 ..< logitCount])),
            Tensor(shape: [logitCount], scalars: Array(together.scalars[logitCount ..< 2 * logitCount]))), 1e-3,
            "the chips differ, so the equality above is not an accident of identical inputs")
    }

    /// Plans of one model compiled with one `PlanWeightCache` (a batch plan and a one-chip plan, as a classifier
    /// keeps them) share their reordered weights, and give bit for bit what plans with weights of their own give.
    func testPlansSharingWeightsGiveTheSameResults() throws {
        let model = try fixtureModel(.resnet18, outputStride: 8, decoder: .fpn, classCount: 5, bandCount: 4)
        let batch = CounterRandom.input("shared", batch: 4, height: 64, width: 64, bands: 4)
        let chip = Tensor(shape: [1, 64, 64, 4], scalars: Array(batch.scalars[0 ..< 64 * 64 * 4]))
        let cache = PlanWeightCache()
        let sharedBatch = try PSPNetInferencePlan(model: model, batch: 4, height: 64, width: 64, weightCache: cache)
        let convolutions = cache.reorderCount, bytes = cache.byteCount
        let sharedSingle = try PSPNetInferencePlan(model: model, batch: 1, height: 64, width: 64, weightCache: cache)
        print("weight cache: \(convolutions) convolutions, \(bytes) bytes for the batch plan; the one-chip plan reused \(cache.reuseCount) and reordered \(cache.reorderCount - convolutions) (\(cache.byteCount - bytes) bytes)")
        XCTAssertGreaterThan(convolutions, 20, "every convolution of the first plan went through the cache")
        XCTAssertEqual(cache.reuseCount + cache.reorderCount, 2 * convolutions)
        XCTAssertGreaterThan(cache.reuseCount, convolutions / 2)
        XCTAssertEqual(sharedBatch(batch).scalars, try PSPNetInferencePlan(model: model, batch: 4, height: 64, width: 64)(batch).scalars)
        XCTAssertEqual(sharedSingle(chip).scalars, try PSPNetInferencePlan(model: model, batch: 1, height: 64, width: 64)(chip).scalars)
    }

    /// After compiling, runs create no oneDNN primitive, keep the same buffers and write into the caller's
    /// output tensor; two different chips give different results through the same buffers.
    func testRunsCompileAndAllocateNothing() throws {
        let model = try fixtureModel(.resnet18, outputStride: 8, decoder: .upsample)
        let plan = try PSPNetInferencePlan(model: model, batch: 2, height: 33, width: 47, output: .probabilities)
        let buffers = plan.plan.bufferIdentities
        let created = TensorEngine.primitiveCreationCount
        var output = Tensor(shape: plan.outputShape)
        let outputStorage = ObjectIdentifier(output.storage)
        let first = CounterRandom.input("first", batch: 2, height: 33, width: 47, bands: PSPNetFixture.bands)
        let second = CounterRandom.input("second", batch: 2, height: 33, width: 47, bands: PSPNetFixture.bands)
        plan.run(first, into: &output)
        let firstResult = output.scalars
        plan.run(second, into: &output)
        plan.run(first, into: &output)
        XCTAssertEqual(TensorEngine.primitiveCreationCount, created, "a run must not create oneDNN primitives")
        XCTAssertEqual(plan.plan.bufferIdentities, buffers)
        XCTAssertEqual(ObjectIdentifier(output.storage), outputStorage, "the result goes into the caller's tensor")
        XCTAssertEqual(output.scalars, firstResult, "a run leaves no state behind")
        let expected = Tensor.withoutRecording { softmax(model(first)) }
        XCTAssertLessThanOrEqual(maximumAbsoluteDifference(output, expected), 1e-4)
    }

    /// Where the CPU has AVX512-BF16, a bfloat16 plan stays close to Float32 on the fixture model;
    /// elsewhere compiling one throws an error that names the fix.
    func testBFloat16PlanIsCloseOrRefused() throws {
        let model = try fixtureModel(.resnet18, outputStride: 8, decoder: .upsample)
        guard InferencePrecision.bfloat16.isSupportedOnThisCPU else {
            XCTAssertThrowsError(try PSPNetInferencePlan(model: model, batch: 1, height: 45, width: 61, precision: .bfloat16)) { error in
                XCTAssertTrue("\(error)".contains("--precision f32"), "\(error)")
            }
            return
        }
        let input = CounterRandom.input("input", batch: 1, height: PSPNetFixture.height, width: PSPNetFixture.width,
                                        bands: PSPNetFixture.bands)
        let full = try PSPNetInferencePlan(model: model, batch: 1, height: 45, width: 61)(input)
        let half = try PSPNetInferencePlan(model: model, batch: 1, height: 45, width: 61, precision: .bfloat16)(input)
        let scale = full.scalars.map(abs).max() ?? 0
        let error = maximumAbsoluteDifference(full, half)
        print("bf16 plan vs f32 plan on the fixture model: max-abs \(error), logits up to \(scale)")
        XCTAssertGreaterThan(error, 0, "a bf16 plan that equals f32 bit for bit did not run in bf16")
        XCTAssertLessThan(error, 0.05 * scale)
    }

    /// Asking for Winograd kernels changes no result beyond rounding, whether or not oneDNN has them for
    /// these (NHWC) convolutions.
    func testWinogradPreferenceKeepsTheLogits() throws {
        let model = try fixtureModel(.resnet18, outputStride: 8, decoder: .upsample)
        let input = CounterRandom.input("input", batch: 1, height: PSPNetFixture.height, width: PSPNetFixture.width,
                                        bands: PSPNetFixture.bands)
        let direct = try PSPNetInferencePlan(model: model, batch: 1, height: 45, width: 61, prefersWinograd: false)
        let winograd = try PSPNetInferencePlan(model: model, batch: 1, height: 45, width: 61, prefersWinograd: true)
        XCTAssertGreaterThan(winograd.plan.winogradConvolutionCount, 0, "oneDNN 2.6 has Winograd kernels for AVX-512 Float32")
        XCTAssertEqual(direct.plan.winogradConvolutionCount, 0)
        print("Winograd convolutions oneDNN accepted: \(winograd.plan.winogradConvolutionCount) of \(winograd.plan.convolutionImplementations.count); implementations: \(Set(winograd.plan.convolutionImplementations).sorted())")
        XCTAssertLessThanOrEqual(maximumAbsoluteDifference(direct(input), winograd(input)), InferencePlanTests.tolerance)
    }
}
