import NeuralNet
import TensorCore

/// A PSPNet for land-use segmentation: dilated ResNet encoder (`backbone`), pyramid pooling (`ppm`), an
/// upsample or FPN decoder (`decoder`) and, when `auxWeight > 0`, an auxiliary head on layer3 (`aux`).
/// `configuration.width` scales every channel count (encoder, pyramid pooling, heads); names do not change.
///
/// Parameter and buffer names are exactly the keys of `python/landuse_pspnet.py`'s state dict (BatchNorm's
/// `num_batches_tracked` included), so weights move between the two key for key. Activations are NHWC.
///
/// ```swift
/// let model = PSPNet(configuration: PSPNetConfiguration(backbone: .resnet50, classCount: 7, bandCount: 6))
/// model.eval()
/// let logits = Tensor.withoutRecording { model(chips) }      // [N, H, W, 7]
/// ```
public final class PSPNet: Module {
    public let configuration: PSPNetConfiguration
    public let encoder: ResNetEncoder
    public let pyramidPooling: PyramidPooling
    /// Present exactly when `configuration.auxWeight > 0`.
    public let auxiliaryHead: AuxiliaryHead?
    private let upsampleDecoder: UpsampleDecoder?
    private let fpnDecoder: FPNDecoder?
    /// Draws dropout masks in training; part of the state a resumed training run restores.
    public var generator: RandomGenerator

    /// A randomly initialised network (Kaiming-normal convolutions in fan-out mode, unit BatchNorm, zero
    /// biases) that is the same for the same `seed`. The configuration must have no `problems`.
    public init(configuration: PSPNetConfiguration, seed: UInt64 = 0) {
        let problems = configuration.problems
        guard problems.isEmpty else {
            fatalError("PSPNet: invalid configuration: \(problems.joined(separator: "; "))")
        }
        self.configuration = configuration
        var generator = RandomGenerator(seed: seed)
        encoder = ResNetEncoder(backbone: configuration.backbone, bandCount: configuration.bandCount,
                                outputStride: configuration.outputStride, width: configuration.width, generator: &generator)
        let channels = encoder.channels
        pyramidPooling = PyramidPooling(inputChannels: channels[4], sizes: configuration.pyramidSizes, generator: &generator)
        switch configuration.decoder {
        case .upsample:
            upsampleDecoder = UpsampleDecoder(inputChannels: pyramidPooling.outputChannels, width: configuration.scaledChannels(512),
                                              classCount: configuration.classCount, generator: &generator)
            fpnDecoder = nil
        case .fpn:
            upsampleDecoder = nil
            fpnDecoder = FPNDecoder(inputChannels: pyramidPooling.outputChannels,
                                    skipChannels: [channels[3], channels[2], channels[1], channels[0], configuration.bandCount],
                                    classCount: configuration.classCount, width: configuration.width, generator: &generator)
        }
        auxiliaryHead = configuration.auxWeight > 0
            ? AuxiliaryHead(inputChannels: channels[3], width: configuration.scaledChannels(256), classCount: configuration.classCount, generator: &generator)
            : nil
        self.generator = generator
        super.init()
        register(encoder, as: "backbone")
        register(pyramidPooling, as: "ppm")
        if let upsampleDecoder { register(upsampleDecoder, as: "decoder") }
        if let fpnDecoder { register(fpnDecoder, as: "decoder") }
        if let auxiliaryHead { register(auxiliaryHead, as: "aux") }
    }

    /// Channel dropout probability of the decoder and the auxiliary head in training (default 0.1; 0 turns
    /// dropout off, as the parity tests do).
    public var dropoutProbability: Float {
        get { upsampleDecoder?.dropoutProbability ?? fpnDecoder!.dropoutProbability }
        set {
            upsampleDecoder?.dropoutProbability = newValue
            fpnDecoder?.dropoutProbability = newValue
            auxiliaryHead?.dropoutProbability = newValue
        }
    }

    /// Logits at the input's size. Never runs the auxiliary head (use `forwardTraining` for its logits).
    /// - Parameter input: `[N, H, W, bandCount]`, normalised bands, any H and W.
    /// - Returns: `[N, H, W, classCount]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let features = encoder(input)
        return decode(features, input: input)
    }

    /// The main logits and, in training mode with an auxiliary head, the auxiliary logits (both at the
    /// input's size); in evaluation mode `aux` is nil.
    ///
    /// Training-mode BatchNorm needs two values per channel, so with a pyramid size of 1 the batch must hold
    /// at least 2 chips (as in PyTorch); 3 or more keep that branch's gradients well conditioned.
    /// - Parameter input: `[N, H, W, bandCount]`.
    public func forwardTraining(_ input: Tensor) -> (logits: Tensor, aux: Tensor?) {
        let features = encoder(input)
        let logits = decode(features, input: input)
        guard isTraining, let auxiliaryHead else { return (logits, nil) }
        let aux = auxiliaryHead(features.layer3, height: input.shape[1], width: input.shape[2], generator: &generator)
        return (logits, aux)
    }

    private func decode(_ features: EncoderFeatures, input: Tensor) -> Tensor {
        let pooled = pyramidPooling(features.layer4)
        if let upsampleDecoder {
            return upsampleDecoder(pooled, height: input.shape[1], width: input.shape[2], generator: &generator)
        }
        return fpnDecoder!(pooled, skips: [features.layer3, features.layer2, features.layer1, features.stem, input],
                           generator: &generator)
    }

    /// The PSPNet training loss: `crossEntropy(logits) + auxWeight * crossEntropy(aux)` (the second term
    /// only when `aux` is given), each PyTorch's mean cross entropy over pixels not labelled `ignoreIndex`.
    /// - Parameters:
    ///   - logits, aux: `[N, H, W, classCount]`.
    ///   - labels: `[N, H, W]` class indices as Float32.
    ///   - classWeights: `[classCount]` per-class loss weights, or nil for equal weights.
    /// - Returns: a scalar tensor.
    public func loss(logits: Tensor, aux: Tensor?, labels: Tensor, ignoreIndex: Int = 255, classWeights: Tensor? = nil) -> Tensor {
        let main = crossEntropy(logits: logits, labels: labels, ignoreIndex: ignoreIndex, classWeights: classWeights)
        guard let aux else { return main }
        return main + crossEntropy(logits: aux, labels: labels, ignoreIndex: ignoreIndex, classWeights: classWeights)
            * configuration.auxWeight
    }

    /// Number of trainable scalars, auxiliary head included.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.count } }
}
