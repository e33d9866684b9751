import Foundation

/// One accepted write, as the server saw it: what scenario tests and benchmarks
/// count and order ("the flag was applied in no region before…").
public struct WriteRecord: Sendable, Equatable {
    /// The revision the write produced (unchanged for no-op writes).
    public var revision: Int64
    public var time: Date
    /// create, update, patch, apply, delete.
    public var verb: String
    public var group: String
    public var resource: String
    public var subresource: String?
    public var namespace: String?
    public var name: String
    public var user: String
    public var fieldManager: String
    /// False when the write changed nothing (no-op update or patch).
    public var changed: Bool
}

/// One request as the server received it, answered or not: what "requests per step
/// transition" is counted from. Recorded only with `KubeSimOptions.recordRequests`.
public struct RequestRecord: Sendable, Equatable {
    public var time: Date
    /// The Kubernetes verb (get, list, watch, create, update, patch, delete, …), or the
    /// HTTP method, lowercased, for paths that are not resources.
    public var verb: String
    public var group: String
    public var resource: String
    public var subresource: String?
    public var namespace: String?
    public var name: String?
    /// The request's path, for paths that are not resources (empty otherwise).
    public var path: String
    /// Who authenticated (the token's user).
    public var requester: String
    /// Whom the requester acted as (`Impersonate-User`), if anyone.
    public var impersonating: String?
    /// The response's status code (200 for a watch that started).
    public var code: Int
}
