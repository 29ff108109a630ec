import Foundation
import GeoRaster

/// `landuse quicklook`: a PNG picture of a class raster with a legend, for reports, READMEs and a first look.
///
/// The class map is resampled by nearest neighbour so that its long side has at most `maxSize` pixels (a
/// small raster is enlarged by a whole factor, at most 4, so that each of its pixels is a square): map pixel (x, y) of an `m` x `n` map shows raster pixel
/// (⌊(2x + 1)·W / 2m⌋, ⌊(2y + 1)·H / 2n⌋) of the W x H raster, i.e. the pixel under the map pixel's centre
/// (GDAL's nearest-neighbour rule), so a class never blurs into colours that are not in the legend. Only the
/// raster rows the map shows are read, one at a time, and GDAL's cached tiles are released after each row of
/// tiles: a 40,000 x 40,000 raster costs a few MB. Colours come from the raster's colour table (values
/// beyond it get colours from a fixed palette), names from its category names ("class V" without one);
/// nodata (GDAL's mask: nodata value, mask file) is light grey. Text is drawn with `BitmapFont` at twice its
/// size. The legend lists the classes that appear in the map, so a class smaller than one map pixel can be
/// missing from a strongly reduced picture.
public enum QuicklookTool {
    public static let defaultMaxSize = 1024
    /// Nodata pixels of the map and the colour of the legend's nodata swatch.
    public static let nodataColor = RasterColor(red: 215, green: 215, blue: 215)
    static let background = RasterColor(red: 255, green: 255, blue: 255)
    static let ink = RasterColor(red: 25, green: 25, blue: 25)
    static let frameColor = RasterColor(red: 120, green: 120, blue: 120)
    /// Colours for values that the colour table does not cover.
    static let fallbackPalette: [RasterColor] = [
        RasterColor(red: 31, green: 119, blue: 180), RasterColor(red: 255, green: 127, blue: 14), RasterColor(red: 44, green: 160, blue: 44),
        RasterColor(red: 214, green: 39, blue: 40), RasterColor(red: 148, green: 103, blue: 189), RasterColor(red: 140, green: 86, blue: 75),
        RasterColor(red: 227, green: 119, blue: 194), RasterColor(red: 188, green: 189, blue: 34), RasterColor(red: 23, green: 190, blue: 207),
    ]

    // Layout, in picture pixels.
    static let textScale = 2
    static let margin = 16
    static let textHeight = BitmapFont.glyphHeight * textScale
    static let lineHeight = textHeight + 8
    static let swatchWidth = 28
    static let legendGap = 24
    static let maximumNameLength = 40
    static let maximumEnlargement = 4

