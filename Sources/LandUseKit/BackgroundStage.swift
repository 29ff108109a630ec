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
            do { try body() } catch { self.error = error }
            done.signal()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
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
