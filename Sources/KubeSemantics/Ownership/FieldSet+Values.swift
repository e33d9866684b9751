import KubeJSON

extension FieldSet {
    /// What `object` holds at each member path: `{".spec.replicas": 3, ...}`, members in
    /// structured-merge-diff order, absent members left out. The values a manager's ownership
    /// covers, so that two reads of an object can be compared on exactly those fields.
    ///
    /// A member that is a map (a map-list item, or a map owned as a whole) stands for its
    /// presence (`true`), not its content: what is below it is owned, or not, member by member,
    /// and another manager adding a field inside it changes nothing here.
    public func values(in object: JSON) -> JSON {
        var out = JSONObject()
        for path in sortedMembers {
            guard let value = Self.value(at: path[...], in: object) else { continue }
            if case .object(let o) = value, !o.isEmpty { out[path.pathString] = .bool(true) } else { out[path.pathString] = value }
        }
        return .object(out)
    }

    static func value(at path: ArraySlice<PathElement>, in node: JSON) -> JSON? {
        guard let head = path.first else { return node }
        let rest = path.dropFirst()
        switch (head, node) {
        case (.field(let name), .object(let o)):
            return o[name].flatMap { value(at: rest, in: $0) }
        case (.key(let fields), .array(let items)):
            let item = items.first { item in fields.allSatisfy { item[$0.name] == $0.value } }
            return item.flatMap { value(at: rest, in: $0) }
        case (.value(let v), .array(let items)):
            return items.contains(v) ? value(at: rest, in: v) : nil
        case (.index(let i), .array(let items)):
            return items.indices.contains(i) ? value(at: rest, in: items[i]) : nil
        default:
            return nil
        }
    }
}
