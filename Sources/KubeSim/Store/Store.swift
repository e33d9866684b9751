import KubeJSON

/// An object as the store keeps it: its JSON text, as etcd holds bytes, plus
/// the identity fields garbage collection looks up without decoding. A decoded
/// tree costs about five times its text; 100,000 small objects are the difference
/// between 60 MB and 300 MB.
final class StoredObject: @unchecked Sendable {
    let bytes: [UInt8]
    let uid: String?
    let ownerUIDs: [String]
    /// Kept for the few objects every write reads (namespaces, for the lifecycle
    /// admission check), as the real admission plugin reads them from an informer.
    private let decoded: JSON?

    init(_ object: JSON, keepDecoded: Bool = false) {
        bytes = object.serialized()
        uid = object[path: "metadata", "uid"]?.stringValue
        ownerUIDs = (object[path: "metadata", "ownerReferences"]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
        // Not `keepDecoded ? object : nil`: JSON is nil-literal convertible, so that stores .null.
        decoded = keepDecoded ? .some(object) : .none
    }

    /// The object again. The store wrote these bytes itself, so they always parse.
    var json: JSON { decoded ?? (try? JSON.parse(bytes)) ?? .null }
}

/// What changed, as watchers are told: the decoded states (for their selectors)
/// and the new state's text, shared by every plain watcher that sends it.
struct StoredEvent {
    enum Kind: String { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    var revision: Int64
    var type: TypeKey
    var kind: Kind
    /// The object as stored after the change (for deletions: its last state, with the deletion's revision).
    var object: JSON
    /// The state before the change (nil for additions): selector transitions need it.
    var old: JSON?
    var key: String
    var encoded: StoredObject
    /// The watch lines of this change, shared by every watcher that sends it.
    var lines: EventLines

    init(revision: Int64, type: TypeKey, kind: Kind, object: JSON, old: JSON?, key: String, encoded: StoredObject) {
        self.revision = revision
        self.type = type
        self.kind = kind
        self.object = object
        self.old = old
        self.key = key
        self.encoded = encoded
        lines = EventLines(encoded)
    }
}

/// A change as history keeps it: text only, decoded again when a watch replays it.
private struct HistoryEntry {
    var revision: Int64
    var type: TypeKey
    var kind: StoredEvent.Kind
    var key: String
    var object: StoredObject
    var old: StoredObject?

    var event: StoredEvent {
        StoredEvent(revision: revision, type: type, kind: kind, object: object.json, old: old?.json, key: key, encoded: object)
    }
}

/// The simulated etcd plus watch cache: every object, one global revision
/// counter, a bounded history of changes, and the watchers to tell.
///
/// Not thread-safe on its own: `APIServer` serialises access with one lock,
/// as a single etcd leader serialises writes.
final class Store {
    private(set) var revision: Int64
    private(set) var types: [TypeKey: ResourceType] = [:]
    private var objects: [TypeKey: [String: StoredObject]] = [:]
    private var history: [HistoryEntry] = []
    private var historyHead = 0
    let historyCapacity: Int
    private(set) var lastEventRevision: [TypeKey: Int64] = [:]
    /// Types stored as another type (see `StorageView`).
    private(set) var views: [TypeKey: StorageView] = [:]
    private var watchers: [TypeKey: [ObjectIdentifier: Watcher]] = [:] {
        didSet { watcherLists.removeAll() }
    }
    /// `watchers` as arrays, rebuilt only when a watch opens or closes (not on every write).
    private var watcherLists: [TypeKey: [Watcher]] = [:]
    /// Each type's keys in etcd order, kept until an object is added or removed: a
    /// paged list (kubectl's pages of 500) must not sort 100,000 keys per page.
    private var sortedKeys: [TypeKey: [String]] = [:]
    /// Events evicted from history up to this revision: exact reads and watches before it are too old.
    private var evictedThrough: Int64 = 0

    init(historyCapacity: Int, startRevision: Int64 = 100) {
        self.historyCapacity = max(historyCapacity, 1)
        revision = startRevision
    }

    // MARK: Types

    func register(_ type: ResourceType) {
        var t = type
        if types[t.key] == nil { t.registeredAt = revision }
        else { t.registeredAt = types[t.key]!.registeredAt }
        types[t.key] = t
        if objects[t.key] == nil { objects[t.key] = [:] }
    }

    /// Serves `type` from `view.storage`'s objects, converted both ways.
    func addView(_ type: TypeKey, _ view: StorageView) {
        views[type] = view
    }

    /// The key `type`'s objects are stored under.
    func storageKey(_ type: TypeKey) -> TypeKey { views[type]?.storage ?? type }

    /// A stored object as `type` shows it.
    private func shown(_ object: JSON, as type: TypeKey) -> JSON {
        views[type].map { $0.fromStorage(object) } ?? object
    }

