import XCTest
import LandUseKit

final class ProgressReporterTests: XCTestCase {
    func testLineShowsCountRateAndETA() {
        let line = ProgressReporter.line(label: "classify", unit: "chips", done: 30, total: 120, seconds: 15, bar: true)
        XCTAssertEqual(line, "classify [######..................] 30/120 chips (25%), 2.0 chips/s, ETA 45s")
        let plain = ProgressReporter.line(label: "train", unit: "it", done: 100, total: 100, seconds: 3725, extra: "loss 0.41", bar: false)
        XCTAssertEqual(plain, "train 100/100 it (100%), 0.0 it/s, done in 1h02m, loss 0.41")
    }

    func testCancellationFlag() {
        let flag = CancellationFlag()
        XCTAssertFalse(flag.isCancelled)
        flag.cancel()
        XCTAssertTrue(flag.isCancelled)
    }
}
