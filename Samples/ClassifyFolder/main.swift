// classify-folder: the Swift twin of Samples/classify_folder.sh, through the LandUseKit API.
//
//   swift run -c release classify-folder MODEL.safetensors INPUT_FOLDER OUTPUT_FOLDER
//
// Classifies every .tif in INPUT_FOLDER with the model, writes <name>.classes.tif and <name>.areas.csv for
// each, and merges all reports into OUTPUT_FOLDER/areas.csv (one header, a `raster` column per row).
import Foundation
import LandUseKit

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: classify-folder MODEL.safetensors INPUT_FOLDER OUTPUT_FOLDER\n".utf8))
    exit(2)
}
let model = URL(fileURLWithPath: arguments[1])
let input = URL(fileURLWithPath: arguments[2])
let output = URL(fileURLWithPath: arguments[3])

do {
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    let rasters = try FileManager.default.contentsOfDirectory(at: input, includingPropertiesForKeys: nil)
        .filter { ["tif", "tiff"].contains($0.pathExtension.lowercased()) }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
    guard !rasters.isEmpty else {
        FileHandle.standardError.write(Data("no .tif files in \(input.path)\n".utf8))
        exit(1)
    }
    var merged: [String] = []
    for raster in rasters {
        let name = raster.deletingPathExtension().lastPathComponent
        let report = output.appendingPathComponent("\(name).areas.csv")
        let summary = try ClassifyJob.run(
            input: raster, model: model, output: output.appendingPathComponent("\(name).classes.tif"),
            options: ClassifyOptions(overwrite: true), report: report)
        print("classified \(name): \(summary.validPixels) pixels")
        let lines = try String(contentsOf: report, encoding: .utf8).split(separator: "\n").map(String.init)
        if merged.isEmpty { merged.append(lines[0]) }
        merged += lines.dropFirst()
    }
    let areas = output.appendingPathComponent("areas.csv")
    try (merged.joined(separator: "\n") + "\n").write(to: areas, atomically: true, encoding: .utf8)
    print("wrote \(areas.path)")
} catch {
    FileHandle.standardError.write(Data("classify-folder: \(error)\n".utf8))
    exit(1)
}
