/// A user or data error from a LandUseKit tool: the message says what went wrong and how to fix it.
public struct LandUseError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        case badInput, badModel, badOption, outputExists, cancelled, failed
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
