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
