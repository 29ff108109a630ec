import Foundation
import NeuralNet
import SegmentationModels
import TensorCore

/// A resumable snapshot of a training run in one safetensors file: the model's state dict under `model.`,
/// the optimizer's under `optimizer.`, the best weights so far under `best.`, the loss history as `losses`,
/// and the iteration, random states and best metrics in the `landuse_checkpoint` metadata entry (JSON).
enum TrainingCheckpoint {
    private struct Header: Codable {
        var iteration: Int
        var samplerState: [String]
        var modelGeneratorState: [String]
        var bestMIoU: Double
        var bestAccuracy: Double
        var bestIteration: Int
        var architecture: PSPNetConfiguration
    }

    static func save(state: TrainingState, model: PSPNet, optimizer: Optimizer, configuration: PSPNetConfiguration, to url: URL) throws {
        var tensors: [String: Tensor] = [:]
        for (name, value) in model.stateDict() { tensors["model." + name] = value }
        for (name, value) in optimizer.stateDict() { tensors["optimizer." + name] = value }
        for (name, value) in state.bestWeights { tensors["best." + name] = value }
        tensors["losses"] = Tensor(shape: [state.losses.count], scalars: state.losses)
        let header = Header(
            iteration: state.iteration, samplerState: state.generator.state.map { String($0, radix: 16) },
            modelGeneratorState: model.generator.state.map { String($0, radix: 16) }, bestMIoU: state.bestMIoU,
            bestAccuracy: state.bestAccuracy, bestIteration: state.bestIteration, architecture: configuration)
        let json = String(decoding: try JSONEncoder().encode(header), as: UTF8.self)
        try SafeTensorsWriter.write(tensors, to: url, metadata: ["landuse_checkpoint": json])
    }

    static func load(from url: URL, model: PSPNet, optimizer: Optimizer, configuration: PSPNetConfiguration) throws -> TrainingState {
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(contentsOf: url)
        } catch {
            throw LandUseError(.badInput, "cannot read checkpoint \(url.path): \(error)")
        }
        guard let text = file.metadata["landuse_checkpoint"],
              let header = try? JSONDecoder().decode(Header.self, from: Data(text.utf8)) else {
            throw LandUseError(.badInput, "\(url.path) is not a LandUse training checkpoint (no landuse_checkpoint metadata): pass the .checkpoint file a training run wrote")
        }
        guard header.architecture == configuration else {
            throw LandUseError(.badInput, "checkpoint \(url.lastPathComponent) is for a different network (\(header.architecture)) than the options describe (\(configuration)): resume with the same options as the original run")
        }
        let tensors = try file.tensors()
        func prefixed(_ prefix: String) -> [String: Tensor] {
            Dictionary(uniqueKeysWithValues: tensors.compactMap { key, value in key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil })
        }
        try model.load(stateDict: prefixed("model."))
        try optimizer.load(stateDict: prefixed("optimizer."))
        func words(_ strings: [String]) throws -> [UInt64] {
            let values = strings.compactMap { UInt64($0, radix: 16) }
            guard values.count == 4, values.contains(where: { $0 != 0 }) else {
                throw LandUseError(.badInput, "checkpoint \(url.lastPathComponent) has a damaged random state: start a new run")
            }
            return values
        }
        model.generator = RandomGenerator(state: try words(header.modelGeneratorState))
        var state = TrainingState(generator: RandomGenerator(state: try words(header.samplerState)))
        state.iteration = header.iteration
        state.losses = tensors["losses"]?.scalars ?? []
        state.bestMIoU = header.bestMIoU
        state.bestAccuracy = header.bestAccuracy
        state.bestIteration = header.bestIteration
        state.bestWeights = prefixed("best.")
        return state
    }
}
