import KubeJSON

/// JSON patch (RFC 6902), `application/json-patch+json`: `add`, `remove`, `replace`, `move`, `copy`
/// and `test`, applied in order; the first failure aborts the whole patch.
///
/// Errors carry a specific message for logs; the API server itself answers any failure with a
/// generic 422 (KUBE-API.md §3.3).
public enum JSONPatch {
    public static func apply(_ operations: JSON, to target: JSON) throws(PatchError) -> JSON {
        guard case .array(let ops) = operations else {
            throw PatchError(message: "json: cannot unmarshal \(operations.typeName) into Go value of type jsonpatch.Patch")
        }
        var document = target
        for op in ops {
            guard case .object = op else {
                throw PatchError(message: "json: cannot unmarshal \(op.typeName) into Go value of type jsonpatch.Operation")
            }
            let kind = op["op"]?.stringValue ?? ""
            let path = try pointer(op, "path", kind)
            switch kind {
            case "add":
                document = try add(try value(op, kind), at: path, in: document)
            case "remove":
                document = try remove(at: path, in: document).document
            case "replace":
                _ = try get(path, in: document, operation: "replace")
                document = try set(try value(op, kind), at: path, in: document, insert: false)
            case "move":
                let from = try pointer(op, "from", kind)
                if from == path { continue }
                if path.isWithin(from) {
                    throw PatchError(message: "move operation does not apply: \(from) is a parent of \(path)")
                }
                let (removed, moved) = try remove(at: from, in: document)
                document = try add(moved, at: path, in: removed)
            case "copy":
                let from = try pointer(op, "from", kind)
                document = try add(try get(from, in: document, operation: "copy"), at: path, in: document)
            case "test":
                let expected = op["value"] ?? .null
                let actual = try? get(path, in: document, operation: "test")
                if actual ?? .null != expected || (actual == nil && op["value"] == nil) {
                    throw PatchError(message: "testing value \(path) failed: test failed")
                }
            default:
                throw PatchError(message: "Unexpected kind: \(kind)")
            }
        }
        return document
    }

    private static func pointer(_ op: JSON, _ key: String, _ kind: String) throws(PatchError) -> JSONPointer {
        guard let text = op[key]?.stringValue else {
            throw PatchError(message: "\(kind) operation missing \(key) string")
        }
        return try JSONPointer(text)
    }

    private static func value(_ op: JSON, _ kind: String) throws(PatchError) -> JSON {
        guard let value = op["value"] else { throw PatchError(message: "\(kind) operation missing value") }
        return value
    }

    static func get(_ path: JSONPointer, in document: JSON, operation: String) throws(PatchError) -> JSON {
        var current = document
        for token in path.tokens {
            switch current {
            case .object(let o):
                guard let next = o[token] else {
                    throw PatchError(message: "\(operation) operation does not apply: doc is missing path: \(path)")
                }
                current = next
            case .array(let a):
                guard let i = JSONPointer.index(token, count: a.count, allowEnd: false) else {
                    throw PatchError(message: "\(operation) operation does not apply: doc is missing path: \(path)")
                }
                current = a[i]
            default:
                throw PatchError(message: "\(operation) operation does not apply: doc is missing path: \(path)")
            }
        }
        return current
    }

    private static func add(_ value: JSON, at path: JSONPointer, in document: JSON) throws(PatchError) -> JSON {
        try set(value, at: path, in: document, insert: true)
    }

    /// Sets the value at `path`; `insert` gives `add` semantics for arrays (insert, `-` appends),
    /// otherwise the element is replaced. The parent must exist.
    private static func set(_ value: JSON, at path: JSONPointer, in document: JSON, insert: Bool) throws(PatchError) -> JSON {
        guard let last = path.tokens.last else { return value }
        return try modify(document, path.parent[...], path: path) { (parent: inout JSON) throws(PatchError) in
            switch parent {
            case .object(var o):
                parent = .null
                o[last] = value
                parent = .object(o)
            case .array(var a):
                guard let i = JSONPointer.index(last, count: a.count, allowEnd: insert) else {
                    throw PatchError(message: "\(insert ? "add" : "replace") operation does not apply: doc is missing path: \(path)")
                }
                parent = .null
                if insert { a.insert(value, at: i) } else { a[i] = value }
                parent = .array(a)
            default:
                throw PatchError(message: "\(insert ? "add" : "replace") operation does not apply: doc is missing path: \(path)")
            }
        }
    }

    private static func remove(at path: JSONPointer, in document: JSON) throws(PatchError) -> (document: JSON, removed: JSON) {
        guard let last = path.tokens.last else {
            throw PatchError(message: "remove operation does not apply: cannot remove the whole document")
        }
        var removed = JSON.null
        let result = try modify(document, path.parent[...], path: path) { (parent: inout JSON) throws(PatchError) in
            switch parent {
            case .object(var o):
                guard let old = o.remove(last) else {
                    throw PatchError(message: "remove operation does not apply: doc is missing path: \(path)")
                }
                removed = old
                parent = .object(o)
            case .array(var a):
                guard let i = JSONPointer.index(last, count: a.count, allowEnd: false) else {
                    throw PatchError(message: "remove operation does not apply: doc is missing path: \(path)")
                }
                removed = a.remove(at: i)
                parent = .array(a)
            default:
                throw PatchError(message: "remove operation does not apply: doc is missing path: \(path)")
            }
        }
        return (result, removed)
    }

    /// Applies `body` to the value at `tokens` (which must exist) and rebuilds the document around it.
    private static func modify(_ node: JSON, _ tokens: ArraySlice<String>, path: JSONPointer,
                               _ body: (inout JSON) throws(PatchError) -> Void) throws(PatchError) -> JSON {
        guard let token = tokens.first else {
            var copy = node
            try body(&copy)
            return copy
        }
        switch node {
        case .object(var o):
            guard let child = o[token] else {
                throw PatchError(message: "doc is missing path: \(path): missing value")
            }
            o[token] = try modify(child, tokens.dropFirst(), path: path, body)
            return .object(o)
        case .array(var a):
            guard let i = JSONPointer.index(token, count: a.count, allowEnd: false) else {
                throw PatchError(message: "doc is missing path: \(path): missing value")
            }
            a[i] = try modify(a[i], tokens.dropFirst(), path: path, body)
            return .array(a)
        default:
            throw PatchError(message: "doc is missing path: \(path): missing value")
        }
    }
}
