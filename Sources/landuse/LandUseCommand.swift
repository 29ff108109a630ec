import ArgumentParser
import LandUseKit

@main
struct LandUseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landuse",
        abstract: "Turn satellite and aerial rasters into land-use maps and area reports.",
        version: LandUseVersion.banner,
        subcommands: [InfoCommand.self, ClassifyCommand.self, TrainCommand.self, EvaluateCommand.self, ReportCommand.self, QuicklookCommand.self])

    static func main() {
        OpenMPEnvironment.ensurePassiveWaitPolicy()
        main(nil)
    }
}
