import KubeJSON

extension FieldSet {
    /// What `object` holds at each member path: `{".spec.replicas": 3, ...}`, members in
    /// structured-merge-diff order, absent members left out. The values a manager's ownership
    /// covers, so that two reads of an object can be compared on exactly those fields.
    ///
    /// A member with members below it (a map-list item, a granular list or map the manager
    /// holds parts of) stands for its presence (`true`): what is below is owned, or not, member
    /// by member, and another manager adding its own item or field there changes nothing here.
    /// A member with nothing below it is compared whole, whatever its value: a scalar, an atomic
    /// list, or an atomic map such as a Service's selector.
    public func values(in object: JSON) -> JSON {
        let sorted = sortedMembers
        var out = JSONObject()
        for (i, path) in sorted.enumerated() {
            guard let value = Self.value(at: path[...], in: object) else { continue }
            // Sorted order puts a member's descendants right after it.
            let hasDescendants = i + 1 < sorted.count && sorted[i + 1].count > path.count && Array(sorted[i + 1].prefix(path.count)) == path
            out[path.pathString] = hasDescendants ? .bool(true) : value
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
