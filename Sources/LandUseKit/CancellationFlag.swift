import Foundation

/// Turns Ctrl-C (SIGINT) and SIGTERM into a flag that long-running tools poll between steps, so that they
/// stop cleanly: temporary outputs are deleted and no file appears under an output name.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    /// Whether a signal arrived (or `cancel()` was called).
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Catches SIGINT and SIGTERM from now on. A second Ctrl-C while stopping ends the process at once.
    public func catchInterrupts() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if self.isCancelled { exit(130) }
                self.cancel()
                FileHandle.standardError.write(Data("\nlanduse: interrupted, cleaning up (press Ctrl-C again to quit at once)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }
}
