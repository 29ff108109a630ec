import Foundation
import XCTest

/// `landuse train --width`: the option reaches the network configuration (checked before any raster is read).
final class TrainWidthCommandTests: XCTestCase {
    private func train(_ extra: [String]) throws -> LandUseBinary.Result {
        let folder = try CLITestSupport.folder("train-width")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return try LandUseBinary.run(["train", "--image", folder.appendingPathComponent("image.tif").path,
                                      "--labels", folder.appendingPathComponent("labels.tif").path,
                                      "--output", folder.appendingPathComponent("model.safetensors").path,
                                      "--val-window", "0,0,32,32", "--quiet"] + extra)
    }

    func testWidthOutsideTheRangeIsRefused() throws {
        let result = try train(["--width", "0.1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("width is 0.1: use a multiplier from 0.25 to 1.0"), result.stderr)
    }

    func testNarrowNetworkRefusesTorchvisionWeights() throws {
        let result = try train(["--width", "0.5", "--backbone-weights", "/nonexistent/resnet18.safetensors"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("torchvision ResNet weights fit width 1.0 only: train from scratch or use --width 1"), result.stderr)
    }
}
