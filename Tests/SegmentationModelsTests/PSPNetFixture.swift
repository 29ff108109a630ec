import Foundation
import NeuralNet
import TensorCore

/// Files of Tests/Fixtures/pspnet (written by make_pspnet_fixtures.py there).
enum PSPNetFixture {
    /// The package root: this file is `<root>/Tests/SegmentationModelsTests/PSPNetFixture.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = packageRoot.appendingPathComponent("Tests/Fixtures/pspnet")

    static func file(_ name: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(contentsOf: folder.appendingPathComponent(name))
    }

    static func lines(_ name: String) throws -> [String] {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    static let bands = 6, classes = 7, height = 45, width = 61

    /// The file-name suffix of fixtures for a width multiplier ("" for 1, "-width0.5" for 0.5), as the script writes it.
    static func widthSuffix(_ multiplier: Float) -> String { multiplier == 1 ? "" : "-width\(multiplier)" }
}

/// Largest |a - b| over two equally shaped tensors.
func maximumAbsoluteDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "maximumAbsoluteDifference: shapes \(a.shape) and \(b.shape) differ")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
