import KubeJSON

@_exported import LedgerVocabulary

/// What a step applies, or what a check reads: the ledger's `ObjectReference`, one type for both.
///
/// `namespace` is kept as written (`nil` when omitted). The controller
/// resolves defaults when it talks to a cluster, but keys its observations by
/// these values so the engine can match them with what the spec says.
public typealias ObjectKey = ObjectReference

extension ObjectReference {
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

    /// Same object regardless of API version (a check may read `v1beta1` of what was applied as `v1`).
    public func sameObject(as other: ObjectKey) -> Bool {
        group == other.group && kind == other.kind && name == other.name && namespace == other.namespace
    }
}