    /// Renders the quicklook of band 1 of the class raster at `url`.
    ///
    /// Throws `GeoRasterError` for a missing or unreadable raster and `LandUseError` `badInput` for a band that
    /// does not hold integer classes, `badOption` for `maxSize` below 16.
    public static func render(classes url: URL, maxSize: Int = defaultMaxSize) throws -> Quicklook {
        guard maxSize >= 16 else {
            throw LandUseError(.badOption, "--max-size \(maxSize) is too small for a picture: use 16 pixels or more (default \(defaultMaxSize))")
        }
        let dataset = try RasterDataset(url: url)
        let profile = dataset.profile
        let band = profile.bands[0]
        guard band.dataType.isInteger, band.dataType.isReadable else {
            throw LandUseError(
                .badInput,
                "\(url.lastPathComponent) band 1 is \(band.dataType.rawValue), and a quicklook needs integer classes: pass a class raster "
                    + "(what `landuse classify` writes)")
        }
        let (mapWidth, mapHeight) = mapSize(width: profile.width, height: profile.height, maxSize: maxSize)
        let sourceColumns = (0..<mapWidth).map { ((2 * $0 + 1) * profile.width) / (2 * mapWidth) }

        // Sample the map first: the legend's size depends on the classes that appear.
        var samples = [Int32](repeating: 0, count: mapWidth * mapHeight)
        var sampleValid = [Bool](repeating: false, count: mapWidth * mapHeight)
        var lastTileRow = -1
        for y in 0..<mapHeight {
            let sourceRow = ((2 * y + 1) * profile.height) / (2 * mapHeight)
            let tileRow = sourceRow / max(1, band.blockHeight)
            if tileRow != lastTileRow, lastTileRow >= 0 { dataset.releaseCachedBlocks(band: 1) }
            lastTileRow = tileRow
            let window = Window(columnOffset: 0, rowOffset: sourceRow, columnCount: profile.width, rowCount: 1)
            let values = try dataset.readSamples(Int32.self, window: window, band: 1)
            let valid = try dataset.validity(window: window, bands: [1])
            for x in 0..<mapWidth {
                samples[y * mapWidth + x] = values[sourceColumns[x]]
                sampleValid[y * mapWidth + x] = valid[sourceColumns[x]]
            }
        }
        dataset.releaseCachedBlocks(band: 1)

        let present = Set(zip(samples, sampleValid).compactMap { $1 ? Int($0) : nil }).sorted()
        let hasNodata = sampleValid.contains(false)
        let colors = Dictionary(uniqueKeysWithValues: present.map { ($0, color(of: $0, table: band.colorTable)) })
        var rows = present.map { (value: Optional($0), name: name(of: $0, categories: band.categoryNames), color: colors[$0]!) }
        if hasNodata { rows.append((value: nil, name: "nodata", color: nodataColor)) }

        // Layout: title, then the map with the legend to its right.
        let title = clipped("\(url.lastPathComponent)  \(profile.width) x \(profile.height) px", to: 80)
        let scaled = { (text: String) in BitmapFont.width(of: text) * textScale }
        let map = Window(columnOffset: margin, rowOffset: margin + lineHeight + 4, columnCount: mapWidth, rowCount: mapHeight)
        let legendLeft = map.columns.upperBound + legendGap
        let textLeft = legendLeft + swatchWidth + 10
        let legendWidth = swatchWidth + 10 + (rows.map { scaled($0.name) }.max() ?? 0)
        let width = max(legendLeft + legendWidth, margin + scaled(title)) + margin
        let height = max(map.rows.upperBound, map.rowOffset + rows.count * lineHeight) + margin

        var canvas = QuicklookCanvas(width: width, height: height, background: background)
        canvas.draw(title, column: margin, row: margin, scale: textScale, color: ink)
        canvas.frame(map, with: frameColor)
        for y in 0..<mapHeight {
            for x in 0..<mapWidth {
                let index = y * mapWidth + x
                canvas.set(column: map.columnOffset + x, row: map.rowOffset + y,
                           to: sampleValid[index] ? colors[Int(samples[index])]! : nodataColor)
            }
        }
        var legend: [Quicklook.LegendEntry] = []
        for (index, row) in rows.enumerated() {
            let top = map.rowOffset + index * lineHeight
            let swatch = Window(columnOffset: legendLeft, rowOffset: top, columnCount: swatchWidth, rowCount: textHeight)
            canvas.fill(swatch, with: row.color)
            canvas.frame(swatch, with: frameColor)
            canvas.draw(row.name, column: textLeft, row: top, scale: textScale, color: ink)
            legend.append(Quicklook.LegendEntry(value: row.value, name: row.name, color: row.color, swatch: swatch))
        }
        return Quicklook(width: width, height: height, pixels: canvas.pixels, map: map,
                         sourceWidth: profile.width, sourceHeight: profile.height, legend: legend)
    }

    /// Renders the quicklook of `classes` and writes it as a PNG to `output`, atomically. The output's
    /// extension (.png) and folder and the overwrite rule are checked before any pixel is read.
    @discardableResult
    public static func write(classes url: URL, to output: URL, maxSize: Int = defaultMaxSize, overwrite: Bool = false) throws -> Quicklook {
        guard output.pathExtension.lowercased() == "png" else {
            throw LandUseError(.badOption, "a quicklook is a PNG picture: end the output name with .png (got \(output.lastPathComponent))")
        }
        try AtomicFile.checkWritable(output, overwrite: overwrite)
        let quicklook = try render(classes: url, maxSize: maxSize)
        try PNGWriter.write(quicklook.pixels, width: quicklook.width, height: quicklook.height, channels: 3, to: output, overwrite: overwrite)
        return quicklook
    }

    /// The map's size: the raster's, reduced (aspect kept, at least 1 pixel) until the long side fits `maxSize`;
    /// a raster whose long side is below half of `maxSize` is enlarged by a whole factor of at most 4.
    static func mapSize(width: Int, height: Int, maxSize: Int) -> (width: Int, height: Int) {
        let long = max(width, height)
        guard long > maxSize else {
            let factor = min(maximumEnlargement, max(1, maxSize / long))
            return (width * factor, height * factor)
        }
        let reduce = { (side: Int) in max(1, (side * maxSize + long / 2) / long) }
        return (reduce(width), reduce(height))
    }

    static func color(of value: Int, table: [RasterColor]?) -> RasterColor {
        if let table, value >= 0, value < table.count {
            let entry = table[value]
            return RasterColor(red: entry.red, green: entry.green, blue: entry.blue)
        }
        let count = fallbackPalette.count
        return fallbackPalette[((value % count) + count) % count]
    }

    static func name(of value: Int, categories: [String]) -> String {
        let name = value >= 0 && value < categories.count ? categories[value].trimmingCharacters(in: .whitespaces) : ""
        return clipped(name.isEmpty ? "class \(value)" : name, to: maximumNameLength)
    }

    private static func clipped(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 3)) + "..."
    }
}
