/// The chips that cover a raster: squares of `chipSize` pixels overlapping by `overlap`, in row-major order.
///
/// Offsets along each axis are 0, step, 2 step, ... with step = chipSize - overlap; the last chip of each
/// row and column is snapped inside the raster (it ends exactly at the raster's edge, overlapping its
/// neighbour by more than `overlap`). An axis shorter than a chip has one chip at offset 0 whose extent is
/// the whole axis; the classifier pads it by reflection to `chipSize` and crops back.
///
/// The grid is a pure function of (raster size, chip size, overlap), so every machine of a sharded run
/// computes the same chips, and each output pixel row is owned by exactly one chip row (`ownedRows`),
/// which is what lets a `--shard i/N` run produce a band that a merge concatenates.
public struct ChipGrid: Equatable, Sendable {
    public let rasterWidth: Int
    public let rasterHeight: Int
    public let chipSize: Int
    public let overlap: Int
    /// Left pixel column of each chip column.
    public let columnOffsets: [Int]
    /// Top pixel row of each chip row.
    public let rowOffsets: [Int]

    /// - Precondition: positive raster sizes, `chipSize > 0`, `0 <= overlap < chipSize` (validated by callers
    ///   that take user input, which throw with a fix instead).
    public init(rasterWidth: Int, rasterHeight: Int, chipSize: Int, overlap: Int) {
        precondition(rasterWidth > 0 && rasterHeight > 0, "ChipGrid: raster size \(rasterWidth) x \(rasterHeight) must be positive")
        precondition(chipSize > 0 && overlap >= 0 && overlap < chipSize, "ChipGrid: chip size \(chipSize) and overlap \(overlap) need 0 <= overlap < chip size")
        self.rasterWidth = rasterWidth
        self.rasterHeight = rasterHeight
        self.chipSize = chipSize
        self.overlap = overlap
        columnOffsets = ChipGrid.offsets(length: rasterWidth, chipSize: chipSize, step: chipSize - overlap)
        rowOffsets = ChipGrid.offsets(length: rasterHeight, chipSize: chipSize, step: chipSize - overlap)
    }

    private static func offsets(length: Int, chipSize: Int, step: Int) -> [Int] {
        guard length > chipSize else { return [0] }
        var result: [Int] = []
        var offset = 0
        while offset + chipSize < length {
            result.append(offset)
            offset += step
        }
        result.append(length - chipSize)
        return result
    }

    /// Number of chip rows and columns.
    public var rowCount: Int { rowOffsets.count }
    public var columnCount: Int { columnOffsets.count }
    public var chipCount: Int { rowCount * columnCount }

    /// Pixel rows `[start, end)` covered by chip row `row` (clipped to the raster for short rasters).
    public func rowExtent(_ row: Int) -> Range<Int> {
        rowOffsets[row]..<min(rowOffsets[row] + chipSize, rasterHeight)
    }

    /// Pixel columns `[start, end)` covered by chip column `column`.
    public func columnExtent(_ column: Int) -> Range<Int> {
        columnOffsets[column]..<min(columnOffsets[column] + chipSize, rasterWidth)
    }

    /// The pixel rows whose stitched values are final once chip rows `0...row` are in: from this chip row's
    /// top to the next chip row's top (to the raster's bottom for the last). These bands partition the raster.
    public func ownedRows(_ row: Int) -> Range<Int> {
        rowOffsets[row]..<(row + 1 < rowCount ? rowOffsets[row + 1] : rasterHeight)
    }

    /// The pixel columns owned by chip column `column`, defined like `ownedRows`.
    public func ownedColumns(_ column: Int) -> Range<Int> {
        columnOffsets[column]..<(column + 1 < columnCount ? columnOffsets[column + 1] : rasterWidth)
    }

    /// The chip rows whose chips touch any of `pixelRows`: the rows a shard must run (its halo included) to
    /// stitch those pixel rows exactly as a single run would.
    public func chipRows(touching pixelRows: Range<Int>) -> Range<Int> {
        chipIndices(offsets: rowOffsets, touching: pixelRows)
    }

    /// The chip columns whose chips touch any of `pixelColumns` (column strips of very wide rasters).
    public func chipColumns(touching pixelColumns: Range<Int>) -> Range<Int> {
        chipIndices(offsets: columnOffsets, touching: pixelColumns)
    }

    private func chipIndices(offsets: [Int], touching pixels: Range<Int>) -> Range<Int> {
        guard !pixels.isEmpty else { return 0..<0 }
        let first = offsets.firstIndex { $0 + chipSize > pixels.lowerBound } ?? offsets.count
        let end = offsets.lastIndex { $0 < pixels.upperBound }.map { $0 + 1 } ?? 0
        return first..<max(first, end)
    }

    /// The pixel rows of shard `index` of `count` when chip rows are dealt out in contiguous bands:
    /// the union of the owned rows of its chip rows. Shards partition the raster's rows.
    public func shardRows(index: Int, of count: Int) -> Range<Int> {
        precondition(count > 0 && index >= 0 && index < count, "shard \(index) of \(count): need 0 <= index < count")
        let first = index * rowCount / count
        let end = (index + 1) * rowCount / count
        guard first < end else { return rowOffsets[min(first, rowCount - 1)]..<rowOffsets[min(first, rowCount - 1)] }
        return ownedRows(first).lowerBound..<ownedRows(end - 1).upperBound
    }
}
