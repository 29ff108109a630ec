import TensorCore

/// The feature pyramid a `ResNetEncoder` hands to pyramid pooling and the decoders: the contract between
/// encoder and decoder. All tensors are NHWC. For an input of height H (likewise width), a stride s
/// feature has height ceil(H / s) (each stride-2 step rounds up, as PyTorch's padded convolutions do).
///
/// | feature | stride (OS 8 / OS 16) | channels (basic / bottleneck) |
/// |---|---|---|
/// | `stem` (relu(bn1(conv1(x))), before max pooling) | 2 / 2 | 64 / 64 |
/// | `layer1` | 4 / 4 | 64 / 256 |
/// | `layer2` | 8 / 8 | 128 / 512 |
/// | `layer3` | 8 / 16 | 256 / 1024 |
/// | `layer4` | 8 / 16 | 512 / 2048 |
///
/// Channels are those of width multiplier 1; `ResNetEncoder.channels` gives the scaled ones.
public struct EncoderFeatures: Sendable {
    public var stem: Tensor
    public var layer1: Tensor
    public var layer2: Tensor
    public var layer3: Tensor
    public var layer4: Tensor

    public init(stem: Tensor, layer1: Tensor, layer2: Tensor, layer3: Tensor, layer4: Tensor) {
        self.stem = stem
        self.layer1 = layer1
        self.layer2 = layer2
        self.layer3 = layer3
        self.layer4 = layer4
    }
}
