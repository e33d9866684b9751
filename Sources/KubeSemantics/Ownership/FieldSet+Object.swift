import KubeJSON

extension FieldSet {
    /// Server-set or identifying fields that no manager ever owns.
    static let ignoredMetadata = ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                                  "managedFields", "selfLink"]

    /// The object without what ownership ignores: `apiVersion`, `kind` and the server-set metadata.
    /// An emptied `metadata` stays as `{}` so that it never counts as added or removed.
    static func stripped(_ object: JSON) -> JSON {
        guard case .object(var o) = object else { return object }
        o.remove("apiVersion")
        o.remove("kind")
        if case .object(var metadata)? = o["metadata"] {
            for key in ignoredMetadata { metadata.remove(key) }
            o["metadata"] = .object(metadata)
        }
        return .object(o)
    }

    /// Every leaf field (and list element identity) present in `object` — what an applied config or an
    /// Update "touches".
    ///
    /// Maps are not members themselves unless empty or null; scalars and atomic lists are; items of set
    /// and map lists are members identified by value or key, and map-list items are walked into.
    /// `listSemantics` is asked with member names from the root (`["spec", "containers"]`); nil, or a
    /// nil answer, makes a list atomic.
    public static func of(_ object: JSON, listSemantics: (([String]) -> ListSemantics?)?) -> FieldSet {
        var set = FieldSet()
        var root = stripped(object)
        if root["metadata"]?.objectValue?.isEmpty == true { root["metadata"] = nil }
        guard case .object(let o) = root else { return set }
        set.collectLeaves(o, path: [], names: [], listSemantics: listSemantics)
        return set
    }

    private mutating func collectLeaves(_ o: JSONObject, path: FieldPath, names: [String],
                                        listSemantics: (([String]) -> ListSemantics?)?) {
        for (key, value) in o {
            let childPath = path + [.field(key)]
            let childNames = names + [key]
            switch value {
            case .object(let child) where !child.isEmpty:
                collectLeaves(child, path: childPath, names: childNames, listSemantics: listSemantics)
            case .array(let items):
                switch listSemantics?(childNames) ?? .atomic {
                case .atomic:
                    members.insert(childPath)
                case .set:
                    for item in items { members.insert(childPath + [.value(item)]) }
                case .map(let keys):
                    for item in items {
                        let itemPath = childPath + [PathElement.key(of: item, keys: keys)]
                        members.insert(itemPath)
                        if case .object(let fields) = item {
                            collectLeaves(fields, path: itemPath, names: childNames, listSemantics: listSemantics)
                        }
                    }
                }
            default:
                members.insert(childPath)
            }
        }
    }

    /// What changed between two objects, as structured-merge-diff's `Compare` reports it.
    public struct Comparison: Sendable, Equatable {
        /// Nodes only in the new object, with everything below them (maps included).
        public var added = FieldSet()
        /// Leaves (scalars, atomic lists) present in both with different values.
        public var modified = FieldSet()
        /// Nodes only in the old object, with everything below them.
        public var removed = FieldSet()
    }

    /// Compares two objects, ignoring what ownership ignores. A nil `old` stands for a new object.
    public static func compare(from old: JSON?, to new: JSON, listSemantics: (([String]) -> ListSemantics?)?) -> Comparison {
        var comparison = Comparison()
        let lhs = stripped(old ?? ["metadata": [:]])
        let rhs = stripped(new)
        compareNodes(lhs, rhs, path: [], names: [], listSemantics: listSemantics, into: &comparison)
        return comparison
    }

    /// Fields whose value differs between two objects (for Update operations' ownership): what `new`
    /// added or modified. Removed fields are in `compare(from:to:listSemantics:)`.
    public static func changed(from old: JSON, to new: JSON, listSemantics: (([String]) -> ListSemantics?)?) -> FieldSet {
        let c = compare(from: old, to: new, listSemantics: listSemantics)
        return c.added.union(c.modified)
    }

    private static func compareNodes(_ lhs: JSON, _ rhs: JSON, path: FieldPath, names: [String],
                                     listSemantics: (([String]) -> ListSemantics?)?, into c: inout Comparison) {
        switch (lhs, rhs) {
        case let (.object(l), .object(r)):
            for (key, value) in l where r[key] == nil {
                c.removed.insertSubtree(value, path: path + [.field(key)], names: names + [key], listSemantics: listSemantics)
            }
            for (key, value) in r {
                let childPath = path + [.field(key)]
                if let old = l[key] {
                    compareNodes(old, value, path: childPath, names: names + [key], listSemantics: listSemantics, into: &c)
                } else {
                    c.added.insertSubtree(value, path: childPath, names: names + [key], listSemantics: listSemantics)
                }
            }
        case let (.array(l), .array(r)) where !path.isEmpty:
            switch listSemantics?(names) ?? .atomic {
            case .atomic:
                if l != r { c.modified.members.insert(path) }
            case .set:
                let old = Set(l), new = Set(r)
                for item in r where !old.contains(item) { c.added.members.insert(path + [.value(item)]) }
                for item in l where !new.contains(item) { c.removed.members.insert(path + [.value(item)]) }
            case .map(let keys):
                var old: [PathElement: JSON] = [:]
                for item in l { old[PathElement.key(of: item, keys: keys)] = item }
                var seen = Set<PathElement>()
                for item in r {
                    let element = PathElement.key(of: item, keys: keys)
                    seen.insert(element)
                    if let before = old[element] {
                        compareNodes(before, item, path: path + [element], names: names, listSemantics: listSemantics, into: &c)
                    } else {
                        c.added.insertSubtree(item, path: path + [element], names: names, listSemantics: listSemantics)
                    }
                }
                for item in l where !seen.contains(PathElement.key(of: item, keys: keys)) {
                    c.removed.insertSubtree(item, path: path + [PathElement.key(of: item, keys: keys)], names: names, listSemantics: listSemantics)
                }
            }
        default:
            guard lhs != rhs, !path.isEmpty else { return }
            c.modified.members.insert(path)
            // A type change (map ⇄ scalar, say) also removes and adds what lies below.
            var below = FieldSet()
            below.insertSubtree(lhs, path: path, names: names, listSemantics: listSemantics)
            below.members.remove(path)
            c.removed = c.removed.union(below)
            below = FieldSet()
            below.insertSubtree(rhs, path: path, names: names, listSemantics: listSemantics)
            below.members.remove(path)
            c.added = c.added.union(below)
        }
    }

    /// Inserts `path` and every node below `value`.
    private mutating func insertSubtree(_ value: JSON, path: FieldPath, names: [String],
                                        listSemantics: (([String]) -> ListSemantics?)?) {
        members.insert(path)
        switch value {
        case .object(let o):
            for (key, child) in o {
                insertSubtree(child, path: path + [.field(key)], names: names + [key], listSemantics: listSemantics)
            }
        case .array(let items):
            switch listSemantics?(names) ?? .atomic {
            case .atomic: break
            case .set: for item in items { members.insert(path + [.value(item)]) }
            case .map(let keys):
                for item in items {
                    insertSubtree(item, path: path + [PathElement.key(of: item, keys: keys)], names: names, listSemantics: listSemantics)
                }
            }
        default: break
        }
    }
}
