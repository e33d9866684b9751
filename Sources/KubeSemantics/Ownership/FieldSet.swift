import KubeJSON

/// managedFields' FieldsV1 as a set of paths (`f:spec`, `f:replicas`, `k:{"name":"x"}`, `v:"a"`, `i:0`).
///
/// Each member is one path from the root. In FieldsV1 a member with nothing below it is `{}`, and a
/// member that also has members below it carries `".": {}`, exactly as the server encodes it.
public struct FieldSet: Sendable, Equatable, CustomStringConvertible {
    public internal(set) var members: Set<FieldPath>

    public init() { members = [] }

    public init<S: Sequence>(_ paths: S) where S.Element == FieldPath {
        members = Set(paths.filter { !$0.isEmpty })
    }

    /// Reads a `fieldsV1` object; a malformed path element is a `FieldValueInvalid`.
    public init(fieldsV1: JSON) throws(FieldError) {
        members = []
        guard case .object(let o) = fieldsV1 else {
            if fieldsV1.isNull { return }
            throw FieldError.invalid("metadata.managedFields.fieldsV1", fieldsV1, "must be an object")
        }
        try decode(o, prefix: [])
    }

    private mutating func decode(_ o: JSONObject, prefix: FieldPath) throws(FieldError) {
        for (key, value) in o where key != "." {
            let path = prefix + [try PathElement(fieldsV1Key: key)]
            guard case .object(let children) = value else {
                throw FieldError.invalid("metadata.managedFields.fieldsV1", value, "must be an object")
            }
            if children.isEmpty || children["."] != nil { members.insert(path) }
            try decode(children, prefix: path)
        }
    }

    /// The canonical encoding: `"."` first, then members in structured-merge-diff's order.
    public var fieldsV1: JSON {
        .object(Self.encode(members.sorted(by: FieldPath.precedes)[...], depth: 0))
    }

    private static func encode(_ sorted: ArraySlice<FieldPath>, depth: Int) -> JSONObject {
        var out = JSONObject()
        var i = sorted.startIndex
        while i < sorted.endIndex {
            let head = sorted[i][depth]
            var j = i
            var isMember = false
            while j < sorted.endIndex, sorted[j][depth] == head {
                if sorted[j].count == depth + 1 { isMember = true }
                j += 1
            }
            let deeper = sorted[i..<j].filter { $0.count > depth + 1 }
            var node = JSONObject()
            if isMember && !deeper.isEmpty { node["."] = .object(JSONObject()) }
            for (k, v) in encode(deeper[...], depth: depth + 1) { node[k] = v }
            out[head.fieldsV1Key] = .object(node)
            i = j
        }
        return out
    }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }

    public func contains(_ path: FieldPath) -> Bool { members.contains(path) }

    public func union(_ other: FieldSet) -> FieldSet { FieldSet(members: members.union(other.members)) }
    public func subtracting(_ other: FieldSet) -> FieldSet { FieldSet(members: members.subtracting(other.members)) }
    public func intersection(_ other: FieldSet) -> FieldSet { FieldSet(members: members.intersection(other.members)) }

    init(members: Set<FieldPath>) { self.members = members }

    /// Paths as `.spec.replicas` / `.spec.containers[name="x"].image`, sorted, for conflict messages.
    public var paths: [String] { sortedMembers.map(\.pathString) }

    var sortedMembers: [FieldPath] { members.sorted(by: FieldPath.precedes) }

    public var description: String { fieldsV1.serializedString() }
}
