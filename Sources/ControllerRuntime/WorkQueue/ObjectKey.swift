import KubeJSON

/// What a reconciler is asked about: only the object's namespace and name, so it re-reads current state (level-triggered).
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
    /// nil for cluster-scoped objects.
    public var namespace: String?
    public var name: String

    public init(namespace: String? = nil, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of an object, or nil when it lacks metadata.name.
    public init?(object: JSON) {
        guard let name = object[path: "metadata", "name"]?.stringValue, !name.isEmpty else { return nil }
        let namespace = object[path: "metadata", "namespace"]?.stringValue
        self.init(namespace: namespace?.isEmpty == false ? namespace : nil, name: name)
    }

    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }
}
