import ArgumentParser
import Foundation
import LandUseKit

struct QuicklookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quicklook",
        abstract: "A PNG picture of a class raster with a legend (class colours and names from the raster).",
        discussion: """
            The map is resampled by nearest neighbour so that its long side fits --max-size; nodata is light grey.
            Example: landuse quicklook classes.tif --output quicklook.png
            """)

    @Argument(help: "A class raster (what `landuse classify` writes: colour table and class names).")
    var classes: String

    @Option(help: "The picture (.png).")
    var output: String

    @Option(name: .customLong("max-size"), help: "Longest side of the map in pixels (small rasters are enlarged by a whole factor, at most 4).")
    var maxSize = QuicklookTool.defaultMaxSize

    @Flag(help: "Replace an existing picture.")
    var overwrite = false

    func run() throws {
        let quicklook = try QuicklookTool.write(
            classes: URL(fileURLWithPath: classes), to: URL(fileURLWithPath: output), maxSize: maxSize, overwrite: overwrite)
        print("wrote \(output): \(quicklook.width) x \(quicklook.height) px, map \(quicklook.map.columnCount) x \(quicklook.map.rowCount) of \(quicklook.sourceWidth) x \(quicklook.sourceHeight), \(quicklook.legend.count) legend entries")
    }
}
