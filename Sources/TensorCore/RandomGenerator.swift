/// A deterministic, seedable random number generator: xoshiro256** (Blackman and Vigna), seeded through
/// SplitMix64.
///
/// Its whole state is `state` (four words), so a training run saves it with a checkpoint and
/// `RandomGenerator(state:)` continues the exact same sequence. Not cryptographically secure.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose state is derived from `seed` (any value, including 0).
    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// Restores a generator from a saved `state`: four words, not all zero.
    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 },
                     "RandomGenerator(state:) needs 4 words, not all zero; got \(state)")
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }

    /// The complete state, for checkpoints.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// A standard normal Float (mean 0, standard deviation 1), by Box-Muller; consumes two 64-bit draws and
    /// caches nothing, so `state` alone determines what follows.
    public mutating func nextNormal() -> Float {
        let u1 = (Double(next() >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)  // (0, 1]
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)        // [0, 1)
        return Float((-2 * logDouble(u1)).squareRoot() * cosDouble(2 * Double.pi * u2))
    }
}

#if canImport(Glibc)
import Glibc
private func logDouble(_ x: Double) -> Double { Glibc.log(x) }
private func cosDouble(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
private func logDouble(_ x: Double) -> Double { Darwin.log(x) }
private func cosDouble(_ x: Double) -> Double { Darwin.cos(x) }
#endif
