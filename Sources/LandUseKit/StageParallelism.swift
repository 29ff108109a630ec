import TensorCore

/// Splits the per-pixel work of the classify stages (cutting chips, stitching, argmax) across the engine's
/// threads when the stages run between classifier calls (the sequential path), so that on a machine whose
/// cores the model fills the work takes 1/threads of the time it would on one thread. On the pipelined path
/// the stages run beside the model and stay on their own thread (`parallel` false): spreading them would only
/// preempt more of the model's threads.
enum StageParallelism {
    /// Runs `body` over contiguous blocks of `0..<count` (blocks of at least `minimumBlock`), concurrently
    /// when `parallel`, else as one block on the calling thread.
    static func blocks(_ count: Int, parallel: Bool, minimumBlock: Int, _ body: (Range<Int>) -> Void) {
        if parallel {
            TensorEngine.forEachBlock(count, minimumBlock: minimumBlock, body)
        } else if count > 0 {
            body(0..<count)
        }
    }
}
