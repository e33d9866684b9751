import KubeJSON

/// One step of a managed-fields path: a member name, a map-list item's key, a set item's value,
/// or a list index (FieldsV1's `f:`, `k:`, `v:` and `i:` prefixes).
public enum PathElement: Hashable, Sendable, Comparable, CustomStringConvertible {
    case field(String)
    /// Key members of a map-list item, sorted by name.
    case key([KeyField])
    case value(JSON)
    case index(Int)

    public struct KeyField: Hashable, Sendable {
        public var name: String
        public var value: JSON
        public init(name: String, value: JSON) {
            self.name = name
            self.value = value
        }
    }

    /// The key of a map-list item from the values of `keys` in `item` (missing keys are left out).
    static func key(of item: JSON, keys: [String]) -> PathElement {
        .key(keys.sorted().compactMap { name in item[name].map { KeyField(name: name, value: $0) } })
    }

    /// The FieldsV1 spelling: `f:replicas`, `k:{"name":"x"}`, `v:"a"`, `i:0`.
    public var fieldsV1Key: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let fields): return "k:" + JSON.object(JSONObject(fields.map { ($0.name, $0.value) })).serializedString()
        case .value(let v): return "v:" + v.serializedString()
        case .index(let i): return "i:\(i)"
        }
    }

    init(fieldsV1Key text: String) throws(FieldError) {
        let body = String(text.dropFirst(2))
        func bad() -> FieldError {
            FieldError.invalid("metadata.managedFields.fieldsV1", .string(text), "invalid path element")
        }
        switch text.prefix(2) {
        case "f:":
            self = .field(body)
        case "k:":
            guard let parsed = try? JSON.parse(body), case .object(let o) = parsed else { throw bad() }
            self = .key(o.keys.sorted().map { KeyField(name: $0, value: o[$0]!) })
        case "v:":
            guard let parsed = try? JSON.parse(body) else { throw bad() }
            self = .value(parsed)
        case "i:":
            guard let i = Int(body) else { throw bad() }
            self = .index(i)
        default:
            throw bad()
        }
    }

    /// As the server prints paths in conflicts: `.replicas`, `[name="x"]`, `[="a"]`, `[0]`.
    public var description: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let fields): return "[" + fields.map { "\($0.name)=\($0.value.serializedString())" }.joined(separator: ",") + "]"
        case .value(let v): return "[=\(v.serializedString())]"
        case .index(let i): return "[\(i)]"
        }
    }

    private var rank: Int {
        switch self {
        case .field: return 0
        case .key: return 1
        case .value: return 2
        case .index: return 3
        }
    }

    /// structured-merge-diff's order: fields, then keys, then values, then indices.
    public static func < (lhs: PathElement, rhs: PathElement) -> Bool {
        switch (lhs, rhs) {
        case let (.field(a), .field(b)): return Array(a.utf8).lexicographicallyPrecedes(b.utf8)
        case let (.index(a), .index(b)): return a < b
        case let (.value(a), .value(b)): return compare(a, b) < 0
        case let (.key(a), .key(b)):
            for (x, y) in zip(a, b) {
                if x.name != y.name { return Array(x.name.utf8).lexicographicallyPrecedes(y.name.utf8) }
                let c = compare(x.value, y.value)
                if c != 0 { return c < 0 }
            }
            return a.count < b.count
        default: return lhs.rank < rhs.rank
        }
    }

    /// structured-merge-diff's `value.Compare`: numbers (numerically) < strings < booleans < lists <
    /// maps < null.
    static func compare(_ a: JSON, _ b: JSON) -> Int {
        func rank(_ v: JSON) -> Int {
            switch v {
            case .int, .double: return 0
            case .string: return 1
            case .bool: return 2
            case .array: return 3
            case .object: return 4
            case .null: return 5
            }
        }
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case let (.int(x), .int(y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.int, .double), (.double, .int), (.double, .double):
            let (x, y) = (a.doubleValue ?? 0, b.doubleValue ?? 0)
            return x == y ? 0 : (x < y ? -1 : 1)
        case let (.string(x), .string(y)):
            return x == y ? 0 : (Array(x.utf8).lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        case let (.bool(x), .bool(y)): return x == y ? 0 : (!x ? -1 : 1)
        case let (.array(x), .array(y)):
            for (p, q) in zip(x, y) {
                let c = compare(p, q)
                if c != 0 { return c }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        default:
            let (x, y) = (a.serializedString(), b.serializedString())
            return x == y ? 0 : (Array(x.utf8).lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        }
    }
}

/// A path from the object's root.
public typealias FieldPath = [PathElement]

extension Array where Element == PathElement {
    /// `.spec.containers[name="x"].image`.
    public var pathString: String { map(\.description).joined() }

    static func precedes(_ a: FieldPath, _ b: FieldPath) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x < y }
        return a.count < b.count
    }

    func hasPrefix(_ prefix: FieldPath) -> Bool {
        count >= prefix.count && Array(self[..<prefix.count]) == prefix
    }
}
