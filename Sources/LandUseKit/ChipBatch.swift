import GeoRaster
import TensorCore

/// A batch of normalised chips waiting for the classifier, with the validity of each chip's pixels.
struct ChipBatch {
    let chipSize: Int
    let bandCount: Int
    let capacity: Int
    /// The chips, `[capacity, S, S, bands]`, written in place and handed to the classifier without a copy when
    /// the batch is full (the first `positions.count` chips are in use).
    private var values: TensorStorage
    private var validity: [UInt8] = []
    private var positions: [(row: Int, column: Int)] = []

    /// - Parameter storage: spent chip storage to fill again (see `recycle()`); used when its size fits.
    init(chipSize: Int, bandCount: Int, capacity: Int, storage: TensorStorage? = nil) {
        self.chipSize = chipSize
        self.bandCount = bandCount
        self.capacity = capacity
        let count = capacity * chipSize * chipSize * bandCount
        if let storage, storage.count == count {
            values = storage  // `cut` notes the modification when it starts filling it
        } else {
            values = TensorStorage(uninitializedCount: count)
        }
        validity.reserveCapacity(capacity * chipSize * chipSize)
    }

    /// A batch of no chips, holding no storage worth recycling (a placeholder for a batch moved out).
    static var empty: ChipBatch { ChipBatch(chipSize: 0, bandCount: 0, capacity: 0) }

    /// The chip storage, for a later batch to fill (`RecyclingPool.takeUnreferenced` hands it out only once
    /// no copy of this batch and no classifier holds it).
    consuming func recycle() -> TensorStorage {
        values
    }

    var isFull: Bool { positions.count >= capacity }

    /// Index into an axis of `length` pixels for chip position `index`, mirrored at the ends (padding of
    /// rasters shorter than a chip: 0 1 2 | 1 0 ..., without repeating the edge pixel).
    @inline(__always)
    private static func reflect(_ index: Int, length: Int) -> Int {
        guard length > 1 else { return 0 }
        let period = 2 * (length - 1)
        let folded = index % period
        return folded < length ? folded : period - folded
    }

    /// Cuts chip (`chipRow`, `chipColumn`) out of `block` (the rows of that chip row, the columns of the
    /// strip), normalises it with `bands`' mean and std and queues it. Invalid pixels, and samples that
    /// `sampleValid` marks invalid (`fill_missing_bands`), enter as 0, the band mean. Returns false (queuing
    /// nothing) when the chip has no valid pixel.
    /// `parallel`: spread the rows over the engine's threads (`StageParallelism`).
    mutating func cut(from block: PixelBlock, sampleValid: [Bool]? = nil, grid: ChipGrid, chipRow: Int, chipColumn: Int, bands: [BandInfo], parallel: Bool = false) -> Bool {
        let rows = grid.rowExtent(chipRow)
        let columns = grid.columnExtent(chipColumn)
        let columnShift = columns.lowerBound - block.window.columnOffset
        let size = chipSize, channels = bandCount
        let scales = bands.map { 1 / $0.std }
        let means = bands.map(\.mean)
        let chipScalars = size * size * channels
        let start = positions.count * chipScalars
        if positions.isEmpty {
            // `cut` writes through the storage's pointer: a classifier (or a copy of this batch) that still
            // holds the chips of an earlier run must not see that.
            if isKnownUniquelyReferenced(&values) {
                values.noteModification()
            } else {
                values = TensorStorage(uninitializedCount: values.count)
            }
        }
        (values.pointer + start).initialize(repeating: 0, count: chipScalars)
        validity.append(contentsOf: repeatElement(0, count: size * size))
        let validityStart = validity.count - size * size
        // Source column of every chip column (reflected at the raster's edge), computed once per chip.
        let sourceColumns = (0..<size).map { columnShift + ChipBatch.reflect($0, length: columns.count) }
        let noSampleMask = [Bool]()
        let rowCount = rows.count, columnCount = columns.count, blockColumns = block.columnCount
        // Rows are independent: each block of rows writes its own chip rows and validity rows.
        let rowsWithData = UnsafeMutablePointer<Bool>.allocate(capacity: size)
        rowsWithData.initialize(repeating: false, count: size)
        defer { rowsWithData.deallocate() }
        block.values.withUnsafeBufferPointer { source in
            block.isValid.withUnsafeBufferPointer { sourceValid in
                (sampleValid ?? noSampleMask).withUnsafeBufferPointer { sampleMask in
                    means.withUnsafeBufferPointer { means in
                        scales.withUnsafeBufferPointer { scales in
                            sourceColumns.withUnsafeBufferPointer { sourceColumns in
                                validity.withUnsafeMutableBufferPointer { targetValid in
                                    let target = values.pointer + start
                                    let validBase = targetValid.baseAddress! + validityStart
                                    let masked = !sampleMask.isEmpty
                                    StageParallelism.blocks(size, parallel: parallel, minimumBlock: 32) { chipRows in
                                        for y in chipRows {
                                            let sourceRowStart = ChipBatch.reflect(y, length: rowCount) * blockColumns
                                            let insideRows = y < rowCount
                                            let validRow = validBase + y * size
                                            for x in 0..<size {
                                                let pixel = sourceRowStart + sourceColumns[x]
                                                guard sourceValid[pixel] else { continue }
                                                // Padding pixels feed the network but never reach the output.
                                                if insideRows && x < columnCount {
                                                    validRow[x] = 1
                                                    rowsWithData[y] = true
                                                }
                                                let destination = target + (y * size + x) * channels
                                                let from = pixel * channels
                                                for band in 0..<channels where !masked || sampleMask[from + band] {
                                                    destination[band] = (source[from + band] - means[band]) * scales[band]
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let anyValid = (0..<size).contains { rowsWithData[$0] }
        guard anyValid else {
            validity.removeLast(size * size)
            return false
        }
        positions.append((chipRow, chipColumn))
        return true
    }

    /// Classifies the queued chips, hands their probabilities to `stitcher`, and empties the batch.
    mutating func run(_ classifier: ChipClassifier, into stitcher: ChipStitcher) throws {
        guard !positions.isEmpty else { return }
        let count = positions.count, size = chipSize
        let probabilities: Tensor
        do {
            let shape = [count, size, size, bandCount]
            let chips = count == capacity
                ? Tensor(shape: shape, storage: values)
                : Tensor(shape: shape) { $0.baseAddress!.update(from: values.pointer, count: $0.count) }
            probabilities = try classifier.probabilities(for: chips)
        }
        let classes = classifier.classCount
        precondition(probabilities.shape == [count, size, size, classes], "classifier returned \(probabilities.shape), expected \([count, size, size, classes])")
        probabilities.withUnsafeBufferPointer { all in
            validity.withUnsafeBufferPointer { valid in
                for (index, position) in positions.enumerated() {
                    let chipProbabilities = UnsafeBufferPointer(rebasing: all[(index * size * size * classes)..<((index + 1) * size * size * classes)])
                    let chipValid = UnsafeBufferPointer(rebasing: valid[(index * size * size)..<((index + 1) * size * size)])
                    stitcher.add(probabilities: chipProbabilities, valid: chipValid, row: position.row, column: position.column)
                }
            }
        }
        validity.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }
}
