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

    /// Niceness of stage threads: below the classifier's threads, never starved.
    private static let stageNiceness: Int32 = 5

    /// Lowers the calling thread's priority a little (Linux: per-thread nice +5; elsewhere a no-op).
    ///
    /// The classifier's OpenMP and Dispatch workers wait for each other at every layer, so a stage thread that
    /// preempts one of them stalls all of them; a niced stage thread yields to them and runs in the gaps. An
    /// earlier build used `SCHED_IDLE` instead: on a machine busy with other processes, idle-class threads got
    /// no CPU at all and a pipelined run of 16 chips took 80 s instead of 4 s (docs/benchmarks.md).
    private static func yieldToForegroundWork() {
        #if os(Linux)
        // who = 0 is the calling task: on Linux, nice is a per-thread attribute (setpriority(2), BUGS).
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, stageNiceness)
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
