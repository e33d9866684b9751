/// Which Evolution a ledger belongs to: its namespace, name and uid.
///
/// The uid matters: an Evolution deleted and re-created under the same name is
/// a different resource with a different history, so it gets a different ledger.
public struct EvolutionRef: Sendable, Hashable, CustomStringConvertible {
    public var namespace: String
    public var name: String
    public var uid: String

    public init(namespace: String, name: String, uid: String) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// `namespace/name (uid)`, for messages.
    public var description: String { "\(namespace)/\(name) (uid \(uid))" }
}
