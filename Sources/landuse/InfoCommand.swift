import ArgumentParser
import Foundation
import LandUseKit

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a raster (size, bands, types, nodata, masks, grid, CRS) or a model file (architecture, classes, bands, chip size, provenance).")

    @Argument(help: "A raster GDAL reads (GeoTIFF, COG, VRT, JPEG2000, ...) or a LandUse model file (.safetensors).")
    var file: String

    @Flag(help: "Print JSON (keys documented in docs/cli.md) instead of the readable summary.")
    var json = false

    func run() throws {
        let url = URL(fileURLWithPath: file)
        if ModelInfoTool.isModelFile(url) {
            let report = try ModelInfoTool.report(for: url)
            print(json ? try report.json() : report.summary)
            return
        }
        let report = try RasterInfoTool.report(for: url)
        print(json ? try report.json() : report.summary)
    }
}
