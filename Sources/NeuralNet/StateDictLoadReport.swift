/// What `Module.load(stateDict:strict:)` found when matching a state dict to a module's names.
public struct StateDictLoadReport: Equatable, Sendable, CustomStringConvertible {
    /// A key present in both whose shapes differ.
    public struct ShapeMismatch: Equatable, Sendable {
        public let key: String
        public let expected: [Int]
        public let found: [Int]

        public init(key: String, expected: [Int], found: [Int]) {
            self.key = key
            self.expected = expected
            self.found = found
        }
    }

    /// Keys the module has but the state dict lacks (left unchanged), sorted.
    public var missingKeys: [String]
    /// Keys the state dict has but the module lacks (ignored), sorted.
    public var unexpectedKeys: [String]
    /// Keys whose shapes differ (not loaded), sorted by key.
    public var shapeMismatches: [ShapeMismatch]

    /// Whether every key matched by name and shape.
    public var isExactMatch: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var parts: [String] = []
        func list(_ keys: [String]) -> String {
            keys.count <= 8 ? keys.joined(separator: ", ") : keys.prefix(8).joined(separator: ", ") + ", … (\(keys.count) in all)"
        }
        if !missingKeys.isEmpty { parts.append("missing keys: \(list(missingKeys))") }
        if !unexpectedKeys.isEmpty { parts.append("unexpected keys: \(list(unexpectedKeys))") }
        if !shapeMismatches.isEmpty {
            parts.append("wrong shapes: " + list(shapeMismatches.map { "\($0.key) (model \($0.expected), file \($0.found))" }))
        }
        return parts.isEmpty ? "all keys matched" : parts.joined(separator: "; ")
    }
}

/// A strict state-dict load found mismatches and loaded nothing.
public struct StateDictError: Error, Equatable, CustomStringConvertible {
    public let report: StateDictLoadReport

    public var description: String {
        "state dict does not match the model (\(report)); check that the file was saved from the same architecture and class count, or load with strict: false to take the keys that match"
    }
}
