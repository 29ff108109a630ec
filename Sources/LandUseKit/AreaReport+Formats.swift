import Foundation

/// The file formats an area report is written in, chosen by the output's extension.
public enum AreaReportFormat: String, CaseIterable, Sendable {
    case json, csv, markdown

    /// The format for a path ending in .json, .csv or .md; nil for anything else.
    public init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "json": self = .json
        case "csv": self = .csv
        case "md", "markdown": self = .markdown
        default: return nil
        }
    }
}

extension AreaReport {
    /// The report rendered in `format`, ending with a newline.
    public func rendered(as format: AreaReportFormat) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        case .csv: return csv()
        case .markdown: return markdown()
        }
    }

    /// One tidy table for pandas, spreadsheets and `cat`-merging many reports:
    /// `raster,zone,row_type,value,name,pixels,area_m2,area_ha,fraction`, where `row_type` is `class`,
    /// `total` (sum over classes) or `nodata` (pixels without a class; area left empty). `zone` is empty
    /// for a whole-raster report.
    public func csv() -> String {
        var lines = ["raster,zone,row_type,value,name,pixels,area_m2,area_ha,fraction"]
        func append(zone: String, classes: [ClassArea], total: AreaTotal, nodata: Int) {
            let prefix = "\(csvField(raster)),\(csvField(zone))"
            for item in classes {
                lines.append("\(prefix),class,\(item.value),\(csvField(item.name)),\(item.pixels),\(number(item.areaSquareMetres)),\(number(item.areaHectares)),\(number(item.fraction))")
            }
            lines.append("\(prefix),total,,,\(total.pixels),\(number(total.areaSquareMetres)),\(number(total.areaHectares)),\(classes.isEmpty ? "0" : "1")")
            lines.append("\(prefix),nodata,,,\(nodata),,,")
        }
        append(zone: "", classes: classes, total: total, nodata: nodataPixels)
        for zone in zones ?? [] { append(zone: zone.zone, classes: zone.classes, total: zone.total, nodata: zone.nodataPixels) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A human-readable report with the same numbers as the CSV.
    public func markdown() -> String {
        var lines = ["# Land-use areas: \(raster)", "", "CRS: \(crs). Area method: \(areaMethod).", ""]
        func table(_ classes: [ClassArea], _ total: AreaTotal, _ nodata: Int) {
            lines.append("| value | class | pixels | area (ha) | area (m²) | fraction |")
            lines.append("|---:|---|---:|---:|---:|---:|")
            for item in classes {
                lines.append("| \(item.value) | \(item.name) | \(item.pixels) | \(String(format: "%.4f", item.areaHectares)) | \(String(format: "%.2f", item.areaSquareMetres)) | \(String(format: "%.4f", item.fraction)) |")
            }
            lines.append("| | **total** | \(total.pixels) | \(String(format: "%.4f", total.areaHectares)) | \(String(format: "%.2f", total.areaSquareMetres)) | \(classes.isEmpty ? "0" : "1.0000") |")
            lines.append("")
            lines.append("Nodata pixels: \(nodata).")
            lines.append("")
        }
        table(classes, total, nodataPixels)
        for zone in zones ?? [] {
            lines.append("## Zone \(zone.zone)")
            lines.append("")
            table(zone.classes, zone.total, zone.nodataPixels)
        }
        return lines.joined(separator: "\n")
    }

    private func number(_ value: Double) -> String {
        // Shortest representation that round-trips, so CSV carries the JSON's numbers exactly.
        "\(value)"
    }

    private func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
