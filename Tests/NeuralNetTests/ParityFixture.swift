import Foundation
import XCTest
import NeuralNet
import TensorCore

/// A PyTorch reference file from Tests/Fixtures/parity (written by make_parity_fixtures.py there).
struct ParityFixture {
    /// The package root: this file is `<root>/Tests/NeuralNetTests/ParityFixture.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = packageRoot.appendingPathComponent("Tests/Fixtures/parity")

    let file: SafeTensorsFile
    let name: String

    init(_ name: String) throws {
        self.name = name
        file = try SafeTensorsFile(contentsOf: ParityFixture.folder.appendingPathComponent(name))
    }

    subscript(_ key: String) -> Tensor {
        get throws { try file.tensor(named: key) }
    }

    func has(_ key: String) -> Bool { file.entries[key] != nil }

    func integer(_ key: String) throws -> Int {
        guard let text = file.metadata[key], let value = Int(text) else { throw SafeTensorsError.tensorNotFound(name: "__metadata__.\(key)") }
        return value
    }

    func number(_ key: String) throws -> Float {
        guard let text = file.metadata[key], let value = Float(text) else { throw SafeTensorsError.tensorNotFound(name: "__metadata__.\(key)") }
        return value
    }
}

/// Asserts equal shapes and |actual − expected| ≤ relative × (|expected| + mean|expected|) elementwise.
///
/// The mean-magnitude term keeps the bound meaningful for entries near zero (a pure relative bound would
/// demand exactness there); for entries of typical size the bound is ≈ 2 × relative.
/// Returns the largest error seen in units of the bound's `relative` factor (≤ `relative` when it passes),
/// so tests can report the tolerance they actually achieve.
@discardableResult
func assertClose(_ actual: Tensor?, _ expected: Tensor, relative: Float, _ label: String, file: StaticString = #filePath, line: UInt = #line) -> Float {
    guard let actual else { XCTFail("\(label): no tensor (expected shape \(expected.shape))", file: file, line: line); return .infinity }
    guard actual.shape == expected.shape else {
        XCTFail("\(label): shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
        return .infinity
    }
    let a = actual.scalars, b = expected.scalars
    let scale = b.isEmpty ? 0 : b.reduce(0) { $0 + abs($1) } / Float(b.count)
    var worst = (index: -1, excess: Float(0))
    var achieved: Float = 0
    for index in b.indices {
        let bound = relative * (abs(b[index]) + scale)
        let error = abs(a[index] - b[index])
        let normalized = error / max(abs(b[index]) + scale, .leastNormalMagnitude)
        if !(normalized <= achieved) { achieved = normalized }
        if !(error <= bound), error / max(bound, .leastNormalMagnitude) > worst.excess || worst.index < 0 {
            worst = (index, error / max(bound, .leastNormalMagnitude))
        }
    }
    if worst.index >= 0 {
        let i = worst.index
        XCTFail("\(label): element \(i) is \(a[i]), expected \(b[i]) (error \(abs(a[i] - b[i])) is \(worst.excess)× the bound for relative \(relative))", file: file, line: line)
    }
    return achieved
}
