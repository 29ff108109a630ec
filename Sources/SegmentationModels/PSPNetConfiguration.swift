/// Everything that fixes a PSPNet's architecture: enough to build it and to check a weight file against it.
///
/// Round-trips through JSON with the keys documented in docs/model-format.md.
public struct PSPNetConfiguration: Codable, Equatable, Sendable {
    /// The ResNet encoder.
    public var backbone: Backbone
    /// 8 (layer3 dilated by 2, layer4 by 4) or 16 (layer4 dilated by 2).
    public var outputStride: Int
    /// Bin counts of the pyramid pooling module; empty means no pyramid pooling (a dilated FCN).
    public var pyramidSizes: [Int]
    /// The decoder after pyramid pooling.
    public var decoder: Decoder
    /// Weight of the auxiliary layer3 loss during training; 0 means no auxiliary head.
    public var auxWeight: Float
    /// Number of output classes.
    public var classCount: Int
    /// Number of input bands (the stem convolution is sized to it).
    public var bandCount: Int
    /// Width multiplier of every channel count of the network (`scaledChannels(_:)`); 1 is the standard
    /// PSPNet, 0.5 has about a quarter of its parameters. Names and structure do not depend on it.
    public var width: Float

    public init(
        backbone: Backbone = .resnet50, outputStride: Int = 8, pyramidSizes: [Int] = [1, 3, 5, 6],
        decoder: Decoder = .upsample, auxWeight: Float = 0.4, classCount: Int, bandCount: Int, width: Float = 1
    ) {
        self.backbone = backbone
        self.outputStride = outputStride
        self.pyramidSizes = pyramidSizes
        self.decoder = decoder
        self.auxWeight = auxWeight
        self.classCount = classCount
        self.bandCount = bandCount
        self.width = width
    }

    /// Problems that make this configuration unbuildable, phrased as fixes; empty when it is valid.
    public var problems: [String] {
        var found: [String] = []
        if outputStride != 8 && outputStride != 16 {
            found.append("output stride is \(outputStride): use 8 or 16")
        }
        if let bad = pyramidSizes.first(where: { $0 < 1 }) {
            found.append("pyramid size \(bad) is not positive: use sizes of 1 or more, e.g. 1,3,5,6")
        }
        if Set(pyramidSizes).count != pyramidSizes.count {
            found.append("pyramid sizes \(pyramidSizes) repeat a size: list each size once")
        }
        if classCount < 2 { found.append("class count is \(classCount): a segmentation model needs at least 2 classes") }
        if bandCount < 1 { found.append("band count is \(bandCount): the model needs at least 1 input band") }
        if auxWeight < 0 || !auxWeight.isFinite { found.append("aux weight is \(auxWeight): use 0 (no aux head) or a positive weight such as 0.4") }
        if !PSPNetConfiguration.widthRange.contains(width) {
            found.append("width is \(width): use a multiplier from \(PSPNetConfiguration.widthRange.lowerBound) to \(PSPNetConfiguration.widthRange.upperBound), e.g. 0.5 (or 1 for the standard network)")
        }
        return found
    }

    private enum CodingKeys: String, CodingKey {
        case backbone
        case outputStride = "output_stride"
        case pyramidSizes = "pyramid_sizes"
        case decoder
        case auxWeight = "aux_weight"
        case classCount = "class_count"
        case bandCount = "band_count"
        case width
    }

    /// Decodes a configuration; files written before the width multiplier existed have no `width` key and
    /// mean width 1.
    public init(from decoder: any Swift.Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        backbone = try container.decode(Backbone.self, forKey: .backbone)
        outputStride = try container.decode(Int.self, forKey: .outputStride)
        pyramidSizes = try container.decode([Int].self, forKey: .pyramidSizes)
        self.decoder = try container.decode(Decoder.self, forKey: .decoder)
        auxWeight = try container.decode(Float.self, forKey: .auxWeight)
        classCount = try container.decode(Int.self, forKey: .classCount)
        bandCount = try container.decode(Int.self, forKey: .bandCount)
        width = try container.decodeIfPresent(Float.self, forKey: .width) ?? 1
    }
}
