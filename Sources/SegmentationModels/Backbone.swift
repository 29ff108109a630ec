/// The ResNet encoders a PSPNet can use, with torchvision's block layout.
public enum Backbone: String, Codable, CaseIterable, Sendable {
    case resnet18, resnet34, resnet50, resnet101

    /// Residual blocks in layer1...layer4.
    public var blockCounts: [Int] {
        switch self {
        case .resnet18: return [2, 2, 2, 2]
        case .resnet34, .resnet50: return [3, 4, 6, 3]
        case .resnet101: return [3, 4, 23, 3]
        }
    }

    /// Whether the blocks are bottlenecks (1x1-3x3-1x1, expansion 4) rather than basic blocks (3x3-3x3).
    public var usesBottleneck: Bool { self == .resnet50 || self == .resnet101 }
}
