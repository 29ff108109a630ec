import Foundation
import XCTest
import NeuralNet
import SegmentationModels
import TensorCore

/// Eval-mode logits against PyTorch (python/landuse_pspnet.py, float64) for the same counter-generated
/// weights and input (Tests/Fixtures/pspnet/make_pspnet_fixtures.py).
final class ForwardParityTests: XCTestCase {
    static let tolerance: Float = 1e-3

    func testCounterRandomReproducesTheFixtureInput() throws {
        let expected = try PSPNetFixture.file("input.safetensors").tensor(named: "input")
        let input = CounterRandom.input("input", batch: 1, height: 45, width: 61, bands: 6)
        XCTAssertEqual(input.shape, expected.shape)
        XCTAssertEqual(input.scalars, expected.scalars, "the Swift counter generator must match numpy bit for bit")
    }

    /// Builds the fixture model for a configuration and returns (logits, PyTorch logits).
    func run(_ backbone: Backbone, outputStride: Int, sizes: [Int], decoder: Decoder, input inputName: String = "input",
             height: Int = PSPNetFixture.height, width: Int = PSPNetFixture.width, suffix: String = "",
             multiplier: Float = 1) throws -> (Tensor, Tensor) {
        let tag = sizes.isEmpty ? "none" : sizes.map(String.init).joined()
        let fixture = try PSPNetFixture.file(
            "forward-\(backbone.rawValue)-os\(outputStride)-\(tag)-\(decoder.rawValue)\(suffix)\(PSPNetFixture.widthSuffix(multiplier)).safetensors")
        let model = PSPNet(configuration: PSPNetConfiguration(
            backbone: backbone, outputStride: outputStride, pyramidSizes: sizes, decoder: decoder, auxWeight: 0.4,
            classCount: PSPNetFixture.classes, bandCount: PSPNetFixture.bands, width: multiplier))
        try CounterRandom.initialise(model)
        model.eval()
        let input = CounterRandom.input(inputName, batch: 1, height: height, width: width, bands: PSPNetFixture.bands)
        let logits = Tensor.withoutRecording { model(input) }
        return (logits, try fixture.tensor(named: "logits"))
    }

    func check(_ backbone: Backbone, outputStride: Int, sizes: [Int], decoder: Decoder = .upsample, tiny: Bool = false,
               multiplier: Float = 1, file: StaticString = #filePath, line: UInt = #line) throws {
        let (height, width) = tiny ? (11, 7) : (PSPNetFixture.height, PSPNetFixture.width)
        let (logits, expected) = try run(backbone, outputStride: outputStride, sizes: sizes, decoder: decoder,
                                         input: tiny ? "tiny-input" : "input", height: height, width: width, suffix: tiny ? "-tiny" : "",
                                         multiplier: multiplier)
        XCTAssertEqual(logits.shape, [1, height, width, PSPNetFixture.classes], file: file, line: line)
        let error = maximumAbsoluteDifference(logits, expected)
        let scale = expected.scalars.map(abs).max() ?? 0
        print("parity \(backbone.rawValue) os\(outputStride) \(sizes) \(decoder.rawValue)\(tiny ? " 11x7" : "")\(multiplier == 1 ? "" : " width \(multiplier)"): max-abs \(error) (logits up to \(scale))")
        XCTAssertGreaterThan(scale, 0.1, "fixture logits are degenerate", file: file, line: line)
        XCTAssertLessThanOrEqual(error, ForwardParityTests.tolerance, file: file, line: line)
    }

    func testResNet18OutputStride8() throws {
        try check(.resnet18, outputStride: 8, sizes: [1, 3, 5, 6])
        try check(.resnet18, outputStride: 8, sizes: [1, 2, 3, 6])
        try check(.resnet18, outputStride: 8, sizes: [])
    }

    func testResNet18OutputStride16() throws {
        try check(.resnet18, outputStride: 16, sizes: [1, 3, 5, 6])
        try check(.resnet18, outputStride: 16, sizes: [1, 2, 3, 6])
        try check(.resnet18, outputStride: 16, sizes: [])
    }

    func testResNet50OutputStride8() throws {
        try check(.resnet50, outputStride: 8, sizes: [1, 3, 5, 6])
        try check(.resnet50, outputStride: 8, sizes: [1, 2, 3, 6])
        try check(.resnet50, outputStride: 8, sizes: [])
    }

    func testResNet50OutputStride16() throws {
        try check(.resnet50, outputStride: 16, sizes: [1, 3, 5, 6])
        try check(.resnet50, outputStride: 16, sizes: [1, 2, 3, 6])
        try check(.resnet50, outputStride: 16, sizes: [])
    }

    func testFPNDecoder() throws {
        try check(.resnet18, outputStride: 8, sizes: [1, 3, 5, 6], decoder: .fpn)
        try check(.resnet50, outputStride: 16, sizes: [1, 3, 5, 6], decoder: .fpn)
    }

    /// Width multiplier 0.5: every channel count halved (PyTorch twin with the same rounding rule).
    func testHalfWidth() throws {
        try check(.resnet18, outputStride: 8, sizes: [1, 3, 5, 6], decoder: .upsample, multiplier: 0.5)
        try check(.resnet18, outputStride: 8, sizes: [1, 3, 5, 6], decoder: .fpn, multiplier: 0.5)
    }

    /// An 11 x 7 input: feature maps of 2 x 1 (OS 8) and 1 x 1 (OS 16), far smaller than the 3, 5 and 6 bins.
    func testPyramidBinsLargerThanTheFeatureMap() throws {
        for outputStride in [8, 16] {
            for decoder in Decoder.allCases {
                try check(.resnet18, outputStride: outputStride, sizes: [1, 3, 5, 6], decoder: decoder, tiny: true)
            }
        }
    }

    /// Eval mode: each chip of a batch of 4 gets the logits it gets alone.
    func testBatchIndependence() throws {
        let model = PSPNet(configuration: PSPNetConfiguration(
            backbone: .resnet18, outputStride: 8, pyramidSizes: [1, 3, 5, 6], decoder: .fpn, classCount: 5, bandCount: 4))
        try CounterRandom.initialise(model)
        model.eval()
        let batch = CounterRandom.input("batch", batch: 4, height: 37, width: 29, bands: 4)
        let together = Tensor.withoutRecording { model(batch) }
        let chipCount = 37 * 29 * 4, logitCount = 37 * 29 * 5
        for chip in 0..<4 {
            let alone = Tensor(shape: [1, 37, 29, 4], scalars: Array(batch.scalars[chip * chipCount ..< (chip + 1) * chipCount]))
            let logits = Tensor.withoutRecording { model(alone) }
            let slice = Tensor(shape: [1, 37, 29, 5], scalars: Array(together.scalars[chip * logitCount ..< (chip + 1) * logitCount]))
            XCTAssertLessThanOrEqual(maximumAbsoluteDifference(logits, slice), 1e-5, "chip \(chip)")
        }
        // The chips differ, so equality above is not an accident of identical inputs.
        XCTAssertGreaterThan(maximumAbsoluteDifference(
            Tensor(shape: [logitCount], scalars: Array(together.scalars[0 ..< logitCount])),
            Tensor(shape: [logitCount], scalars: Array(together.scalars[logitCount ..< 2 * logitCount]))), 1e-3)
    }
}
