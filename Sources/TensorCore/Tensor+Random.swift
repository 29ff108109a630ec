/// Which fan Kaiming initialisation scales by (PyTorch's `mode`).
public enum FanMode: Sendable {
    /// Inputs per output unit, `I * KH * KW`: preserves activation variance in the forward pass.
    case fanIn
    /// Outputs per input unit, `O * KH * KW`: preserves gradient variance (torchvision's ResNet choice).
    case fanOut
}

extension Tensor {
    /// Independent uniform values in `[lowerBound, upperBound)`, drawn in row-major order from `generator`.
    public static func randomUniform(shape: [Int], lowerBound: Float = 0, upperBound: Float = 1,
                                     generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { output in
            for index in 0..<output.count {
                output[index] = lowerBound + (upperBound - lowerBound) * generator.nextUniform()
            }
        }
    }

    /// Independent normal values, drawn in row-major order from `generator`.
    public static func randomNormal(shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                    generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { output in
            for index in 0..<output.count { output[index] = mean + standardDeviation * generator.nextNormal() }
        }
    }

    /// Kaiming (He) normal initialisation of a weight `[O, I, KH, KW]` (or `[O, I]`): standard deviation
    /// `gain / sqrt(fan)`, gain `sqrt(2 / (1 + negativeSlope^2))`, as PyTorch's `kaiming_normal_`.
    public static func kaimingNormal(shape: [Int], mode: FanMode = .fanIn, negativeSlope: Float = 0,
                                     generator: inout RandomGenerator) -> Tensor {
        let deviation = kaimingGain(negativeSlope) / Float(fan(of: shape, mode)).squareRoot()
        return randomNormal(shape: shape, standardDeviation: deviation, generator: &generator)
    }

    /// Kaiming (He) uniform initialisation: uniform in `±gain * sqrt(3 / fan)`, as PyTorch's
    /// `kaiming_uniform_`. PyTorch's default Conv2d weight initialisation is `negativeSlope: sqrt(5)`.
    public static func kaimingUniform(shape: [Int], mode: FanMode = .fanIn, negativeSlope: Float = 0,
                                      generator: inout RandomGenerator) -> Tensor {
        let bound = kaimingGain(negativeSlope) * (3 / Float(fan(of: shape, mode))).squareRoot()
        return randomUniform(shape: shape, lowerBound: -bound, upperBound: bound, generator: &generator)
    }

    private static func kaimingGain(_ negativeSlope: Float) -> Float {
        (2 / (1 + negativeSlope * negativeSlope)).squareRoot()
    }

    /// PyTorch's fan: dimension 1 (inputs) or 0 (outputs) times the receptive field (the product of the rest).
    static func fan(of shape: [Int], _ mode: FanMode) -> Int {
        checkShapes(shape.count >= 2, "Kaiming initialisation needs a weight of rank >= 2, got \(shape)")
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (mode == .fanIn ? shape[1] : shape[0]) * receptiveField
    }
}
