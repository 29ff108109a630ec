import Foundation

/// Process-wide settings and counters of the tensor engine: threads and oneDNN primitive creations.
///
/// Named `TensorEngine` rather than after the module because a type named like its module breaks
/// module-qualified names (`TensorCore.Tensor`) for every client.
public enum TensorEngine {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var configuredThreadCount = ProcessInfo.processInfo.activeProcessorCount
    nonisolated(unsafe) private static var creations = 0

    /// Threads used by oneDNN primitives (OpenMP) and by the engine's own Swift loops. Defaults to the number
    /// of active processors; the benchmarks set 2. Takes effect on the next op, from any thread.
    public static var threadCount: Int {
        get { lock.withLock { configuredThreadCount } }
        set {
            precondition(newValue >= 1, "TensorEngine.threadCount must be at least 1, got \(newValue)")
            lock.withLock { configuredThreadCount = newValue }
        }
    }

    /// Runs `body` over contiguous blocks of `0..<count` (at least `minimumBlock` items each), concurrently on up
    /// to `threadCount` threads: the engine's own parallel loop (`parallelBlocks`), for other modules' loops.
    public static func forEachBlock(_ count: Int, minimumBlock: Int, _ body: (Range<Int>) -> Void) {
        parallelBlocks(count, minimumBlock: minimumBlock, body)
    }

    /// How many oneDNN primitives (convolutions, reorders, ...) the engine has compiled since launch.
    /// Primitives are cached per shape, so this stops growing after the first step of a training loop.
    public static var primitiveCreationCount: Int { lock.withLock { creations } }

    static func notePrimitiveCreated() { lock.withLock { creations += 1 } }

    /// OpenMP keeps the thread-count setting per calling thread, so it is applied before every oneDNN call.
    /// `omp_set_num_threads` is looked up at run time in the libgomp that libdnnl loaded, which keeps the
    /// package free of link flags for libgomp.
    static func applyThreadCountToCurrentThread() {
        guard let setThreads = openMPSetThreads else { return }
        setThreads(Int32(threadCount))
    }

    private typealias SetThreadsFunction = @convention(c) (Int32) -> Void
    private static let openMPSetThreads: SetThreadsFunction? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_set_num_threads") else { return nil }
        return unsafeBitCast(symbol, to: SetThreadsFunction.self)
    }()
}

/// How many blocks to split `count` items into: several per thread, so that when a worker thread starts
/// late (another process holds its core) the calling thread, which takes blocks from the same queue,
/// does its share instead of waiting. One block when the work is small or only one thread is allowed.
@inline(__always)
func blockCount(_ count: Int, minimumBlock: Int) -> Int {
    let threads = TensorEngine.threadCount
    guard threads > 1 else { return 1 }
    return max(1, min(threads * 8, count / max(minimumBlock, 1)))
}

/// Splits `0..<count` into contiguous blocks of at least `minimumBlock` items (see `blockCount`) and runs
/// `body` on each block, concurrently on up to `TensorEngine.threadCount` threads.
@inline(__always)
func parallelBlocks(_ count: Int, minimumBlock: Int = 4096, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let blocks = blockCount(count, minimumBlock: minimumBlock)
    if blocks == 1 { body(0..<count); return }
    let blockSize = (count + blocks - 1) / blocks
    DispatchQueue.concurrentPerform(iterations: blocks) { block in
        let start = block * blockSize
        let end = min(count, start + blockSize)
        if start < end { body(start..<end) }
    }
}

/// Per-channel sums over rows, computed in parallel: `body(rows, accumulator)` adds its rows' contributions
/// into `accumulator` (`quantities * channels` Doubles, zeroed); the blocks' accumulators are then added up.
func parallelChannelSums(rows: Int, channels: Int, quantities: Int, minimumRows: Int,
                         _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
    let width = quantities * channels
    let blocks = blockCount(rows, minimumBlock: minimumRows)
    var partials = [Double](repeating: 0, count: blocks * width)
    let blockSize = (rows + blocks - 1) / max(blocks, 1)
    partials.withUnsafeMutableBufferPointer { buffer in
        let base = buffer.baseAddress!
        if blocks == 1 { body(0..<rows, base); return }
        DispatchQueue.concurrentPerform(iterations: blocks) { block in
            let start = block * blockSize, end = min(rows, start + blockSize)
            if start < end { body(start..<end, base + block * width) }
        }
    }
    var totals = [Double](repeating: 0, count: width)
    for block in 0..<blocks { for index in 0..<width { totals[index] += partials[block * width + index] } }
    return totals
}
