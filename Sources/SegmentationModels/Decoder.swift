/// The decoder that turns the encoder's pyramid-pooled features into per-pixel class logits.
public enum Decoder: String, Codable, CaseIterable, Sendable {
    /// The paper's head: 3x3 conv to 512, BN, ReLU, Dropout2d(0.1), 1x1 conv to the classes, bilinear
    /// upsampling to the input size.
    case upsample
    /// A U-Net/FPN-style top-down path that fuses the pyramid-pooled features with skip features from
    /// layer3, layer2, layer1, the stem and the input bands, ending at full resolution (docs/DESIGN.md).
    case fpn
}
