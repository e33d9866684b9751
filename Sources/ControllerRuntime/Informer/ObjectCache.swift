import KubeJSON
import Synchronization

/// The informer's local copy of a resource: one writer (its `Informer`), many cheap readers.
///
/// Readers get immutable `JSON` values, so nothing they do can corrupt the
/// cache. Indexes are kept in step with every write: by namespace, by label
/// (`key=value`) and by any custom index functions given at construction.
///
/// Caveat: a cache is eventually consistent with the server. Reconcilers read
/// it for speed but must tolerate being a little behind (their own writes
/// appear once the watch delivers them).
public final class ObjectCache: Sendable {
    /// Maps an object to the values it is indexed under (none = not indexed).
    public typealias IndexFunction = @Sendable (JSON) -> [String]

    public static let namespaceIndex = "namespace"
    public static let labelIndex = "label"

    struct Storage {
        var objects: [ObjectKey: JSON] = [:]
        /// index name → index value → keys.
        var indexes: [String: [String: Set<ObjectKey>]] = [:]
    }

    let storage = Mutex(Storage())
    let indexFunctions: [String: IndexFunction]

    public init(indexes custom: [String: IndexFunction] = [:]) {
        var functions = custom
        functions[Self.namespaceIndex] = { object in
            object[path: "metadata", "namespace"]?.stringValue.map { [$0] } ?? []
        }
        functions[Self.labelIndex] = { object in
            guard let labels = object[path: "metadata", "labels"]?.objectValue else { return [] }
            return labels.compactMap { key, value in value.stringValue.map { "\(key)=\($0)" } }
        }
        indexFunctions = functions
    }

    // MARK: - Readers

    public func get(namespace: String? = nil, name: String) -> JSON? {
        storage.withLock { $0.objects[ObjectKey(namespace: namespace, name: name)] }
    }

    public func get(_ key: ObjectKey) -> JSON? { storage.withLock { $0.objects[key] } }

    public func list() -> [JSON] { storage.withLock { Array($0.objects.values) } }

    public var keys: Set<ObjectKey> { storage.withLock { Set($0.objects.keys) } }

    public var count: Int { storage.withLock { $0.objects.count } }

    public func list(namespace: String) -> [JSON] { byIndex(Self.namespaceIndex, namespace) }

    /// Objects carrying the label `key=value`.
    public func list(label key: String, value: String) -> [JSON] { byIndex(Self.labelIndex, "\(key)=\(value)") }

    /// Objects whose index function `index` produced `value`; empty for an unknown index.
    public func byIndex(_ index: String, _ value: String) -> [JSON] {
        storage.withLock { storage in
            (storage.indexes[index]?[value] ?? []).compactMap { storage.objects[$0] }
        }
    }

    // MARK: - The writer (the informer)

    /// Stores `object` under `key`; returns the previous object.
    @discardableResult
    func upsert(_ object: JSON, key: ObjectKey) -> JSON? {
        storage.withLock { storage in
            let old = storage.objects.updateValue(object, forKey: key)
            if let old { unindex(old, key: key, &storage) }
            index(object, key: key, &storage)
            return old
        }
    }

    /// Removes `key`; returns what was stored.
    @discardableResult
    func remove(_ key: ObjectKey) -> JSON? {
        storage.withLock { storage in
            guard let old = storage.objects.removeValue(forKey: key) else { return nil }
            unindex(old, key: key, &storage)
            return old
        }
    }

    /// Replaces the whole content at once (after a list); returns the previous content.
    func replace(with objects: [ObjectKey: JSON]) -> [ObjectKey: JSON] {
        var fresh = Storage(objects: objects)
        for (key, object) in objects { index(object, key: key, &fresh) }
        return storage.withLock { storage in
            let old = storage.objects
            storage = fresh
            return old
        }
    }

    private func index(_ object: JSON, key: ObjectKey, _ storage: inout Storage) {
        for (name, function) in indexFunctions {
            for value in function(object) { storage.indexes[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private func unindex(_ object: JSON, key: ObjectKey, _ storage: inout Storage) {
        for (name, function) in indexFunctions {
            for value in function(object) {
                storage.indexes[name]?[value]?.remove(key)
                if storage.indexes[name]?[value]?.isEmpty == true { storage.indexes[name]?[value] = nil }
            }
        }
    }
}
