import NeuralNet
import TensorCore

/// One of layer1...layer4 of a ResNet: residual blocks named `0`, `1`, … applied in order (torchvision's
/// `Sequential`). Only the first block strides and may project its shortcut.
final class ResidualStage: Module, Layer {
    let blocks: [ResidualBlock]

    init(inputChannels: Int, width: Int, blockCount: Int, bottleneck: Bool, stride: Int, dilation: Int,
         generator: inout RandomGenerator) {
        let outputChannels = width * (bottleneck ? 4 : 1)
        var blocks: [ResidualBlock] = []
        for index in 0..<blockCount {
            blocks.append(ResidualBlock(
                inputChannels: index == 0 ? inputChannels : outputChannels, width: width, bottleneck: bottleneck,
                stride: index == 0 ? stride : 1, dilation: dilation, generator: &generator))
        }
        self.blocks = blocks
        super.init()
        for (index, block) in blocks.enumerated() { register(block, as: String(index)) }
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        blocks.reduce(input) { features, block in block(features) }
    }
}
