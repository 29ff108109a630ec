/// Traps with `message` unless `condition` holds: the shape contract check of every op.
///
/// Unlike `precondition`, whose message `-O` builds drop, this prints the message (with the shapes the op
/// got) in release builds too, which is how the engine runs.
@inline(__always)
func checkShapes(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}
