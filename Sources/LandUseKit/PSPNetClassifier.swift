import Foundation
import NeuralNet
import SegmentationModels
import TensorCore

/// A PSPNet as a `ChipClassifier`: evaluation mode, softmax over the logits, run through a compiled
/// `PSPNetInferencePlan` (BatchNorm folded, ReLU and residual sums fused, buffers reused).
///
/// A plan is compiled on the first batch of each chip shape and kept (the full batches and the last,
/// smaller one are the usual two shapes). The model's weights are read when the first plan is compiled;
/// the plans share their reordered convolution weights (`PlanWeightCache`).
public final class PSPNetClassifier: ChipClassifier {
    public let model: PSPNet
    public let precision: InferencePrecision
    private var plans: [[Int]: PSPNetInferencePlan] = [:]
    private var planOrder: [[Int]] = []
    /// The largest batch classified so far.
    private var largestBatch = 0
    /// The last probabilities returned per plan shape, reused as the next output buffer.
    private var outputs: [[Int]: Tensor] = [:]
    private let lock = NSLock()
    /// The reordered convolution weights of every plan of this classifier (once per layout oneDNN picks).
    public let weightCache = PlanWeightCache()
    /// Plans kept at once; each holds its activation buffers.
    private static let plansKept = 2

    /// Puts `model` in evaluation mode (BatchNorm uses running statistics, dropout off); Float32 plans.
    public convenience init(model: PSPNet) {
        // Float32 plans compile on every CPU oneDNN supports.
        try! self.init(model: model, precision: .float32)
    }

    /// - Throws: `InferencePlanError` when the CPU cannot run `precision` (bfloat16 needs AVX512-BF16).
    public init(model: PSPNet, precision: InferencePrecision) throws {
        guard precision.isSupportedOnThisCPU else { throw InferencePlanError.unsupportedPrecision(precision) }
        self.model = model
        self.precision = precision
        model.eval()
    }

    public var classCount: Int { model.configuration.classCount }

    public func probabilities(for chips: Tensor) throws -> Tensor {
        precondition(chips.rank == 4 && chips.shape[3] == model.configuration.bandCount, "PSPNetClassifier: chips \(chips.shape) must be [N, S, S, \(model.configuration.bandCount)]")
        // A batch smaller than the largest seen (the last, partial batch of a chip row) runs chip by chip on a
        // one-chip plan instead of compiling a plan of its own: a plan for 3 chips of 512 x 512 (ResNet-18)
        // holds about 96 MB of buffers besides its weights, and it was the peak of wide-scene runs. One-chip
        // plans run at nearly the same speed per chip (docs/benchmarks.md, "Whole model").
        lock.lock()
        largestBatch = max(largestBatch, chips.shape[0])
        let splits = chips.shape[0] > 1 && chips.shape[0] < largestBatch
        lock.unlock()
        if splits { return try probabilitiesChipByChip(chips) }
        let plan = try plan(for: chips.shape)
        // The last result for this shape is reused: by the time the next batch comes the caller has let go of
        // it, so the plan writes in place (copy-on-write still protects a caller that kept it). This spares
        // a fresh mapping of tens of MB, and its page faults, per batch.
        lock.lock()
        var output = outputs.removeValue(forKey: chips.shape) ?? Tensor(shape: plan.outputShape)
        lock.unlock()
        plan.run(chips, into: &output)
        lock.lock()
        if plans[chips.shape] != nil { outputs[chips.shape] = output }
        lock.unlock()
        return output
    }

    /// `chips` one at a time through the one-chip plan, gathered into one `[N, S, S, classes]` result.
    private func probabilitiesChipByChip(_ chips: Tensor) throws -> Tensor {
        let count = chips.shape[0]
        let chipShape = [1] + Array(chips.shape.dropFirst())
        let inputScalars = chipShape.reduce(1, *)
        let plan = try plan(for: chipShape)
        let outputScalars = plan.outputShape.reduce(1, *)
        var result = Tensor(shape: [count] + Array(plan.outputShape.dropFirst()))
        var chip = Tensor(shape: chipShape)
        var output = Tensor(shape: plan.outputShape)
        for index in 0..<count {
            chips.withUnsafeBufferPointer { source in
                chip.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: source.baseAddress! + index * inputScalars, count: inputScalars) }
            }
            plan.run(chip, into: &output)
            output.withUnsafeBufferPointer { source in
                result.withUnsafeMutableBufferPointer { ($0.baseAddress! + index * outputScalars).update(from: source.baseAddress!, count: outputScalars) }
            }
        }
        return result
    }

    /// The compiled plan for chips of `shape`, compiling it on first use and dropping the least recently
    /// compiled one beyond `plansKept`.
    private func plan(for shape: [Int]) throws -> PSPNetInferencePlan {
        lock.lock()
        defer { lock.unlock() }
        if let plan = plans[shape] { return plan }
        let plan = try PSPNetInferencePlan(model: model, batch: shape[0], height: shape[1], width: shape[2],
                                           precision: precision, output: .probabilities, weightCache: weightCache)
        if planOrder.count >= PSPNetClassifier.plansKept {
            let evicted = planOrder.removeFirst()
            plans[evicted] = nil
            outputs[evicted] = nil
        }
        plans[shape] = plan
        planOrder.append(shape)
        return plan
    }
}

extension PSPNetClassifier {
    /// The classifier of a classify or evaluate job: an unsupported precision becomes a `.badOption` error.
    static func forJob(model: PSPNet, precision: InferencePrecision) throws -> PSPNetClassifier {
        do {
            return try PSPNetClassifier(model: model, precision: precision)
        } catch let error as InferencePlanError {
            throw LandUseError(.badOption, error.description)
        }
    }
}
