import Foundation

/// One stage of a pipeline on its own thread: runs `body` once, keeps the error it threw, and is joined by
/// the thread that started it. A dedicated `Thread` rather than a Dispatch queue, because the stage blocks
/// on its queues for long stretches and Dispatch's worker threads are what the engine's Swift kernels use.
final class BackgroundStage: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var error: Error?
    private var joined = false

    init(name: String, body: @escaping () throws -> Void) {
        let thread = Thread { [self] in
            BackgroundStage.yieldToForegroundWork()
            do { try body() } catch { self.error = error }
            done.signal()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Linux's `SCHED_IDLE` policy (sched.h, not imported into Swift).
    private static let idleSchedulingPolicy: Int32 = 5

    /// Lets the calling thread run only on cores nothing else wants (Linux `SCHED_IDLE`; elsewhere a no-op).
    ///
    /// The classifier's OpenMP and Dispatch workers fill every core and wait for each other at every layer, so
    /// a stage thread that preempts one of them stalls all of them: on the 2-core build machine the model ran
    /// 1.4 to 1.6 times slower beside normal-priority stage threads (docs/benchmarks.md). Idle-class stage
    /// threads run in the gaps the model leaves; when it keeps every core busy they fall behind, the model
    /// waits on an empty queue, and the freed core runs them.
    private static func yieldToForegroundWork() {
        #if os(Linux)
        var parameters = sched_param()
        parameters.sched_priority = 0
        _ = pthread_setschedparam(pthread_self(), idleSchedulingPolicy, &parameters)
        #endif
    }

    /// Waits until `body` returned (only the first call waits) and gives the error it threw, if any.
    @discardableResult
    func join() -> Error? {
        if !joined {
            done.wait()
            joined = true
        }
        return error
    }
}
