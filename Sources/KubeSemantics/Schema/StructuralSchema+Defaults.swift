import KubeJSON

extension StructuralSchema {
    /// Applies `default`s as the server does on read and write.
    ///
    /// A missing member with a default gets a copy of it, and defaulting then continues inside it, so
    /// `nested: {default: {}}` with an inner default expands in two steps. An explicit `null` on a
    /// non-nullable member is replaced by its default, or dropped when it has none
    /// (`PruneNonNullableNullsWithoutDefaults`). `metadata` at the root is left alone.
    public func applyDefaults(to object: JSON) -> JSON {
        Self.defaulted(object, root, isRoot: true)
    }

    static func defaulted(_ value: JSON, _ node: SchemaNode, isRoot: Bool = false) -> JSON {
        switch value {
        case .object(let o):
            var result = o
            // Missing members and non-nullable nulls take their default, in name order for stable output.
            for (key, child) in node.properties.sorted(by: { $0.key < $1.key }) where !(isRoot && key == "metadata") {
                guard let defaultValue = child.defaultValue else { continue }
                if let current = o[key], !(current.isNull && !child.nullable) { continue }
                result[key] = defaultValue
            }
            for (key, member) in result where !(isRoot && key == "metadata") {
                guard let child = node.child(key) else { continue }
                if member.isNull && !child.nullable {
                    result.remove(key)
                } else {
                    result[key] = defaulted(member, child)
                }
            }
            return .object(result)
        case .array(let a):
            guard let items = node.items else { return value }
            return .array(a.map { defaulted($0, items) })
        default:
            return value
        }
    }
}
