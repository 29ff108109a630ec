import ArgumentParser
import Foundation
import LandUseKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Area per class of a class raster (ground area of every pixel), optionally per zone polygon.",
        discussion: """
            Writes JSON, CSV or Markdown, chosen by the output's extension (keys and columns in docs/cli.md).
            Example: landuse report classes.tif --zones municipalities.gpkg --zone-field name --output areas.csv
            """)

    @Argument(help: "A class raster with integer classes (class names come from its category names).")
    var classes: String

    @Option(help: "The report: .json, .csv or .md; '-' prints the JSON report on stdout.")
    var output: String

    @Option(help: "Zone polygons (GeoPackage, Shapefile, GeoJSON, ...); reprojected to the raster's CRS.")
    var zones: String?

    @Option(name: .customLong("zone-field"), help: "The zones' attribute that names them (default: feature id).")
    var zoneField: String?

    @Option(name: .customLong("zone-layer"), help: "The zones' layer, when the file has several.")
    var zoneLayer: String?

    @Flag(help: "Replace an existing report.")
    var overwrite = false

    @Flag(help: "Print a one-line JSON summary on stdout instead of the readable line.")
    var json = false

    func validate() throws {
        if zones == nil, zoneField != nil || zoneLayer != nil {
            throw ValidationError("--zone-field and --zone-layer need --zones ZONES.gpkg")
        }
    }

    func run() throws {
        let raster = URL(fileURLWithPath: classes)
        let zoneSource = zones.map {
            ReportTool.Zones(url: URL(fileURLWithPath: $0), field: zoneField, layer: zoneLayer)
        }
        if output == "-" {
            let report = try ReportTool.report(for: raster, zones: zoneSource, rasterName: classes)
            print(try report.rendered(as: .json), terminator: "")
            return
        }
        let target = URL(fileURLWithPath: output)
        let report = try ReportTool.writeReport(
            for: raster, zones: zoneSource, to: target, overwrite: overwrite, rasterName: classes)
        let summary = ReportTool.Summary(report: report, output: output, format: try ReportTool.format(forOutput: target))
        print(json ? try summary.json() : summary.line)
    }
}
