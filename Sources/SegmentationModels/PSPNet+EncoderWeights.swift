import NeuralNet
import TensorCore

extension PSPNet {
    /// Initialises the encoder from a torchvision ResNet state dict (e.g. ImageNet weights converted to
    /// safetensors), leaving pyramid pooling, decoder and aux head as they are.
    ///
    /// Accepts torchvision keys (`conv1.weight`, `layer4.2.conv2.weight`, …) or the same keys prefixed
    /// `backbone.`; ignores `fc.*`; `*.num_batches_tracked` may be absent. A `conv1.weight` with 3 input channels is
    /// adapted to `bandCount` bands (`adaptStemWeight`). Every encoder tensor must be present with the
    /// right shape, and no other key may appear. Throws for a network of width below 1 (torchvision's
    /// channel counts are width 1's).
    /// - Returns: the number of tensors loaded.
    @discardableResult
    public func loadEncoderWeights(from file: SafeTensorsFile) throws -> Int {
        guard configuration.width == 1 else {
            throw WeightImportError(
                "this network has width \(configuration.width), and torchvision ResNet weights fit width 1.0 only: train from scratch or use --width 1")
        }
        var weights: [String: Tensor] = [:]
        for name in file.names {
            let key = name.hasPrefix("backbone.") ? String(name.dropFirst("backbone.".count)) : name
            if key.hasPrefix("fc.") { continue }
            weights[key] = try file.tensor(named: name)
        }
        for (key, value) in encoder.stateDict() where key.hasSuffix(".num_batches_tracked") && weights[key] == nil {
            weights[key] = value
        }
        if let stem = weights["conv1.weight"], stem.rank == 4, stem.shape[1] == 3, configuration.bandCount != 3 {
            weights["conv1.weight"] = PSPNet.adaptStemWeight(stem, bandCount: configuration.bandCount)
        }
        do {
            try encoder.load(stateDict: weights, strict: true)
        } catch let error as StateDictError {
            throw WeightImportError(
                "encoder weights do not fit a \(configuration.backbone.rawValue) encoder with \(configuration.bandCount) bands (\(error.report)): "
                    + "pass a torchvision \(configuration.backbone.rawValue) state dict (keys conv1.weight, bn1.*, layer1.0.conv1.weight, …)")
        }
        return weights.count
    }

    /// Spreads a 3-band (RGB) stem filter bank `[64, 3, 7, 7]` over `bandCount` bands: band i takes the
    /// filter of RGB channel i mod 3, and every filter is scaled by 3 / bandCount; a single band takes the
    /// sum of the three filters (timm's rules). The bands keep distinct pretrained filters, and the stem's
    /// response to a pixel whose bands all hold one value is the RGB network's response to a grey pixel of
    /// that value: exactly for 1 band and multiples of 3, approximately otherwise (the filters of the first
    /// channels weigh a little more).
    public static func adaptStemWeight(_ weight: Tensor, bandCount: Int) -> Tensor {
        guard weight.rank == 4 && weight.shape[1] == 3 && bandCount >= 1 else {
            fatalError("adaptStemWeight: weight \(weight.shape) must be [O, 3, KH, KW] and bandCount \(bandCount) >= 1")
        }
        let outputs = weight.shape[0], area = weight.shape[2] * weight.shape[3]
        let scale = 3 / Float(bandCount)
        return Tensor(shape: [outputs, bandCount, weight.shape[2], weight.shape[3]]) { result in
            weight.withUnsafeBufferPointer { source in
                for output in 0..<outputs {
                    for band in 0..<bandCount {
                        let to = (output * bandCount + band) * area
                        if bandCount == 1 {
                            for index in 0..<area {
                                result[to + index] = (0..<3).reduce(0) { $0 + source[(output * 3 + $1) * area + index] }
                            }
                        } else {
                            let from = (output * 3 + band % 3) * area
                            for index in 0..<area { result[to + index] = source[from + index] * scale }
                        }
                    }
                }
            }
        }
    }
}

/// Weights that cannot be imported into a network; the message says what to pass instead.
public struct WeightImportError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
