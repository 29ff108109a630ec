import ArgumentParser
import Foundation
import LandUseKit

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a raster: size, bands, types, nodata, masks, grid and CRS.")

    @Argument(help: "A raster GDAL reads (GeoTIFF, COG, VRT, JPEG2000, ...).")
    var file: String

    @Flag(help: "Print JSON (keys documented in docs/cli.md) instead of the readable summary.")
    var json = false

    func run() throws {
        let url = URL(fileURLWithPath: file)
        // Rasters are the only kind of file `info` knows so far; model files get their own branch here.
        let report = try RasterInfoTool.report(for: url)
        print(json ? try report.json() : report.summary)
    }
}
