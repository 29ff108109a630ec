/// Why a model file could not be read or written. `description` names the file, what is wrong and the fix.
public struct ModelFileError: Error, Equatable, CustomStringConvertible {
    /// The file (its path, or the name given for in-memory bytes).
    public let path: String
    /// What is wrong and what to do, without the path.
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "model file \(path): \(reason)" }
}
