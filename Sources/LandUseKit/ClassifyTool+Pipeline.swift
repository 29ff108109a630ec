import Foundation
import GeoRaster

/// The two ways `ClassifyTool.predict` moves chips through reading, the classifier and writing.
///
/// Sequential: one thing at a time on the calling thread. Pipelined (the default): three threads joined by
/// two bounded queues, so that reading and cutting the next chips and writing finished rows overlap the
/// classifier, which alone keeps the cores busy:
///
/// ```
/// reader thread ──ChipSource.Prepared (≤ 2 queued)──► calling thread: classifier + ChipStitcher
///                                                        ──finished rows, copied (≤ 1 queued)──► writer thread: consume
///
/// Spent buffers travel back (`RecyclingPool`): the classifier's chip storage to the reader, the writer's
/// row copies to the calling thread, so that after the first chip row no stage faults in fresh pages.
/// ```
///
/// The calling thread runs every classifier call and owns the stitcher, in the same order as the sequential
/// path, and the reader cuts the same batches, so the results are bit-identical. Rows are written in order
/// by one writer thread. Memory in flight: the reader's chip-row block plus the batch it is cutting, two
/// queued batches, and two copies of a chip row's finished rows (one queued, one being written). An error
/// on any thread, or cancellation (polled before each chip row), stops both queues, joins both threads and
/// is thrown on the calling thread; the outputs are then discarded by their writers.
extension ClassifyTool {
    /// What both paths need besides the chips.
    struct PredictionWork {
        let grid: ChipGrid
        let area: Window
        let strips: [Range<Int>]
        let classCount: Int
        let classifier: ChipClassifier
        let started: Date
        let progress: ((ClassifyProgress) -> Void)?
    }

    /// Finished rows on their way to the writer thread; the writer hands them back for the next rows.
    private struct FinishedRows {
        var window = Window(columnOffset: 0, rowOffset: 0, columnCount: 0, rowCount: 0)
        var probabilities: [Float] = []
        var weights: [Float] = []

        /// Copies rows into this value's arrays, reusing their memory.
        mutating func fill(window: Window, probabilities: UnsafeBufferPointer<Float>, weights: UnsafeBufferPointer<Float>) {
            self.window = window
            self.probabilities.removeAll(keepingCapacity: true)
            self.probabilities.append(contentsOf: probabilities)
            self.weights.removeAll(keepingCapacity: true)
            self.weights.append(contentsOf: weights)
        }
    }

