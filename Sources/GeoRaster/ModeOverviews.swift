import CGDAL

/// Mode (majority) overviews of a one-band integer raster, computed here instead of by GDAL's MODE
/// resampler, which spends about 80 ns per overview pixel on a Byte class raster (1.5 s of a classify run's
/// tail at 8,192 x 8,192; this takes a small fraction of that).
///
/// The result is GDAL's, pixel for pixel (GeoRasterTests compares it with `gdaladdo -r mode`): overview
/// pixel (x, y) of a level `w x h` made from a source `W x H` takes the source columns
/// `floor(x W/w) ..< ceil((x + 1) W/w)` (at least one) and the rows likewise; nodata samples do not vote;
/// scanning the window row by row, a value becomes the answer when its running count exceeds the best count
/// so far (so ties go to the value that reached the count first); a window without valid samples is nodata.
/// Each level is made from the level below it, as GDAL does.
enum ModeOverviews {
    /// Fills every overview of `band` (already created, e.g. by `GDALBuildOverviews` with "NONE").
    static func fill(band: GDALRasterBandH, nodata: Double?) throws {
        let count = Int(GDALGetOverviewCount(band))
        var source = band
        let nodataValue = nodata.flatMap { $0 >= 0 && $0 <= 65535 && $0 == $0.rounded() ? UInt16($0) : nil }
        for index in 0..<count {
            guard let target = GDALGetOverview(band, Int32(index)) else {
                throw GeoRasterError.gdal(.writeFailed, "overview \(index + 1) of the output is missing")
            }
            try downsample(from: source, to: target, nodata: nodataValue)
            source = target
        }
    }

    /// Source index range of target index `index` along an axis of `sourceLength` -> `targetLength`.
    @inline(__always)
    private static func window(_ index: Int, ratio: Double, sourceLength: Int) -> Range<Int> {
        let start = Int(Double(index) * ratio + 1e-8)
        var end = Int((Double(index + 1) * ratio - 1e-8).rounded(.up))
        if end == start { end += 1 }
        return start..<min(end, sourceLength)
    }

    private static func downsample(from source: GDALRasterBandH, to target: GDALRasterBandH, nodata: UInt16?) throws {
        let sourceWidth = Int(GDALGetRasterBandXSize(source)), sourceHeight = Int(GDALGetRasterBandYSize(source))
        let targetWidth = Int(GDALGetRasterBandXSize(target)), targetHeight = Int(GDALGetRasterBandYSize(target))
        let xRatio = Double(sourceWidth) / Double(targetWidth), yRatio = Double(sourceHeight) / Double(targetHeight)
        let columns = (0..<targetWidth).map { window($0, ratio: xRatio, sourceLength: sourceWidth) }
        let columnStarts = columns.map(\.lowerBound), columnEnds = columns.map(\.upperBound)
        let widest = columns.map(\.count).max() ?? 1
        let tallest = (0..<targetHeight).map { window($0, ratio: yRatio, sourceLength: sourceHeight).count }.max() ?? 1
        // About 4 M source samples per chunk of target rows.
        let chunkRows = max(1, min(targetHeight, (1 << 22) / max(1, sourceWidth * Int(yRatio.rounded(.up)))))
        var sourceRows = [UInt16](), targetRows = [UInt16]()
        let values = UnsafeMutablePointer<UInt16>.allocate(capacity: widest * tallest)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: widest * tallest)
        defer {
            values.deallocate()
            counts.deallocate()
        }
        let hasNodata = nodata != nil, nodataValue = nodata ?? 0
        for chunkStart in stride(from: 0, to: targetHeight, by: chunkRows) {
            let chunkEnd = min(targetHeight, chunkStart + chunkRows)
            let firstRow = window(chunkStart, ratio: yRatio, sourceLength: sourceHeight).lowerBound
            let endRow = window(chunkEnd - 1, ratio: yRatio, sourceLength: sourceHeight).upperBound
            sourceRows.removeAll(keepingCapacity: true)
            sourceRows.append(contentsOf: repeatElement(0, count: (endRow - firstRow) * sourceWidth))
            try io(GF_Read, band: source, &sourceRows, rows: firstRow..<endRow, width: sourceWidth)
            targetRows.removeAll(keepingCapacity: true)
            targetRows.append(contentsOf: repeatElement(0, count: (chunkEnd - chunkStart) * targetWidth))
            sourceRows.withUnsafeBufferPointer { samples in
                targetRows.withUnsafeMutableBufferPointer { output in
                    columnStarts.withUnsafeBufferPointer { columnStarts in
                        columnEnds.withUnsafeBufferPointer { columnEnds in
                            for row in chunkStart..<chunkEnd {
                                let rows = window(row, ratio: yRatio, sourceLength: sourceHeight)
                                let outputRow = output.baseAddress! + (row - chunkStart) * targetWidth
                                for column in 0..<targetWidth {
                                    var distinct = 0, best = -1, bestCount = 0
                                    for sourceRow in rows {
                                        let line = samples.baseAddress! + (sourceRow - firstRow) * sourceWidth
                                        for sourceColumn in columnStarts[column]..<columnEnds[column] {
                                            let value = line[sourceColumn]
                                            if hasNodata && value == nodataValue { continue }
                                            var slot = 0
                                            while slot < distinct && values[slot] != value { slot += 1 }
                                            if slot == distinct {
                                                values[slot] = value
                                                counts[slot] = 0
                                                distinct += 1
                                            }
                                            counts[slot] += 1
                                            if counts[slot] > bestCount {
                                                bestCount = counts[slot]
                                                best = slot
                                            }
                                        }
                                    }
                                    outputRow[column] = best >= 0 ? values[best] : nodataValue
                                }
                            }
                        }
                    }
                }
            }
            try io(GF_Write, band: target, &targetRows, rows: chunkStart..<chunkEnd, width: targetWidth)
        }
    }

    private static func io(_ direction: GDALRWFlag, band: GDALRasterBandH, _ buffer: inout [UInt16], rows: Range<Int>, width: Int) throws {
        GDALRuntime.prepare()
        let status = buffer.withUnsafeMutableBytes {
            GDALRasterIO(band, direction, 0, Int32(rows.lowerBound), Int32(width), Int32(rows.count), $0.baseAddress,
                         Int32(width), Int32(rows.count), GDT_UInt16, 0, 0)
        }
        guard status == CE_None else {
            throw GeoRasterError.gdal(direction == GF_Read ? .readFailed : .writeFailed, "computing mode overviews failed at rows \(rows): check free disk space")
        }
    }
}
