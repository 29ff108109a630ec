import Foundation
import GeoRaster

/// The rasters a classify run writes, created before any chip runs (so a bad output path fails at once)
/// and renamed onto their names only when every one is complete.
final class ClassifyOutputs {
    let description: ModelDescription
    private let classWriter: RasterWriter
    private let probabilityWriter: RasterWriter?
    private let confidenceWriter: RasterWriter?
    /// The part of the input the outputs cover (raster coordinates).
    let window: Window
    private let classValues: [Int]
    private let nodataValue: Int
    private let usesUInt16: Bool
    private(set) var validPixels = 0
    private(set) var nodataPixels = 0
    private(set) var classPixels: [Int: Int] = [:]
    /// Spread the per-pixel work over the engine's threads (`StageParallelism`; the sequential path).
    var parallel = false
    private var scratchBest: [Int32] = []
    private var scratchBytes: [UInt8] = []

    /// Probability bands store round(254 p); 255 is nodata.
    static let probabilityScale: Float = 254
    static let probabilityNodata: Double = 255
    /// Confidence (the winning class's probability) is Float32 in 0...1; -1 is nodata.
    static let confidenceNodata: Double = -1

    init(description: ModelDescription, profile: RasterProfile, window: Window, output: URL, options: ClassifyOptions) throws {
        self.window = window
        self.description = description
        classValues = description.classes.map(\.value)
        nodataValue = description.nodataClassValue
        usesUInt16 = nodataValue > 255
        let outputs = [output, options.probabilitiesURL, options.confidenceURL].compactMap { $0?.standardizedFileURL.path }
        guard Set(outputs).count == outputs.count else {
            throw LandUseError(.badOption, "two outputs have the same path (\(outputs.joined(separator: ", "))): give each output its own file name")
        }
        let writeOptions = RasterWriteOptions(layout: options.layout, overviews: .mode, creationOptions: options.creationOptions, overwrite: options.overwrite)
        let classes = description.classes.map {
            RasterClass(value: $0.value, name: $0.name, color: RasterColor(red: UInt8(clamping: $0.color[0]), green: UInt8(clamping: $0.color[1]), blue: UInt8(clamping: $0.color[2])))
        }
        classWriter = try RasterWriter(
            url: output, like: profile, window: window, dataType: usesUInt16 ? .uint16 : .byte, nodata: Double(nodataValue), classes: classes,
            bandDescriptions: ["land-use class"], options: writeOptions)
        var continuous = writeOptions
        continuous.overviews = .average
        probabilityWriter = try options.probabilitiesURL.map {
            try RasterWriter(
                url: $0, like: profile, window: window, bandCount: description.classes.count, dataType: .byte, nodata: ClassifyOutputs.probabilityNodata,
                bandDescriptions: description.classes.map { "probability of \($0.name) (x254)" }, options: continuous)
        }
        confidenceWriter = try options.confidenceURL.map {
            try RasterWriter(
                url: $0, like: profile, window: window, dataType: .float32, nodata: ClassifyOutputs.confidenceNodata,
                bandDescriptions: ["probability of the chosen class"], options: continuous)
        }
    }

