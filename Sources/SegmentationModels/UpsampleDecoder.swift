import NeuralNet
import TensorCore

/// The paper's PSPNet head: 3x3 convolution (no bias) to `width` channels, BN, ReLU, Dropout2d, a 1x1
/// convolution (with bias) to the classes, and bilinear upsampling (align corners false) to the input size.
///
/// Names: `conv.weight`, `bn.{weight,bias,running_mean,running_var}`, `classifier.{weight,bias}`.
/// The decoder uses width 512 on the pyramid-pooled features; the auxiliary head is the same block with
/// width 256 on layer3 (`AuxiliaryHead`); both scaled by the network's width multiplier.
public final class UpsampleDecoder: Module {
    public let inputChannels: Int
    public let classCount: Int
    let conv: Conv2d
    let bn: BatchNorm2d
    let dropout: ChannelDropout
    let classifier: Conv2d

    public init(inputChannels: Int, width: Int, classCount: Int, dropoutProbability: Float = 0.1,
                generator: inout RandomGenerator) {
        self.inputChannels = inputChannels
        self.classCount = classCount
        conv = Conv2d(inputChannels: inputChannels, outputChannels: width, kernelSize: 3, padding: 1, bias: false,
                      generator: &generator)
        bn = BatchNorm2d(channels: width)
        dropout = ChannelDropout(probability: dropoutProbability)
        // PyTorch's default Conv2d initialisation (as the Python twin's plain nn.Conv2d gets): Kaiming fan-out would
        // start training with logits of size ~10 and a cross-entropy near 30.
        classifier = Conv2d(inputChannels: width, outputChannels: classCount, kernelSize: 1, initialization: .pytorchDefault, generator: &generator)
        super.init()
        register(conv, as: "conv")
        register(bn, as: "bn")
        register(dropout, as: "dropout")
        register(classifier, as: "classifier")
    }

    /// Channel dropout probability in training (0 switches it off).
    public var dropoutProbability: Float {
        get { dropout.probability }
        set { dropout.probability = newValue }
    }

    /// - Parameters:
    ///   - features: `[N, h, w, inputChannels]`.
    ///   - height, width: the output size (the network input's).
    ///   - generator: draws the dropout mask in training.
    /// - Returns: logits `[N, height, width, classCount]`.
    public func callAsFunction(_ features: Tensor, height: Int, width: Int, generator: inout RandomGenerator) -> Tensor {
        guard features.rank == 4 && features.shape[3] == inputChannels else {
            fatalError("UpsampleDecoder: features \(features.shape) must be [N, h, w, \(inputChannels)]")
        }
        let hidden = dropout(relu(bn(conv(features))), generator: &generator)
        return resizeBilinear(classifier(hidden), height: height, width: width)
    }
}

/// The auxiliary head on layer3 used in training: an `UpsampleDecoder` of width 256 x the width multiplier (names `aux.conv.weight`,
/// `aux.bn.*`, `aux.classifier.*`). It never runs in evaluation and model files omit it by default.
public typealias AuxiliaryHead = UpsampleDecoder
