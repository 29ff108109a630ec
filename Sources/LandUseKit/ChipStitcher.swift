import Foundation

/// Blends per-chip class probabilities into finished rows, holding at most one chip row of accumulators.
///
/// Feed the chips of one column strip (a contiguous range of chip columns) chip row by chip row, in
/// row-major order; after each chip row, `finishRows` hands out the pixel rows that no later chip touches,
/// as weighted-mean probabilities over `outputColumns`. Memory: (chip size + chip step) rows x strip width x
/// classes floats, independent of the raster's height; strips bound the width. Each pixel's value is the
/// same floating-point sum in the same order (chips in row-major order) whichever strip or shard computes
/// it, so strips and shards reproduce a single run exactly.
public final class ChipStitcher {
    public let grid: ChipGrid
    public let classCount: Int
    /// The pixel columns this stitcher produces.
    public let outputColumns: Range<Int>
    private let window: BlendWindow
    /// First pixel row held in the accumulators.
    private var bufferTop: Int
    /// Rows held: [bufferTop, bufferTop + rowsHeld).
    private var rowsHeld = 0
    private var probabilitySums: [Float] = []
    private var weightSums: [Float] = []
    /// Spread `add` and `finishRows` over the engine's threads (`StageParallelism`; each pixel's sum keeps its
    /// order, so results are bit-identical either way).
    public var parallel = false

    /// - Parameter startRow: the first pixel row that will be produced (0, or a shard's first row).
    public init(grid: ChipGrid, classCount: Int, outputColumns: Range<Int>, startRow: Int = 0) {
        precondition(classCount > 0, "ChipStitcher: class count \(classCount) must be positive")
        precondition(outputColumns.lowerBound >= 0 && outputColumns.upperBound <= grid.rasterWidth, "ChipStitcher: columns \(outputColumns) outside raster width \(grid.rasterWidth)")
        self.grid = grid
        self.classCount = classCount
        self.outputColumns = outputColumns
        window = BlendWindow(size: grid.chipSize, ramp: grid.overlap)
        bufferTop = startRow
    }

    private var width: Int { outputColumns.count }

    private func ensureRows(through lastRow: Int) {
        let needed = lastRow - bufferTop
        guard needed > rowsHeld else { return }
        probabilitySums.append(contentsOf: repeatElement(0, count: (needed - rowsHeld) * width * classCount))
        weightSums.append(contentsOf: repeatElement(0, count: (needed - rowsHeld) * width))
        rowsHeld = needed
    }

    /// Adds one chip's probabilities.
    /// - Parameters:
    ///   - probabilities: `[chipSize, chipSize, classCount]` row-major (NHWC without the batch), for the chip
    ///     at chip row `row`, chip column `column`. Pixels beyond the raster (padding of short rasters) are
    ///     ignored.
    ///   - valid: optional per-pixel validity `[chipSize * chipSize]`; invalid pixels contribute nothing.
    public func add(probabilities: UnsafeBufferPointer<Float>, valid: UnsafeBufferPointer<UInt8>? = nil, row: Int, column: Int) {
        let size = grid.chipSize
        precondition(probabilities.count == size * size * classCount, "ChipStitcher.add: got \(probabilities.count) values, need \(size) x \(size) x \(classCount)")
        let rows = grid.rowExtent(row)
        let columns = grid.columnExtent(column)
        // Rows above bufferTop are finished (or belong to the shard above): a halo chip contributes only below.
        guard rows.upperBound > bufferTop else { return }
        ensureRows(through: rows.upperBound)
        let first = max(columns.lowerBound, outputColumns.lowerBound)
        let end = min(columns.upperBound, outputColumns.upperBound)
        guard first < end else { return }
        let classes = classCount
        let outputWidth = width
        let firstRow = max(rows.lowerBound, bufferTop)
        let top = bufferTop, outputStart = outputColumns.lowerBound
        probabilitySums.withUnsafeMutableBufferPointer { sums in
            weightSums.withUnsafeMutableBufferPointer { weights in
                window.profile.withUnsafeBufferPointer { profile in
                    StageParallelism.blocks(rows.upperBound - firstRow, parallel: parallel, minimumBlock: 32) { block in
                        for pixelRow in (firstRow + block.lowerBound)..<(firstRow + block.upperBound) {
                            let chipRow = pixelRow - rows.lowerBound
                            let rowWeight = profile[chipRow]
                            let bufferRow = pixelRow - top
                            for pixelColumn in first..<end {
                                let chipColumn = pixelColumn - columns.lowerBound
                                let chipIndex = chipRow * size + chipColumn
                                if let valid, valid[chipIndex] == 0 { continue }
                                let weight = rowWeight * profile[chipColumn]
                                let target = bufferRow * outputWidth + (pixelColumn - outputStart)
                                weights[target] += weight
                                let source = chipIndex * classes
                                let destination = target * classes
                                for k in 0..<classes { sums[destination + k] += weight * probabilities[source + k] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Hands out rows `[bufferTop, upTo)` as blended probabilities and drops them from the accumulators.
    ///
    /// `body` receives the first row, the row count, the probabilities `[rows, width, classCount]` (a pixel
    /// no chip covered with a valid value has all zeros) and the weight sums `[rows, width]` (0 = no data).
    public func finishRows(upTo end: Int, _ body: (Int, Int, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> Void) rethrows {
        let count = end - bufferTop
        guard count > 0 else { return }
        ensureRows(through: end)
        let classes = classCount
        let outputWidth = width
        probabilitySums.withUnsafeMutableBufferPointer { sums in
            weightSums.withUnsafeBufferPointer { weights in
                StageParallelism.blocks(count * outputWidth, parallel: parallel, minimumBlock: 16384) { pixels in
                    for pixel in pixels where weights[pixel] > 0 {
                        let scale = 1 / weights[pixel]
                        for k in 0..<classes { sums[pixel * classes + k] *= scale }
                    }
                }
            }
        }
        try probabilitySums.withUnsafeBufferPointer { sums in
            try weightSums.withUnsafeBufferPointer { weights in
                try body(bufferTop, count,
                         UnsafeBufferPointer(rebasing: sums[0..<(count * outputWidth * classes)]),
                         UnsafeBufferPointer(rebasing: weights[0..<(count * outputWidth)]))
            }
        }
        ChipStitcher.dropFront(&probabilitySums, count * outputWidth * classes)
        ChipStitcher.dropFront(&weightSums, count * outputWidth)
        rowsHeld -= count
        bufferTop = end
    }

    /// Removes the first `count` elements keeping the array's memory (`removeFirst` of every element hands
    /// it back, so the next chip row would fault in fresh pages).
    private static func dropFront(_ array: inout [Float], _ count: Int) {
        let kept = array.count - count
        if kept > 0 {
            array.withUnsafeMutableBufferPointer { buffer in
                let base = UnsafeMutableRawPointer(buffer.baseAddress!)
                _ = memmove(base, base + count * MemoryLayout<Float>.stride, kept * MemoryLayout<Float>.stride)
            }
        }
        array.removeLast(count)
    }
}
