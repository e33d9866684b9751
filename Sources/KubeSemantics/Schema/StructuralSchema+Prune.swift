import KubeJSON

extension StructuralSchema {
    /// Drops the members the schema does not declare, as the server silently does for structural CRDs.
    ///
    /// Honours `x-kubernetes-preserve-unknown-fields` (declared members below it are still pruned)
    /// and `x-kubernetes-embedded-resource` (its `apiVersion`, `kind` and `metadata` stay). Never
    /// touches `apiVersion`, `kind` or `metadata` at the root. `unknownFields` lists what was dropped as
    /// `spec.unknownField` / `spec.items[0].extra`, for `fieldValidation=Strict|Warn`.
    public func prune(_ object: JSON) -> (object: JSON, unknownFields: [String]) {
        guard case .object(let o) = object else { return (object, []) }
        var dropped: [String] = []
        var result = JSONObject(minimumCapacity: o.count)
        for (key, value) in o {
            if key == "apiVersion" || key == "kind" || key == "metadata" {
                result.set(key, value)
            } else if let child = root.child(key) {
                result.set(key, Self.pruned(value, child, path: key, dropped: &dropped))
            } else if root.keepsUnknownFields {
                result.set(key, value)
            } else {
                dropped.append(key)
            }
        }
        return (.object(result), dropped)
    }

    static func pruned(_ value: JSON, _ node: SchemaNode, path: String, dropped: inout [String]) -> JSON {
        if node.intOrString { return value }
        switch value {
        case .object(let o):
            if node.type != nil && node.type != "object" { return value }
            var result = JSONObject(minimumCapacity: o.count)
            for (key, member) in o {
                if let child = node.child(key) {
                    result.set(key, pruned(member, child, path: "\(path).\(key)", dropped: &dropped))
                } else if node.keepsUnknownFields || (node.embeddedResource && ["apiVersion", "kind", "metadata"].contains(key)) {
                    result.set(key, member)
                } else {
                    dropped.append("\(path).\(key)")
                }
            }
            return .object(result)
        case .array(let a):
            guard let items = node.items else { return value }
            return .array(a.enumerated().map { pruned($1, items, path: "\(path)[\($0)]", dropped: &dropped) })
        default:
            return value
        }
    }
}
