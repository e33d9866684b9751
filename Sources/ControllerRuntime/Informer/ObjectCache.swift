import KubeJSON
import KubeSemantics
import Synchronization

/// The informer's local copy of a resource: one writer (its `Informer`), many cheap readers.
///
/// Objects are kept as their compact JSON text and parsed when read: a parsed tree
/// takes about five times the memory of its text, and a controller caches every
/// object it watches (10,000 Evolutions and their 120,000 applied objects) while it
/// reads only the few it reconciles. Readers get fresh immutable `JSON` values, so
/// nothing they do can corrupt the cache. Indexes are kept in step with every write:
/// by namespace, by label (`key=value`) and by any custom index functions given at
/// construction.
///
/// Caveat: a cache is eventually consistent with the server. Reconcilers read
/// it for speed but must tolerate being a little behind (their own writes
/// appear once the watch delivers them).
public final class ObjectCache: Sendable {
    /// Maps an object to the values it is indexed under (none = not indexed).
    public typealias IndexFunction = @Sendable (JSON) -> [String]

    public static let namespaceIndex = "namespace"
    public static let labelIndex = "label"

    /// One cached object: its text, and what writes compare and unindex by, so they need not parse it.
    struct Entry: Sendable {
        var text: [UInt8]
        var resourceVersion: String?
        /// (index name, value) pairs the object is indexed under.
        var indexed: [IndexValue]

        var object: JSON? { try? JSON.parse(text) }
    }

    struct IndexValue: Sendable, Hashable {
        var index: String
        var value: String
    }

    struct Storage {
        var objects: [ObjectKey: Entry] = [:]
        /// Objects this process wrote, newer than what the watch has delivered (see `assume`).
        var assumed: [ObjectKey: Entry] = [:]
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
        get(ObjectKey(namespace: namespace, name: name))
    }

    public func get(_ key: ObjectKey) -> JSON? { storage.withLock { $0.assumed[key] ?? $0.objects[key] }?.object }

    /// Read-your-writes, as client-go's mutation cache: `object`, as the server returned it
    /// from this process's write, is what `get` answers until the watch delivers that
    /// version or a newer one. Without it a reconcile that follows its own write closely
    /// reads the state before it, and does again what it just did.
    public func assume(_ object: JSON) {
        guard let key = ObjectKey(object: object) else { return }
        let entry = entry(for: object)
        storage.withLock { storage in
            if let stored = storage.objects[key], !ResourceVersion.isOlder(stored.resourceVersion, than: entry.resourceVersion) { return }
            storage.assumed[key] = entry
        }
    }

    public func list() -> [JSON] { storage.withLock { Array($0.objects.values) }.compactMap(\.object) }

    public var keys: Set<ObjectKey> { storage.withLock { Set($0.objects.keys) } }

    public var count: Int { storage.withLock { $0.objects.count } }

    /// Bytes of object text held (what the cache costs beyond its keys and indexes).
    public var textBytes: Int { storage.withLock { $0.objects.values.reduce(0) { $0 + $1.text.count } } }

    public func list(namespace: String) -> [JSON] { byIndex(Self.namespaceIndex, namespace) }

    /// Objects carrying the label `key=value`.
    public func list(label key: String, value: String) -> [JSON] { byIndex(Self.labelIndex, "\(key)=\(value)") }

    /// Objects whose index function `index` produced `value`; empty for an unknown index.
    public func byIndex(_ index: String, _ value: String) -> [JSON] {
        storage.withLock { storage in
            (storage.indexes[index]?[value] ?? []).compactMap { storage.objects[$0] }
        }.compactMap(\.object)
    }

    // MARK: - The writer (the informer)

    /// The cached object's resourceVersion, without parsing it.
    func resourceVersion(of key: ObjectKey) -> String? { storage.withLock { $0.objects[key]?.resourceVersion } }

    func entry(for object: JSON) -> Entry {
        var indexed: [IndexValue] = []
        for (name, function) in indexFunctions {
            for value in function(object) { indexed.append(IndexValue(index: name, value: value)) }
        }
        // Exactly as long as the text: a serializer's buffer grows by doubling, and this one is kept.
        let serialized = object.serialized()
        let text = [UInt8](unsafeUninitializedCapacity: serialized.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: serialized)
        }
        return Entry(text: text, resourceVersion: ResourceVersion.of(object), indexed: indexed)
    }

    /// Stores `object` under `key`; returns the previous entry.
    @discardableResult
    func upsert(_ object: JSON, key: ObjectKey) -> Entry? {
        let entry = entry(for: object)
        return storage.withLock { storage in
            if let mine = storage.assumed[key], !ResourceVersion.isOlder(entry.resourceVersion, than: mine.resourceVersion) {
                storage.assumed[key] = nil
            }
            let old = storage.objects.updateValue(entry, forKey: key)
            if let old { Self.unindex(old, key: key, &storage) }
            Self.index(entry, key: key, &storage)
            return old
        }
    }

    /// Removes `key`; returns what was stored.
    @discardableResult
    func remove(_ key: ObjectKey) -> Entry? {
        storage.withLock { storage in
            storage.assumed[key] = nil
            guard let old = storage.objects.removeValue(forKey: key) else { return nil }
            Self.unindex(old, key: key, &storage)
            return old
        }
    }

    /// Replaces the whole content at once (after a list); returns the previous content.
    func replace(with objects: [ObjectKey: JSON]) -> [ObjectKey: Entry] {
        var fresh = Storage()
        for (key, object) in objects {
            let entry = entry(for: object)
            fresh.objects[key] = entry
            Self.index(entry, key: key, &fresh)
        }
        return storage.withLock { storage in
            let old = storage.objects
            // What this process wrote survives a relist only while it is newer than what was listed.
            fresh.assumed = storage.assumed.filter { key, mine in
                fresh.objects[key].map { ResourceVersion.isOlder($0.resourceVersion, than: mine.resourceVersion) } ?? false
            }
            storage = fresh
            return old
        }
    }

    private static func index(_ entry: Entry, key: ObjectKey, _ storage: inout Storage) {
        for pair in entry.indexed { storage.indexes[pair.index, default: [:]][pair.value, default: []].insert(key) }
    }

    private static func unindex(_ entry: Entry, key: ObjectKey, _ storage: inout Storage) {
        for pair in entry.indexed {
            storage.indexes[pair.index]?[pair.value]?.remove(key)
            if storage.indexes[pair.index]?[pair.value]?.isEmpty == true { storage.indexes[pair.index]?[pair.value] = nil }
        }
    }
}
