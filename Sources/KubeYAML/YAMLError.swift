/// YAML that could not be read or written, with the place it went wrong.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, e.g. "mapping key \"a\" already defined at line 2".
    public let reason: String
    /// One-based line and column of the offending node (0 when unknown).
    public let line: Int
    public let column: Int
    /// Zero-based index of the document in a multi-document stream.
    public let document: Int

    public init(_ reason: String, line: Int = 0, column: Int = 0, document: Int = 0) {
        self.reason = reason
        self.line = line
        self.column = column
        self.document = document
    }

    public var description: String {
        let place = line > 0 ? "line \(line), column \(column)" : "unknown position"
        return "invalid YAML at \(place)\(document > 0 ? " (document \(document + 1))" : ""): \(reason)"
    }
}

/// A position in the YAML text, one-based.
struct YAMLMark: Equatable {
    var line: Int
    var column: Int
}