    func unregister(_ key: TypeKey) {
        types[key] = nil
        objects[key] = nil
        sortedKeys[key] = nil
        for w in watchers(of: key) { w.close() }
        watchers[key] = nil
    }

    private static func keepsDecoded(_ type: TypeKey) -> Bool { type.group.isEmpty && type.plural == "namespaces" }

    static func key(namespace: String?, name: String) -> String {
        namespace.map { "\($0)/\(name)" } ?? name
    }

    // MARK: Reads

    func get(_ type: TypeKey, namespace: String?, name: String) -> JSON? {
        objects[storageKey(type)]?[Self.key(namespace: namespace, name: name)].map { shown($0.json, as: type) }
    }

    func contains(_ type: TypeKey, namespace: String?, name: String) -> Bool {
        objects[storageKey(type)]?[Self.key(namespace: namespace, name: name)] != nil
    }

    /// A stored object not decoded yet: a paged list decodes its page, not the whole store.
    struct Entry {
        let key: String
        let stored: StoredObject
        let view: StorageView?

        var object: JSON { view.map { $0.fromStorage(stored.json) } ?? stored.json }
    }

    /// Current objects of a type, sorted by key as etcd returns them, decoded.
    func list(_ type: TypeKey, namespace: String?) -> [(key: String, object: JSON)] {
        entries(type, namespace: namespace).map { ($0.key, $0.object) }
    }

    /// Current objects of a type from key `start` on, sorted by key, still as text and
    /// built as they are read: a namespace is a range of the sorted keys (found by
    /// binary search), so a page costs its own size, not the store's.
    func entries(_ type: TypeKey, namespace: String?, from start: String? = nil) -> LazyMapCollection<ArraySlice<String>, Entry> {
        let storage = storageKey(type)
        let all = objects[storage] ?? [:]
        let keys: [String]
        if let cached = sortedKeys[storage] { keys = cached } else {
            keys = all.keys.sorted()
            sortedKeys[storage] = keys
        }
        let view = views[type]
        return keys[Self.range(of: keys, namespace: namespace, from: start)].lazy.map { Entry(key: $0, stored: all[$0]!, view: view) }
    }

    /// The positions of sorted `keys` in `namespace` from `start` on: "ns/..." keys sit
    /// between "ns/" and "ns0" ("0" follows "/"), so both ends are binary searches.
    private static func range(of keys: [String], namespace: String?, from start: String?) -> Range<Int> {
        var lower = 0, upper = keys.count
        if let namespace {
            lower = firstIndex(in: keys, notBelow: namespace + "/")
            upper = firstIndex(in: keys, notBelow: namespace + "0")
        }
        if let start { lower = max(lower, firstIndex(in: keys, notBelow: start)) }
        return lower..<max(lower, upper)
    }

    private static func firstIndex(in sorted: [String], notBelow key: String) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func isEmpty(_ type: TypeKey, namespace: String?) -> Bool {
        entries(type, namespace: namespace).isEmpty
    }


    /// Objects that name `uid` among their owners, by type, decoded.
    func dependents(of uid: String) -> [(TypeKey, JSON)] {
        var found: [(TypeKey, JSON)] = []
        for (type, all) in objects {
            for object in all.values where object.ownerUIDs.contains(uid) { found.append((type, object.json)) }
        }
        return found
    }

    /// Whether any stored object has this uid.
    func exists(uid: String) -> Bool {
        objects.values.contains { $0.values.contains { $0.uid == uid } }
    }

    /// The earliest revision a watch or exact read of this type may start from.
    func windowStart(_ type: TypeKey) -> Int64 {
        max(types[type]?.registeredAt ?? 0, evictedThrough)
    }

    /// The type's objects from key `start` on as they were at `at`, rebuilt by undoing later
    /// history, sorted by key; nil when too old.
    func snapshot(_ type: TypeKey, at: Int64, namespace: String?, from start: String?) -> [Entry]? {
        guard at >= windowStart(type) else { return nil }
        let storage = storageKey(type)
        if (lastEventRevision[storage] ?? 0) <= at { return Array(entries(type, namespace: namespace, from: start)) }  // nothing changed since
        var state = objects[storage] ?? [:]
        for event in orderedHistory().reversed() where event.revision > at && event.type == storage {
            switch event.kind {
            case .added: state[event.key] = nil
            case .modified, .deleted: state[event.key] = event.old
            }
        }
        let keys = state.keys.sorted()
        let view = views[type]
        return keys[Self.range(of: keys, namespace: namespace, from: start)].map { Entry(key: $0, stored: state[$0]!, view: view) }
    }

    func events(_ type: TypeKey, after: Int64) -> [StoredEvent] {
        let storage = storageKey(type)
        return orderedHistory().filter { $0.type == storage && $0.revision > after }.map { shownEvent($0.event, as: type) }
    }

