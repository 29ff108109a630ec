import Foundation

/// Progress on stderr, the way long-running `landuse` commands show it.
///
/// On a terminal: one self-rewriting line with a bar, count, rate and ETA. Otherwise (a log file, a
/// cluster job): a plain line every `interval` seconds and a last line at the end. Silent when `quiet`.
public final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let unit: String
    private let quiet: Bool
    private let isTerminal: Bool
    private let interval: Double
    private let lock = NSLock()
    private var lastPrinted = Date.distantPast
    private var lastLine = ""

    public init(label: String, unit: String, quiet: Bool, interval: Double = 5) {
        self.label = label
        self.unit = unit
        self.quiet = quiet
        self.interval = interval
        isTerminal = isatty(STDERR_FILENO) != 0
    }

    /// Reports `done` of `total` after `seconds`; `extra` is appended (e.g. "loss 0.83").
    public func update(done: Int, total: Int, seconds: Double, extra: String = "") {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let finished = done >= total
        guard finished || now.timeIntervalSince(lastPrinted) >= (isTerminal ? 0.2 : interval) else { return }
        lastPrinted = now
        let line = ProgressReporter.line(label: label, unit: unit, done: done, total: total, seconds: seconds, extra: extra, bar: isTerminal)
        guard line != lastLine else { return }
        lastLine = line
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (finished ? "\n" : "")).utf8))
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// The text of one progress report.
    public static func line(label: String, unit: String, done: Int, total: Int, seconds: Double, extra: String = "", bar: Bool) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        var text = "\(label) "
        if bar {
            let width = 24
            let filled = Int((fraction * Double(width)).rounded(.down))
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
        }
        text += "\(done)/\(total) \(unit) (\(Int((fraction * 100).rounded(.down)))%), \(String(format: "%.1f", rate)) \(unit)/s, "
        text += done >= total ? "done in \(duration(seconds))" : "ETA \(duration(remaining))"
        if !extra.isEmpty { text += ", " + extra }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole >= 3600 { return "\(whole / 3600)h\(String(format: "%02d", whole % 3600 / 60))m" }
        if whole >= 60 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
        return "\(whole)s"
    }
}
