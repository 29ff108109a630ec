import TensorCore

/// The chip-context consistency term of `landuse train --consistency-weight`.
///
/// A dilated PSPNet sees hundreds of pixels around each pixel, and its pyramid pools the whole chip, so the
/// class it gives a pixel can change with the chip around it: classify's chip grids (256 vs 512 pixels)
/// then disagree, and that is what users see as seams. The term asks the network to answer the same for a
/// pixel whether it sits in a whole training chip or in a crop of half its size: each step also runs the
/// crop (at a random position inside the chip) and adds the squared difference between the crop's class
/// probabilities and the whole chip's over the same pixels, the whole chip's held fixed as the target
/// (the wider context is the better-informed one), summed over classes and averaged over pixels.
struct ContextConsistency {
    let chipSize: Int
    /// Crop edge: half the chip, at least 32 pixels.
    var cropSize: Int { max(32, chipSize / 2) }

    /// Random crop positions (top, left) per chip, one pair per image of the batch.
    func positions(count: Int, generator: inout RandomGenerator) -> [(top: Int, left: Int)] {
        let room = chipSize - cropSize
        return (0..<count).map { _ in
            (Int(generator.next() % UInt64(room + 1)), Int(generator.next() % UInt64(room + 1)))
        }
    }

    /// Cuts `[N, crop, crop, C]` out of `tensor` `[N, S, S, C]` at `positions` (data only, no gradient).
    func crop(_ tensor: Tensor, at positions: [(top: Int, left: Int)]) -> Tensor {
        let (count, size, channels) = (tensor.shape[0], tensor.shape[1], tensor.shape[3])
        precondition(tensor.shape == [count, chipSize, chipSize, channels] && positions.count == count, "ContextConsistency.crop: \(tensor.shape)")
        let crop = cropSize
        return Tensor(shape: [count, crop, crop, channels]) { target in
            tensor.withUnsafeBufferPointer { source in
                for (index, position) in positions.enumerated() {
                    for row in 0..<crop {
                        let from = ((index * size + position.top + row) * size + position.left) * channels
                        let to = (index * crop + row) * crop * channels
                        for offset in 0..<(crop * channels) { target[to + offset] = source[from + offset] }
                    }
                }
            }
        }
    }

    /// The term: `mean over pixels of sum over classes (softmax(cropLogits) - target)^2`, differentiable in
    /// `cropLogits`; `target` holds the whole chips' probabilities cut to the crops.
    func loss(cropLogits: Tensor, target: Tensor) -> Tensor {
        precondition(cropLogits.shape == target.shape, "ContextConsistency.loss: \(cropLogits.shape) vs \(target.shape)")
        let difference = softmax(cropLogits) - target
        return (difference * difference).mean() * Float(cropLogits.shape[3])
    }
}
