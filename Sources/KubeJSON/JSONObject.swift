/// A JSON object that keeps its keys in insertion order.
///
/// Kubernetes objects are small maps read far more often than written, so the
/// members live in two parallel arrays (cheap to build while parsing, cheap to
/// iterate); lookups scan linearly until the object grows past
/// `indexThreshold` keys, after which a hash index is kept alongside.
/// Setting an existing key replaces its value in place; equality ignores order,
/// as JSON's does.
public struct JSONObject: Sendable {
    public private(set) var keys: [String]
    public private(set) var values: [JSON]
    private var index: [String: Int]?

    static let indexThreshold = 16

    public init() {
        keys = []
        values = []
    }

    public init(minimumCapacity: Int) {
        self.init()
        keys.reserveCapacity(minimumCapacity)
        values.reserveCapacity(minimumCapacity)
    }

    /// Adopts parallel arrays whose keys the caller knows are distinct (the parser's fast path).
    init(distinctKeys keys: [String], values: [JSON]) {
        self.keys = keys
        self.values = values
        if keys.count > Self.indexThreshold { rebuildIndex() }
    }

    /// Builds an object from pairs; a repeated key keeps its first position and last value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSON) {
        self.init()
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    public subscript(key: String) -> JSON? {
        get { position(of: key).map { values[$0] } }
        set {
            if let newValue { set(key, newValue) } else { remove(key) }
        }
    }

    /// Sets `key` to `value`, appending the key when it is new.
    public mutating func set(_ key: String, _ value: JSON) {
        if let i = position(of: key) {
            values[i] = value
            return
        }
        appendNew(key, value)
    }

    /// Appends a key the caller knows is not present yet (the parser's fast path).
    mutating func appendNew(_ key: String, _ value: JSON) {
        keys.append(key)
        values.append(value)
        if index != nil {
            index![key] = keys.count - 1
        } else if keys.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    @discardableResult
    public mutating func remove(_ key: String) -> JSON? {
        guard let i = position(of: key) else { return nil }
        keys.remove(at: i)
        let old = values.remove(at: i)
        if index != nil { rebuildIndex() }
        return old
    }

    private mutating func rebuildIndex() {
        guard keys.count > Self.indexThreshold else { index = nil; return }
        var built = [String: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { built[k] = i }
        index = built
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> Zip2Sequence<[String], [JSON]>.Iterator {
        zip(keys, values).makeIterator()
    }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.keys == rhs.keys { return lhs.values == rhs.values }
        for (k, v) in lhs {
            guard let other = rhs[k], other == v else { return false }
        }
        return true
    }
}

extension JSONObject: Hashable {
    /// Order-independent, matching `==`.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (k, v) in self {
            var h = Hasher()
            h.combine(k)
            h.combine(v)
            combined ^= h.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }
}