    /// Holds the caller's `consume` for the writer thread; emptied once the writer has been joined.
    private final class Consumer: @unchecked Sendable {
        var consume: ((Window, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> Void)?
        init(_ consume: @escaping (Window, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> Void) { self.consume = consume }
    }

    static let queuedBatches = 2
    static let queuedRowBlocks = 1

    func predictSequentially(
        source: ChipSource, work: PredictionWork, pass: inout PredictionPass, isCancelled: () -> Bool,
        consume: (Window, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> Void
    ) throws {
        var source = source
        source.parallel = true
        for strip in work.strips {
            let stitcher = ChipStitcher(grid: work.grid, classCount: work.classCount, outputColumns: strip)
            stitcher.parallel = true
            for chipRow in 0..<work.grid.rowCount {
                if isCancelled() { throw ClassifyTool.cancelledError }
                _ = try source.prepare(strip: strip, chipRow: chipRow) { prepared in
                    var prepared = prepared
                    try classify(&prepared, source: source, work: work, stitcher: stitcher, pass: &pass)
                    return true
                }
                try finishRows(of: chipRow, strip: strip, work: work, stitcher: stitcher, consume: consume)
            }
        }
    }

    func predictPipelined(
        source: ChipSource, work: PredictionWork, pass: inout PredictionPass, isCancelled: () -> Bool,
        consume: (Window, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> Void
    ) throws {
        let prepared = BoundedQueue<ChipSource.Prepared>(capacity: ClassifyTool.queuedBatches)
        let finished = BoundedQueue<FinishedRows>(capacity: ClassifyTool.queuedRowBlocks)
        let written = RecyclingPool<FinishedRows>(capacity: ClassifyTool.queuedRowBlocks + 1)
        let strips = work.strips, rowCount = work.grid.rowCount
        try withoutActuallyEscaping(consume) { consume in
            let consumer = Consumer(consume)
            let reader = BackgroundStage(name: "landuse-read") {
                defer { prepared.finish() }
                for strip in strips {
                    for chipRow in 0..<rowCount {
                        guard try source.prepare(strip: strip, chipRow: chipRow, emit: prepared.put) else { return }
                    }
                }
            }
            let writer = BackgroundStage(name: "landuse-write") {
                do {
                    while let rows = finished.take() {
                        try rows.probabilities.withUnsafeBufferPointer { probabilities in
                            try rows.weights.withUnsafeBufferPointer { weights in try consumer.consume!(rows.window, probabilities, weights) }
                        }
                        written.give(consume rows)
                    }
                } catch {
                    finished.cancel()
                    throw error
                }
            }
            defer {
                prepared.cancel()
                finished.cancel()
                reader.join()
                writer.join()
                consumer.consume = nil
            }
            for strip in strips {
                let stitcher = ChipStitcher(grid: work.grid, classCount: work.classCount, outputColumns: strip)
                for chipRow in 0..<rowCount {
                    if isCancelled() { throw ClassifyTool.cancelledError }
                    var endsChipRow = false
                    while !endsChipRow {
                        guard var next = prepared.take() else {
                            throw reader.join() ?? ClassifyTool.stageStopped("reader")
                        }
                        endsChipRow = next.endsChipRow
                        try classify(&next, source: source, work: work, stitcher: stitcher, pass: &pass)
                    }
                    try finishRows(of: chipRow, strip: strip, work: work, stitcher: stitcher) { window, probabilities, weights in
                        var rows = written.take() ?? FinishedRows()
                        rows.fill(window: window, probabilities: probabilities, weights: weights)
                        guard finished.put(rows) else {
                            throw writer.join() ?? ClassifyTool.stageStopped("writer")
                        }
                    }
                }
            }
            finished.finish()
            if let error = writer.join() { throw error }
            if let error = reader.join() { throw error }
        }
    }

    static let cancelledError = LandUseError(.cancelled, "interrupted: no output was written; run the command again")

    /// A stage that ended without an error while the calling thread still needed it: a bug, not a user error.
    private static func stageStopped(_ stage: String) -> LandUseError {
        LandUseError(.failed, "the \(stage) thread stopped early without an error (a LandUse bug): run again with a sequential pipeline and report it")
    }

    /// Classifies `prepared`'s batch and hands its chip storage back to the reader; the batch is moved out of
    /// `prepared` first, so that once this returns nothing but the pool references the storage.
    private func classify(_ prepared: inout ChipSource.Prepared, source: ChipSource, work: PredictionWork, stitcher: ChipStitcher, pass: inout PredictionPass) throws {
        pass.classified += prepared.classified
        pass.skipped += prepared.skipped
        var batch = prepared.batch
        prepared.batch = ChipBatch.empty
        try batch.run(work.classifier, into: stitcher)
        source.storagePool.give(batch.recycle())
        work.progress?(ClassifyProgress(chipsDone: pass.classified + pass.skipped, chipsTotal: pass.chipsTotal, secondsElapsed: Date().timeIntervalSince(work.started)))
    }

    private func finishRows(
        of chipRow: Int, strip: Range<Int>, work: PredictionWork, stitcher: ChipStitcher,
        consume: (Window, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> Void
    ) throws {
        let area = work.area
        try stitcher.finishRows(upTo: work.grid.ownedRows(chipRow).upperBound) { top, rowCount, probabilities, weights in
            try consume(
                Window(columnOffset: area.columnOffset + strip.lowerBound, rowOffset: area.rowOffset + top, columnCount: strip.count, rowCount: rowCount),
                probabilities, weights)
        }
    }
}
