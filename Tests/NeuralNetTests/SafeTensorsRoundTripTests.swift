import Foundation
import XCTest
import NeuralNet
import TensorCore

final class SafeTensorsRoundTripTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private let sample: [String: Tensor] = [
        "backbone.conv1.weight": Tensor(shape: [2, 1, 2, 2], scalars: [0.5, -1.25, 3, 0, 1e-3, -7.75, 100, 0.125]),
        "backbone.bn1.running_var": Tensor(shape: [3], scalars: [1, 2, 0.25]),
        "scalar": Tensor(42),
        "empty": Tensor(shape: [0, 4]),
    ]

    func testFloat32RoundTripIsExactWithMetadata() throws {
        let url = folder.appendingPathComponent("model.safetensors")
        try SafeTensorsWriter.write(sample, to: url, metadata: ["classes": "water,forest", "note": "quote \" and \\ and \n"])
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.metadata, ["classes": "water,forest", "note": "quote \" and \\ and \n"])
        XCTAssertEqual(Set(file.names), Set(sample.keys))
        for (name, tensor) in sample {
            XCTAssertEqual(file.entries[name]?.dtype, .float32)
            let read = try file.tensor(named: name)
            XCTAssertEqual(read.shape, tensor.shape, name)
            XCTAssertEqual(read.scalars, tensor.scalars, name)
        }
        // No temporary file is left next to the result.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"])
    }

    func testFloat16AndBFloat16RoundTripWithinTheirPrecision() throws {
        let values: [Float] = [0, 1, -2.5, 0.1, 1.0 / 3, 1000.5, -65504, 6e-5, 3e-7]
        let tensor = Tensor(shape: [values.count], scalars: values)
        for (dtype, relative) in [(SafeTensorsDType.float16, Float(1.0 / 2048)), (.bfloat16, Float(1.0 / 256))] {
            let data = try SafeTensorsWriter.encode(["x": tensor, "y": tensor], dtype: dtype, dtypes: ["y": .float32])
            let file = try SafeTensorsFile(data: data)
            XCTAssertEqual(file.entries["x"]?.dtype, dtype)
            XCTAssertEqual(file.entries["y"]?.dtype, .float32)
            XCTAssertEqual(try file.tensor(named: "y").scalars, values)
            let read = try file.tensor(named: "x").scalars
            for (got, want) in zip(read, values) {
                let subnormalStep: Float = dtype == .float16 ? 6e-8 : 0
                XCTAssertLessThanOrEqual(abs(got - want), relative * abs(want) + subnormalStep, "\(dtype) \(want) -> \(got)")
            }
            // Converting twice changes nothing: the stored values are exactly representable.
            let again = try SafeTensorsFile(data: SafeTensorsWriter.encode(["x": try file.tensor(named: "x")], dtype: dtype))
            XCTAssertEqual(try again.tensor(named: "x").scalars, read)
        }
    }

    func testHeaderIsPaddedToEightBytesAndDataFollowsByName() throws {
        for length in 1...9 {
            let data = try SafeTensorsWriter.encode(["n" + String(repeating: "x", count: length): Tensor(shape: [1], scalars: [1])])
            let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            XCTAssertEqual(headerLength % 8, 0)
            XCTAssertEqual(data.count, 8 + headerLength + 4)
            XCTAssertEqual(data[8 + headerLength - 1] == UInt8(ascii: "}") || data[8 + headerLength - 1] == UInt8(ascii: " "), true)
        }
        let file = try SafeTensorsFile(data: SafeTensorsWriter.encode(sample))
        XCTAssertEqual(file.names.filter { !(file.entries[$0]!.dataRange.isEmpty) }, sample.keys.sorted().filter { sample[$0]!.count > 0 })
    }

    func testWriterRejectsReservedNamesAndUnwritableTypes() {
        XCTAssertThrowsError(try SafeTensorsWriter.encode(["__metadata__": Tensor(1)])) { error in
            XCTAssertEqual(error as? SafeTensorsError, .invalidName("__metadata__"))
        }
        XCTAssertThrowsError(try SafeTensorsWriter.encode(["a": Tensor(1)], dtype: .int64)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .unsupportedDType(name: "a", dtype: "I64"))
        }
    }

    func testOverwritingReplacesTheFileAtomically() throws {
        let url = folder.appendingPathComponent("model.safetensors")
        try SafeTensorsWriter.write(["a": Tensor(1)], to: url)
        try SafeTensorsWriter.write(["b": Tensor(2)], to: url)
        XCTAssertEqual(try SafeTensorsFile(contentsOf: url).names, ["b"])
    }

    /// A file written by Python's `safetensors` package (see make_parity_fixtures.py, `python_written`).
    func testReadsFileWrittenByPythonSafetensors() throws {
        let fixture = try ParityFixture("python_written.safetensors")
        XCTAssertEqual(fixture.file.metadata, ["format": "pt", "note": "written by make_parity_fixtures.py"])
        XCTAssertEqual(fixture.file.entries["values.f16"]?.dtype, .float16)
        XCTAssertEqual(fixture.file.entries["values.bf16"]?.dtype, .bfloat16)
        XCTAssertEqual(fixture.file.entries["counter"]?.dtype, .int64)
        let values = try fixture["values"]
        XCTAssertEqual(try fixture["values.f16"].scalars.map(\.bitPattern), try fixture["values.f16_as_f32"].scalars.map(\.bitPattern))
        XCTAssertEqual(try fixture["values.bf16"].scalars.map(\.bitPattern), try fixture["values.bf16_as_f32"].scalars.map(\.bitPattern))
        XCTAssertEqual(try fixture["matrix"].shape, [2, 3, 4])
        XCTAssertEqual(try fixture["matrix"].scalars, (0..<24).map { Float($0) / 4 })
        XCTAssertEqual(try fixture["empty"].shape, [0, 3])
        XCTAssertEqual(try fixture["counter"].shape, [])
        XCTAssertEqual(try fixture["counter"].scalar, 7)

        // Our float-to-half conversions round exactly as PyTorch's do, so our writer's bytes match Python's.
        for (dtype, key) in [(SafeTensorsDType.float16, "values.f16"), (.bfloat16, "values.bf16")] {
            let ours = try SafeTensorsFile(data: SafeTensorsWriter.encode(["v": values], dtype: dtype))
            XCTAssertEqual(try ours.tensor(named: "v").scalars.map(\.bitPattern), try fixture[key].scalars.map(\.bitPattern), key)
        }
    }
}