    /// Writes finished rows: `probabilities` `[rows, columns, classes]`, `weights` `[rows, columns]` (0 = no
    /// data), for `block` in input raster coordinates.
    func write(window block: Window, probabilities: UnsafeBufferPointer<Float>, weights: UnsafeBufferPointer<Float>) throws {
        let classes = classValues.count
        let pixels = block.pixelCount
        let window = Window(columnOffset: block.columnOffset - self.window.columnOffset, rowOffset: block.rowOffset - self.window.rowOffset,
                            columnCount: block.columnCount, rowCount: block.rowCount)
        // Per pixel: the index of the most probable class (the first on ties), or -1 where no chip had data.
        // The scratch arrays keep their memory from call to call (rows arrive in blocks of one size).
        var best = scratchBest
        scratchBest = []
        best.removeAll(keepingCapacity: true)
        best.append(contentsOf: repeatElement(-1, count: pixels))
        defer { scratchBest = best }
        // Blocks of pixels (concurrently when `parallel`), each with its own class tally.
        let blockPixels = parallel ? max(16384, (pixels + 15) / 16) : max(pixels, 1)
        let blockCount = (pixels + blockPixels - 1) / blockPixels
        var blockCounts = [Int](repeating: 0, count: max(blockCount, 1) * classes)
        best.withUnsafeMutableBufferPointer { best in
            blockCounts.withUnsafeMutableBufferPointer { blockCounts in
                StageParallelism.blocks(blockCount, parallel: parallel, minimumBlock: 1) { blocks in
                    for block in blocks {
                        let counts = blockCounts.baseAddress! + block * classes
                        for pixel in (block * blockPixels)..<min(pixels, (block + 1) * blockPixels) where weights[pixel] > 0 {
                            let base = pixel * classes
                            var winner = 0
                            var top = probabilities[base]
                            for k in 1..<classes where probabilities[base + k] > top {
                                top = probabilities[base + k]
                                winner = k
                            }
                            best[pixel] = Int32(winner)
                            counts[winner] += 1
                        }
                    }
                }
            }
        }
        var counts = [Int](repeating: 0, count: classes)
        for block in 0..<blockCount { for k in 0..<classes { counts[k] += blockCounts[block * classes + k] } }
        for (index, count) in counts.enumerated() where count > 0 { classPixels[classValues[index], default: 0] += count }
        let valid = counts.reduce(0, +)
        validPixels += valid
        nodataPixels += pixels - valid
        if usesUInt16 {
            let values = classValues.map { UInt16($0) }, nodata = UInt16(nodataValue)
            try classWriter.write(best.map { $0 >= 0 ? values[Int($0)] : nodata }, window: window)
        } else {
            let values = classValues.map { UInt8($0) }, nodata = UInt8(nodataValue)
            var bytes = scratchBytes
            scratchBytes = []
            if bytes.count != pixels {
                bytes.removeAll(keepingCapacity: true)
                bytes.append(contentsOf: repeatElement(nodata, count: pixels))
            }
            bytes.withUnsafeMutableBufferPointer { bytes in
                best.withUnsafeBufferPointer { best in
                    values.withUnsafeBufferPointer { values in
                        for pixel in 0..<pixels {
                            let index = best[pixel]
                            bytes[pixel] = index >= 0 ? values[Int(index)] : nodata
                        }
                    }
                }
            }
            try classWriter.write(bytes, window: window)
            scratchBytes = bytes
        }
        if let confidenceWriter {
            var confidence = [Float](repeating: Float(ClassifyOutputs.confidenceNodata), count: pixels)
            for pixel in 0..<pixels where best[pixel] >= 0 { confidence[pixel] = probabilities[pixel * classes + Int(best[pixel])] }
            try confidenceWriter.write(confidence, window: window)
        }
        if let probabilityWriter {
            var bytes = [UInt8](repeating: UInt8(ClassifyOutputs.probabilityNodata), count: pixels * classes)
            for pixel in 0..<pixels where best[pixel] >= 0 {
                for k in 0..<classes {
                    bytes[pixel * classes + k] = UInt8(min(254, max(0, (probabilities[pixel * classes + k] * ClassifyOutputs.probabilityScale).rounded())))
                }
            }
            try probabilityWriter.write(bytes, window: window)
        }
    }

    /// Finishes every raster (overviews, COG) and renames them onto their names; returns their URLs.
    func finish() throws -> [URL] {
        var written = [try classWriter.finish()]
        if let probabilityWriter { written.append(try probabilityWriter.finish()) }
        if let confidenceWriter { written.append(try confidenceWriter.finish()) }
        return written
    }
}
