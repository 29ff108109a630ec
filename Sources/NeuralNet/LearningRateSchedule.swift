import Foundation

/// The learning rate as a function of the iteration (0-based optimizer step), set on an optimizer before
/// each step: `optimizer.learningRate = schedule.learningRate(at: iteration)`.
public protocol LearningRateSchedule: Sendable {
    func learningRate(at iteration: Int) -> Float
}

/// The share of a schedule's `total` iterations done at `iteration`, clamped to [0, 1].
private func scheduleProgress(_ iteration: Int, of total: Int) -> Double {
    Double(min(max(iteration, 0), total)) / Double(total)
}

/// Polynomial ("poly") decay, the PSPNet/DeepLab schedule: `base · (1 − iteration/total)^power`, reaching
/// 0 at `totalIterations` and staying there.
public struct PolynomialDecay: LearningRateSchedule {
    public let baseLearningRate: Float
    public let totalIterations: Int
    public let power: Float

    public init(baseLearningRate: Float, totalIterations: Int, power: Float = 0.9) {
        precondition(totalIterations > 0, "PolynomialDecay: totalIterations must be positive, got \(totalIterations)")
        self.baseLearningRate = baseLearningRate
        self.totalIterations = totalIterations
        self.power = power
    }

    public func learningRate(at iteration: Int) -> Float {
        Float(Double(baseLearningRate) * pow(1 - scheduleProgress(iteration, of: totalIterations), Double(power)))
    }
}

/// Cosine annealing from `base` to `minimum` over `totalIterations`:
/// `minimum + (base − minimum) · (1 + cos(π · iteration/total)) / 2`, then `minimum`.
public struct CosineDecay: LearningRateSchedule {
    public let baseLearningRate: Float
    public let totalIterations: Int
    public let minimumLearningRate: Float

    public init(baseLearningRate: Float, totalIterations: Int, minimumLearningRate: Float = 0) {
        precondition(totalIterations > 0, "CosineDecay: totalIterations must be positive, got \(totalIterations)")
        self.baseLearningRate = baseLearningRate
        self.totalIterations = totalIterations
        self.minimumLearningRate = minimumLearningRate
    }

    public func learningRate(at iteration: Int) -> Float {
        let span = Double(baseLearningRate - minimumLearningRate)
        return Float(Double(minimumLearningRate) + span * (1 + cos(Double.pi * scheduleProgress(iteration, of: totalIterations))) / 2)
    }
}

/// Linear warmup in front of any schedule: during the first `warmupIterations` the wrapped schedule's rate
/// is multiplied by a factor rising linearly from `startFactor` (iteration 0) towards 1; from
/// `warmupIterations` on the wrapped schedule applies unchanged. The wrapped schedule keeps counting from
/// iteration 0, so e.g. poly decay still reaches 0 at its own `totalIterations`.
public struct LinearWarmup<Wrapped: LearningRateSchedule>: LearningRateSchedule {
    public let wrapped: Wrapped
    public let warmupIterations: Int
    public let startFactor: Float

    public init(_ wrapped: Wrapped, warmupIterations: Int, startFactor: Float = 0.001) {
        precondition(warmupIterations >= 0, "LinearWarmup: warmupIterations must be non-negative, got \(warmupIterations)")
        precondition((0...1).contains(startFactor), "LinearWarmup: startFactor must lie in [0, 1], got \(startFactor)")
        self.wrapped = wrapped
        self.warmupIterations = warmupIterations
        self.startFactor = startFactor
    }

    public func learningRate(at iteration: Int) -> Float {
        let rate = wrapped.learningRate(at: iteration)
        guard iteration < warmupIterations else { return rate }
        let progress = Float(max(iteration, 0)) / Float(warmupIterations)
        return rate * (startFactor + (1 - startFactor) * progress)
    }
}

/// A constant learning rate (for composing with `LinearWarmup`, and for tests).
public struct ConstantLearningRate: LearningRateSchedule {
    public let learningRate: Float
    public init(_ learningRate: Float) { self.learningRate = learningRate }
    public func learningRate(at iteration: Int) -> Float { learningRate }
}
