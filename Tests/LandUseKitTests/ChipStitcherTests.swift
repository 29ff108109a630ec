import XCTest
import LandUseKit

final class ChipStitcherTests: XCTestCase {
    /// A fake per-chip prediction that depends on the chip (so blending matters) and on the pixel.
    private func chipProbabilities(grid: ChipGrid, row: Int, column: Int, classes: Int, chipDependent: Bool) -> [Float] {
        let size = grid.chipSize
        var values = [Float](repeating: 0, count: size * size * classes)
        for y in 0..<size {
            for x in 0..<size {
                let globalY = grid.rowOffsets[row] + y, globalX = grid.columnOffsets[column] + x
                for k in 0..<classes {
                    var value = Float((globalY * 7 + globalX * 3 + k * 11) % 17) / 17
                    if chipDependent { value += Float((row * 31 + column * 17 + k) % 5) * 0.01 }
                    values[(y * size + x) * classes + k] = value
                }
            }
        }
        return values
    }

    private func stitch(grid: ChipGrid, classes: Int, rows: Range<Int>, columns: Range<Int>, chipDependent: Bool) -> [Float] {
        let stitcher = ChipStitcher(grid: grid, classCount: classes, outputColumns: columns, startRow: rows.lowerBound)
        var output = [Float](repeating: -1, count: rows.count * columns.count * classes)
        for chipRow in grid.chipRows(touching: rows) {
            for chipColumn in grid.chipColumns(touching: columns) {
                let values = chipProbabilities(grid: grid, row: chipRow, column: chipColumn, classes: classes, chipDependent: chipDependent)
                values.withUnsafeBufferPointer { stitcher.add(probabilities: $0, row: chipRow, column: chipColumn) }
            }
            stitcher.finishRows(upTo: min(grid.ownedRows(chipRow).upperBound, rows.upperBound)) { top, count, probabilities, weights in
                XCTAssertTrue(weights.allSatisfy { $0 > 0 })
                for index in 0..<probabilities.count { output[(top - rows.lowerBound) * columns.count * classes + index] = probabilities[index] }
            }
        }
        return output
    }

    func testAgreeingChipsStitchToTheirCommonPrediction() {
        let grid = ChipGrid(rasterWidth: 150, rasterHeight: 130, chipSize: 64, overlap: 16)
        let output = stitch(grid: grid, classes: 3, rows: 0..<130, columns: 0..<150, chipDependent: false)
        for y in 0..<130 {
            for x in 0..<150 {
                for k in 0..<3 {
                    let expected = Float((y * 7 + x * 3 + k * 11) % 17) / 17
                    XCTAssertEqual(output[(y * 150 + x) * 3 + k], expected, accuracy: 1e-5, "pixel (\(y), \(x)) class \(k)")
                }
            }
        }
    }

    func testShardsAndColumnStripsReproduceASingleRunExactly() {
        let grid = ChipGrid(rasterWidth: 170, rasterHeight: 230, chipSize: 48, overlap: 12)
        let whole = stitch(grid: grid, classes: 2, rows: 0..<230, columns: 0..<170, chipDependent: true)
        var merged: [Float] = []
        for index in 0..<3 {
            merged += stitch(grid: grid, classes: 2, rows: grid.shardRows(index: index, of: 3), columns: 0..<170, chipDependent: true)
        }
        XCTAssertEqual(merged, whole, "sharded run differs from the single run")
        let left = stitch(grid: grid, classes: 2, rows: 0..<230, columns: 0..<grid.ownedColumns(1).upperBound, chipDependent: true)
        let right = stitch(grid: grid, classes: 2, rows: 0..<230, columns: grid.ownedColumns(2).lowerBound..<170, chipDependent: true)
        let leftWidth = grid.ownedColumns(1).upperBound
        for y in 0..<230 {
            let row = Array(left[(y * leftWidth * 2)..<((y + 1) * leftWidth * 2)]) + Array(right[(y * (170 - leftWidth) * 2)..<((y + 1) * (170 - leftWidth) * 2)])
            XCTAssertEqual(row, Array(whole[(y * 170 * 2)..<((y + 1) * 170 * 2)]), "row \(y) of the column strips differs")
        }
    }

    func testInvalidPixelsContributeNothing() {
        let grid = ChipGrid(rasterWidth: 8, rasterHeight: 8, chipSize: 8, overlap: 0)
        let stitcher = ChipStitcher(grid: grid, classCount: 1, outputColumns: 0..<8)
        let probabilities = [Float](repeating: 0.5, count: 64)
        var valid = [UInt8](repeating: 1, count: 64)
        valid[9] = 0
        probabilities.withUnsafeBufferPointer { p in valid.withUnsafeBufferPointer { v in stitcher.add(probabilities: p, valid: v, row: 0, column: 0) } }
        stitcher.finishRows(upTo: 8) { _, _, probabilities, weights in
            XCTAssertEqual(weights[9], 0)
            XCTAssertEqual(probabilities[9], 0)
            XCTAssertEqual(probabilities[10], 0.5, accuracy: 1e-6)
        }
    }

    func testBlendWindowRisesSmoothlyAndStaysPositive() {
        let window = BlendWindow(size: 16, ramp: 4)
        XCTAssertTrue(window.profile.allSatisfy { $0 > 0 && $0 <= 1 })
        XCTAssertEqual(window.profile[4..<12].allSatisfy { $0 == 1 }, true)
        XCTAssertTrue(window.profile[0] < window.profile[1] && window.profile[1] < window.profile[2])
        XCTAssertEqual(window.profile[0], window.profile[15])
    }
}
