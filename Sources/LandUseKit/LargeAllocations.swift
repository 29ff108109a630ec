#if canImport(Glibc)
import Glibc
#endif

/// Keeps glibc's heap from holding on to the large buffers that tiled inference allocates and frees on
/// three threads.
///
/// glibc serves a request above its mmap threshold with its own mapping and returns it when freed, but it
/// raises that threshold (up to 32 MB) each time such a mapping is freed, after which buffers of a few MB to
/// 32 MB (chip batches, read blocks, activations) come from per-thread heaps that keep freed memory.
/// With the reader, classifier and writer threads each holding such heaps, `landuse classify` of an 8,192 x
/// 8,192 scene peaked at 2.1 GB RSS; with the threshold fixed at 4 MB (which also stops the raising), the same
/// run stays near 0.8 GB (docs/benchmarks.md, "classify memory"). Set once per process, before the first
/// prediction; other platforms are left alone.
enum LargeAllocations {
    static let threshold: Int32 = 4 << 20
    /// glibc's `M_MMAP_THRESHOLD` parameter of `mallopt` (malloc.h, which Swift's Glibc module does not import).
    static let mmapThresholdParameter: Int32 = -3

    static let useOwnMappings: Void = {
        #if canImport(Glibc)
        // Looked up at run time: present in every glibc, absent from other C libraries (then nothing happens).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
            _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThresholdParameter, threshold)
        }
        #endif
    }()
}
