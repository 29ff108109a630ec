extension ReportTool {
    /// Pixel and area sums by class value over one block, flushed into an `AreaTally` after the block.
    ///
    /// Values 0..<65536 (every Byte and UInt16 class) go to dense arrays, so the per-pixel work is two array
    /// updates and never hashes; other values (negative or large Int16/Int32 classes) go to a dictionary.
    struct BlockTally {
        private static let denseCount = 65536
        private var pixels = [Int](repeating: 0, count: denseCount)
        private var areas = [Double](repeating: 0, count: denseCount)
        private var touched: [Int] = []
        private var otherPixels: [Int: Int] = [:]
        private var otherAreas: [Int: Double] = [:]
        private var nodata = 0

        /// Adds pixels `range` of a window's samples (valid ones by class, the others as nodata); with
        /// `inside`, only the pixels whose entry `inside[insideStart + k]` is true, k counting from `range`'s start.
        mutating func add(
            values: [Int], areas: [Double], isValid: [Bool], range: Range<Int>, inside: [Bool]? = nil, insideStart: Int = 0
        ) {
            var missing = 0
            let denseCount = BlockTally.denseCount
            var others: [(Int, Double)] = []
            pixels.withUnsafeMutableBufferPointer { pixels in
                areas.withUnsafeBufferPointer { sampleAreas in
                    self.areas.withUnsafeMutableBufferPointer { sums in
                        for (offset, index) in range.enumerated() {
                            if let inside, !inside[insideStart + offset] { continue }
                            guard isValid[index] else {
                                missing += 1
                                continue
                            }
                            let value = values[index]
                            guard value >= 0 && value < denseCount else {
                                others.append((value, sampleAreas[index]))
                                continue
                            }
                            if pixels[value] == 0 { touched.append(value) }
                            pixels[value] += 1
                            sums[value] += sampleAreas[index]
                        }
                    }
                }
            }
            nodata += missing
            for (value, area) in others {
                otherPixels[value, default: 0] += 1
                otherAreas[value, default: 0] += area
            }
        }

        /// Adds the sums to `tally` and starts over from zero.
        mutating func flush(into tally: inout AreaTally) {
            for value in touched {
                tally.add(value: value, pixels: pixels[value], area: areas[value])
                pixels[value] = 0
                areas[value] = 0
            }
            touched.removeAll(keepingCapacity: true)
            for (value, count) in otherPixels { tally.add(value: value, pixels: count, area: otherAreas[value] ?? 0) }
            otherPixels.removeAll(keepingCapacity: true)
            otherAreas.removeAll(keepingCapacity: true)
            tally.addNodata(count: nodata)
            nodata = 0
        }
    }
}
