/// A 64-byte-aligned buffer of Float32 scalars shared by tensors until one of them writes (copy-on-write).
///
/// Owns its memory and frees it in `deinit`. The alignment suits AVX-512 loads and oneDNN's expectations.
public final class TensorStorage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    /// Incremented by every write through `Tensor.withUnsafeMutableBufferPointer`. Caches of data derived
    /// from these scalars (oneDNN's reordered convolution weights) compare it to see whether they changed.
    /// Code that writes through `pointer` directly after the storage was first used must call
    /// `noteModification()`.
    public private(set) var modificationCount: UInt64 = 0

    /// Records that the scalars changed (see `modificationCount`).
    public func noteModification() { modificationCount &+= 1 }

    /// Allocates `count` scalars, uninitialised. Callers must write every element before reading.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative count \(count)")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Allocates `count` scalars set to `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// A new storage holding a copy of this one's scalars.
    public func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    deinit {
        UnsafeMutableRawPointer(pointer).deallocate()
    }
}
