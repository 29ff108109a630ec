import GeoRaster
import TensorCore

/// Reads the input rows of one chip row of one column strip and cuts them into batches of normalised chips:
/// the first stage of `ClassifyTool.predict`, the same code whether it runs in line or on the reader thread.
struct ChipSource {
    /// Chips cut from one chip row, ready for the classifier.
    struct Prepared {
        /// At most `batchSize` chips (possibly none: a chip row's last batch, or a row of empty chips).
        var batch: ChipBatch
        /// Chips cut into `batch` and chips skipped (no valid pixel) since the previous `Prepared`.
        var classified: Int
        var skipped: Int
        /// Whether this is the chip row's last batch: after it, the chip row's rows can be finished.
        var endsChipRow: Bool
    }

    let dataset: RasterDataset
    /// The classified part of the input; the grid lives in its coordinates.
    let area: Window
    let grid: ChipGrid
    /// 1-based input bands in model order.
    let bands: [Int]
    let normalisation: [BandInfo]
    /// How pixels that some bands miss enter the model (the model file's nodata policy).
    let policy: NodataPolicy
    let batchSize: Int
    /// Whether cutting may use every engine thread (`StageParallelism`; the sequential path).
    var parallel = false
    /// Chip storage handed back after the classifier ran (`ClassifyTool`), refilled by the next batches once
    /// nothing else references it.
    let storagePool = RecyclingPool<TensorStorage>(capacity: ClassifyTool.queuedBatches + 2)
    /// The reader's spent input block, reused for the next read of the same size. Only the thread that
    /// calls `prepare` touches it.
    private let spent = SpentBlock()

    private final class SpentBlock: @unchecked Sendable {
        var block: PolicyBlock?
    }

    /// Reads chip row `chipRow` over the chip columns touching `strip` and hands `emit` each full batch, then
    /// the row's last batch (`endsChipRow`). Stops early, returning false, when `emit` returns false.
    ///
    /// The input is read `batchSize` chip columns at a time (a window of one chip row by `batchSize` chips), so
    /// the block in memory does not grow with the strip's width; batches still fill in chip order across those
    /// reads, exactly as from one read of the whole row. GDAL's cached input blocks are kept through the
    /// chip row (a scanline input decodes each row once) and released after it, so the cache does not grow
    /// with the raster (rows that the next chip row shares are decoded again).
    func prepare(strip: Range<Int>, chipRow: Int, emit: (Prepared) throws -> Bool) throws -> Bool {
        let chipColumns = grid.chipColumns(touching: strip)
        let rows = grid.rowExtent(chipRow)
        var prepared = Prepared(batch: newBatch(), classified: 0, skipped: 0, endsChipRow: false)
        for groupStart in stride(from: chipColumns.lowerBound, to: chipColumns.upperBound, by: batchSize) {
            let group = groupStart..<min(groupStart + batchSize, chipColumns.upperBound)
            let columns = grid.columnExtent(group.lowerBound).lowerBound..<grid.columnExtent(group.upperBound - 1).upperBound
            let local = Window(columnOffset: columns.lowerBound, rowOffset: rows.lowerBound, columnCount: columns.count, rowCount: rows.count)
            let read = try PolicyBlock.read(
                dataset,
                window: Window(columnOffset: area.columnOffset + local.columnOffset, rowOffset: area.rowOffset + local.rowOffset,
                               columnCount: local.columnCount, rowCount: local.rowCount),
                bands: bands, policy: policy, reusing: spent.block.take())
            defer { spent.block = read }
            let block = PixelBlock(window: local, bands: read.block.bands, values: read.block.values, isValid: read.block.isValid)
            for chipColumn in group {
                if prepared.batch.cut(from: block, sampleValid: read.sampleValid, grid: grid, chipRow: chipRow, chipColumn: chipColumn, bands: normalisation, parallel: parallel) {
                    prepared.classified += 1
                } else {
                    prepared.skipped += 1
                }
                if prepared.batch.isFull {
                    guard try emit(prepared) else { return false }
                    // Let go of the emitted batch's storage before asking the pool for one: on the sequential
                    // path it has already been classified and handed back, and is free once this copy is gone.
                    prepared.batch = ChipBatch.empty
                    prepared = Prepared(batch: newBatch(), classified: 0, skipped: 0, endsChipRow: false)
                }
            }
        }
        for band in Set(bands) { dataset.releaseCachedBlocks(band: band) }
        prepared.endsChipRow = true
        return try emit(prepared)
    }

    private func newBatch() -> ChipBatch {
        ChipBatch(chipSize: grid.chipSize, bandCount: bands.count, capacity: batchSize, storage: storagePool.takeUnreferenced())
    }
}
