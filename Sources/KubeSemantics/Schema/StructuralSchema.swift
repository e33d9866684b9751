import KubeJSON

/// A CRD version's `openAPIV3Schema`, read once, for what the API server does with custom resources:
/// validation (422 causes), defaulting, pruning of unknown fields and list semantics for apply.
///
/// Expected flow on a write, as the server does it: `prune` → `applyDefaults` → `validate`.
/// At the root, `apiVersion`, `kind` and `metadata` are the server's business: they are never pruned,
/// defaulted or validated here.
public struct StructuralSchema: Sendable {
    let root: SchemaNode

    /// The path the server reports schema errors under (the legacy `spec.validation` form, as observed).
    static let errorPath = "spec.validation.openAPIV3Schema"

    /// Reads a schema, refusing what a structural schema forbids, as the CRD's own validation would:
    /// a node without `type` (`…properties[spec].type: Required value: must not be empty for specified
    /// object fields`), an unknown type, a non-object root, an invalid `pattern`.
    public init(_ openAPIV3Schema: JSON) throws(FieldError) {
        root = try SchemaNode(openAPIV3Schema, path: Self.errorPath, level: .root)
    }

    /// The list type/keys declared for a path, for SSA: `x-kubernetes-list-type` (atomic|set|map) and
    /// `x-kubernetes-list-map-keys`.
    ///
    /// `path` names object members from the root (`["spec", "containers", "ports"]`); list items are
    /// stepped through implicitly. A list without `x-kubernetes-list-type` is atomic. `nil` when the path
    /// is not a list the schema declares.
    public func listSemantics(at path: [String]) -> ListSemantics? {
        var node = root
        for key in path {
            while node.type == "array", let items = node.items { node = items }
            guard let next = node.child(key) else { return nil }
            node = next
        }
        guard node.type == "array" else { return nil }
        switch node.listType {
        case "set": return .set
        case "map": return .map(keys: node.listMapKeys)
        default: return .atomic
        }
    }

    /// A closure form of `listSemantics(at:)` for `FieldSet` and `ServerSideApply`.
    public var listSemanticsProvider: @Sendable ([String]) -> ListSemantics? {
        let schema = self
        return { schema.listSemantics(at: $0) }
    }
}
