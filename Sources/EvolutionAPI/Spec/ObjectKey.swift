import KubeJSON

/// Names one Kubernetes object: what a step applies, or what a check reads.
///
/// `namespace` is kept as written (`nil` when omitted). The controller
/// resolves defaults when it talks to a cluster, but keys its observations by
/// these values so the engine can match them with what the spec says.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String

    public init(apiVersion: String, kind: String, namespace: String? = nil, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The key of a manifest; `nil` when it lacks apiVersion, kind or metadata.name.
    public init?(manifest: JSON) {
        guard let apiVersion = manifest["apiVersion"]?.stringValue, let kind = manifest["kind"]?.stringValue,
              let name = manifest[path: "metadata", "name"]?.stringValue
        else { return nil }
        self.init(apiVersion: apiVersion, kind: kind, namespace: manifest[path: "metadata", "namespace"]?.stringValue, name: name)
    }

    /// The API group: `apps` for `apps/v1`, the empty string for the core `v1`.
    public var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// `apps/v1 Deployment shop/web`, the form used in messages and the ledger.
    public var description: String {
        "\(apiVersion) \(kind) " + (namespace.map { "\($0)/" } ?? "") + name
    }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { a.description < b.description }

    /// Same object regardless of API version (a check may read `v1beta1` of what was applied as `v1`).
    public func sameObject(as other: ObjectKey) -> Bool {
        group == other.group && kind == other.kind && name == other.name && namespace == other.namespace
    }

    public var json: JSON {
        var o: JSONObject = ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name)]
        if let namespace { o["namespace"] = .string(namespace) }
        return .object(o)
    }
}
