/// One thing wrong with an Evolution's spec: where, what, and how to fix it.
///
/// `path` uses the notation users see in `kubectl explain` and in API server
/// errors (`spec.steps[2].converge.timeout`), so it can be found in the YAML.
public struct SpecIssue: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Every problem found in a spec, in document order. Thrown by
/// `Evolution(json:)`; becomes the `Invalid` condition's message.
public struct SpecValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [SpecIssue]

    public init(_ issues: [SpecIssue]) { self.issues = issues }

    public var description: String { issues.map(\.description).joined(separator: "; ") }
}
