import NeuralNet
import TensorCore

/// One top-down step of the FPN decoder: upsample the running features to the skip's size, concatenate a
/// 1x1 conv-BN-ReLU `lateral` of the skip, and mix them with a 3x3 conv-BN-ReLU `fuse`.
final class FPNStage: Module {
    let lateral: ConvBatchNorm
    let fuse: ConvBatchNorm

    init(runningChannels: Int, skipChannels: Int, lateralChannels: Int, outputChannels: Int, generator: inout RandomGenerator) {
        lateral = ConvBatchNorm(inputChannels: skipChannels, outputChannels: lateralChannels, kernelSize: 1, generator: &generator)
        fuse = ConvBatchNorm(inputChannels: runningChannels + lateralChannels, outputChannels: outputChannels, kernelSize: 3,
                             generator: &generator)
        super.init()
        register(lateral, as: "lateral")
        register(fuse, as: "fuse")
    }

    /// - Parameters:
    ///   - running: `[N, h, w, runningChannels]`.
    ///   - skip: `[N, H, W, skipChannels]`, the finer feature.
    /// - Returns: `[N, H, W, outputChannels]`.
    func callAsFunction(_ running: Tensor, skip: Tensor) -> Tensor {
        var upsampled = running
        if running.shape[1] != skip.shape[1] || running.shape[2] != skip.shape[2] {
            upsampled = resizeBilinear(running, height: skip.shape[1], width: skip.shape[2])
        }
        return fuse(concatenateChannels([upsampled, lateral(skip)]))
    }
}