    /// A change as watchers of `type` see it (converted, with its own text, for a view).
    private func shownEvent(_ event: StoredEvent, as type: TypeKey) -> StoredEvent {
        guard views[type] != nil else { return event }
        let object = shown(event.object, as: type)
        return StoredEvent(revision: event.revision, type: type, kind: event.kind, object: object,
                           old: event.old.map { shown($0, as: type) }, key: event.key, encoded: StoredObject(object))
    }

    private func orderedHistory() -> [HistoryEntry] {
        history.count < historyCapacity ? history : Array(history[historyHead...] + history[..<historyHead])
    }

    // MARK: Writes

    /// Stores `object` under a fresh revision (set into metadata.resourceVersion), records the event, tells watchers.
    @discardableResult
    func put(_ type: TypeKey, namespace: String?, name: String, _ object: JSON) -> JSON {
        putEncoded(type, namespace: namespace, name: name, object).json
    }

    /// `put`, answering with the stored text as well, so a response need not encode it again.
    func putEncoded(_ shownType: TypeKey, namespace: String?, name: String, _ shownObject: JSON) -> (json: JSON, encoded: StoredObject) {
        let type = storageKey(shownType)
        let object = views[shownType]?.toStorage(shownObject) ?? shownObject
        let key = Self.key(namespace: namespace, name: name)
        let old = objects[type]?[key]
        revision += 1
        var stored = object
        if stored["metadata"] == nil { stored["metadata"] = [:] }
        stored["metadata"]?["resourceVersion"] = .string(String(revision))
        let encoded = StoredObject(stored, keepDecoded: Self.keepsDecoded(type))
        objects[type, default: [:]][key] = encoded
        if old == nil { sortedKeys[type] = nil }
        record(StoredEvent(revision: revision, type: type, kind: old == nil ? .added : .modified, object: stored, old: old?.json,
                           key: key, encoded: encoded), old: old)
        guard views[shownType] != nil else { return (stored, encoded) }
        let shownStored = shown(stored, as: shownType)
        return (shownStored, StoredObject(shownStored))
    }

    /// Removes an object; the DELETED event carries `lastState` with the deletion's revision.
    func remove(_ shownType: TypeKey, namespace: String?, name: String, lastState: JSON) {
        let type = storageKey(shownType)
        let key = Self.key(namespace: namespace, name: name)
        guard let old = objects[type]?[key] else { return }
        objects[type]?[key] = nil
        sortedKeys[type] = nil
        revision += 1
        var final = views[shownType]?.toStorage(lastState) ?? lastState
        final["metadata"]?["resourceVersion"] = .string(String(revision))
        record(StoredEvent(revision: revision, type: type, kind: .deleted, object: final, old: old.json, key: key,
                           encoded: StoredObject(final)), old: old)
    }

    private func record(_ event: StoredEvent, old: StoredObject?) {
        lastEventRevision[event.type] = event.revision
        for watcher in watchers(of: event.type) { watcher.offer(event) }
        for (viewType, view) in views where view.storage == event.type {
            lastEventRevision[viewType] = event.revision
            let viewers = watchers(of: viewType)
            if viewers.isEmpty { continue }
            let shown = shownEvent(event, as: viewType)
            for watcher in viewers { watcher.offer(shown) }
        }
        // History shares the stored text with the store; a replay decodes it again.
        let kept = HistoryEntry(revision: event.revision, type: event.type, kind: event.kind, key: event.key,
                                object: event.encoded, old: old)
        if history.count < historyCapacity {
            history.append(kept)
        } else {
            evictedThrough = history[historyHead].revision
            history[historyHead] = kept
            historyHead = (historyHead + 1) % historyCapacity
        }
    }

    // MARK: Restoring a snapshot

    /// Continues from a saved revision; history before it is gone (watches from earlier get 410).
    func restore(revision saved: Int64) {
        revision = max(revision, saved)
        evictedThrough = revision
        history.removeAll()
        historyHead = 0
    }

    /// Puts a saved object back exactly as it was: no new revision, no event.
    func restore(_ type: TypeKey, namespace: String?, name: String, _ object: JSON) {
        objects[type, default: [:]][Self.key(namespace: namespace, name: name)] = StoredObject(object, keepDecoded: Self.keepsDecoded(type))
        sortedKeys[type] = nil
    }

    // MARK: Watchers

    func add(_ watcher: Watcher) {
        watchers[watcher.type, default: [:]][ObjectIdentifier(watcher)] = watcher
    }

    func removeWatcher(_ watcher: Watcher) {
        watchers[watcher.type]?[ObjectIdentifier(watcher)] = nil
    }

    var watcherCount: Int { watchers.values.reduce(0) { $0 + $1.count } }

    func watchers(of type: TypeKey) -> [Watcher] {
        if let list = watcherLists[type] { return list }
        let list = watchers[type].map { Array($0.values) } ?? []
        watcherLists[type] = list
        return list
    }
}
