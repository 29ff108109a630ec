import Foundation
import NeuralNet
import TensorCore

/// The Swift twin of python/counter_random.py: value i of the tensor named `name` is
/// `splitmix64(fnv1a64(name) + i) >> 40`, divided by 2^24 (wrapping 64-bit arithmetic). Derived values are
/// computed in Double and rounded to Float once, exactly as numpy does, so weights match bit for bit.
enum CounterRandom {
    static func fnv1a64(_ name: String) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
        return value
    }

    static func splitmix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` values in [0, 1), each a multiple of 2^-24.
    static func unit(_ name: String, count: Int) -> [Double] {
        let base = fnv1a64(name)
        return (0..<count).map { Double(splitmix64(base &+ UInt64($0)) >> 40) / Double(1 << 24) }
    }

    /// `count` Floats uniform in [-bound, bound).
    static func symmetric(_ name: String, count: Int, bound: Double) -> [Float] {
        unit(name, count: count).map { Float(($0 * 2 - 1) * bound) }
    }

    /// The fixture generator's `counter_initialise_`: 4-D tensors uniform in ±sqrt(6 / fan_in); other names
    /// ending in "weight" and "running_var" 0.25 + 0.5 u; the rest (biases, running means) ±0.1;
    /// `num_batches_tracked` untouched.
    static func initialise(_ module: Module) throws {
        var state = module.stateDict()
        for (name, tensor) in state where !name.hasSuffix("num_batches_tracked") {
            let count = tensor.count
            let values: [Float]
            if tensor.rank == 4 {
                let fanIn = tensor.shape[1] * tensor.shape[2] * tensor.shape[3]
                values = symmetric(name, count: count, bound: pow(6.0 / Double(fanIn), 0.5))
            } else if name.hasSuffix("running_var") || name.hasSuffix("weight") {
                values = unit(name, count: count).map { Float(0.25 + 0.5 * $0) }
            } else {
                values = symmetric(name, count: count, bound: 0.1)
            }
            state[name] = Tensor(shape: tensor.shape, scalars: values)
        }
        try module.load(stateDict: state)
    }

    /// The fixture input: NHWC, uniform in [-1, 1).
    static func input(_ name: String, batch: Int, height: Int, width: Int, bands: Int) -> Tensor {
        let count = batch * height * width * bands
        return Tensor(shape: [batch, height, width, bands], scalars: symmetric(name, count: count, bound: 1))
    }

    /// The fixture labels: floor(u * (classes + 1)), with the value `classes` replaced by `ignore`.
    static func labels(_ name: String, batch: Int, height: Int, width: Int, classes: Int, ignore: Int) -> Tensor {
        let values = unit(name, count: batch * height * width).map { draw -> Float in
            let label = Int((draw * Double(classes + 1)).rounded(.down))
            return Float(label == classes ? ignore : label)
        }
        return Tensor(shape: [batch, height, width], scalars: values)
    }
}
