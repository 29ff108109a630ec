import XCTest
import LandUseKit

final class ChipGridTests: XCTestCase {
    func testChipsCoverTheRasterAndSnapInside() {
        let grid = ChipGrid(rasterWidth: 1000, rasterHeight: 700, chipSize: 256, overlap: 64)
        XCTAssertEqual(grid.columnOffsets, [0, 192, 384, 576, 744])
        XCTAssertEqual(grid.rowOffsets, [0, 192, 384, 444])
        var covered = [Bool](repeating: false, count: 1000 * 700)
        for row in 0..<grid.rowCount {
            for column in 0..<grid.columnCount {
                XCTAssertEqual(grid.rowExtent(row).count, 256)
                XCTAssertEqual(grid.columnExtent(column).count, 256)
                for y in grid.rowExtent(row) { for x in grid.columnExtent(column) { covered[y * 1000 + x] = true } }
            }
        }
        XCTAssertTrue(covered.allSatisfy { $0 })
    }

    func testExactFitHasNoExtraChip() {
        let grid = ChipGrid(rasterWidth: 512, rasterHeight: 448, chipSize: 256, overlap: 64)
        XCTAssertEqual(grid.columnOffsets, [0, 192, 256])
        XCTAssertEqual(ChipGrid(rasterWidth: 256, rasterHeight: 256, chipSize: 256, overlap: 0).chipCount, 1)
        XCTAssertEqual(ChipGrid(rasterWidth: 768, rasterHeight: 256, chipSize: 256, overlap: 0).columnOffsets, [0, 256, 512])
    }

    func testRasterSmallerThanAChipHasOneClippedChip() {
        let grid = ChipGrid(rasterWidth: 97, rasterHeight: 300, chipSize: 256, overlap: 32)
        XCTAssertEqual(grid.columnOffsets, [0])
        XCTAssertEqual(grid.columnExtent(0), 0..<97)
        XCTAssertEqual(grid.rowOffsets, [0, 44])
    }

    func testOwnedRowsAndShardsPartitionTheRaster() {
        let grid = ChipGrid(rasterWidth: 300, rasterHeight: 1234, chipSize: 128, overlap: 32)
        var next = 0
        for row in 0..<grid.rowCount {
            XCTAssertEqual(grid.ownedRows(row).lowerBound, next)
            next = grid.ownedRows(row).upperBound
        }
        XCTAssertEqual(next, 1234)
        for count in [1, 2, 3, 5, grid.rowCount] {
            var shardNext = 0
            for index in 0..<count {
                let rows = grid.shardRows(index: index, of: count)
                XCTAssertEqual(rows.lowerBound, shardNext, "shard \(index) of \(count)")
                shardNext = rows.upperBound
            }
            XCTAssertEqual(shardNext, 1234, "\(count) shards")
        }
    }

    func testChipRowsTouchingIncludeTheHalo() {
        let grid = ChipGrid(rasterWidth: 300, rasterHeight: 1000, chipSize: 128, overlap: 32)
        // Chip rows start at 0, 96, 192, ...; pixel rows 200..<300 are touched by chips starting at 96, 192, 288.
        XCTAssertEqual(grid.chipRows(touching: 200..<300), 1..<4)
        XCTAssertEqual(grid.chipRows(touching: 0..<1), 0..<1)
    }
}
