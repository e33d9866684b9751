import Foundation
import KubeJSON
import Synchronization

/// The store on disk (`KubeSimOptions.dataDirectory`), so a restarted instance
/// serves what the last one stored: one JSON document with the revision and
/// every object by resource, written to a temporary file and renamed over the
/// old one, so a crash mid-write leaves the previous snapshot whole.
///
/// Like an API server restarted over etcd after a compaction: objects keep
/// their uids, resourceVersions and timestamps, revisions continue upward, and
/// watch history starts afresh (older resourceVersions get 410, clients relist).
enum StoreSnapshot {
    static let fileName = "kubesim-state.json"

    struct LoadError: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String {
            "cannot restore KubeSim state from \(path): \(reason) (move the file away to start empty)"
        }
    }

    struct Contents {
        var revision: Int64
        /// CustomResourceDefinitions first, so their resources exist before their objects arrive.
        var resources: [(type: TypeKey, objects: [JSON])]
    }

    /// The document, written from the objects' stored text: the store already holds
    /// every object encoded, so saving decodes and re-encodes nothing.
    static func encode(revision: Int64, resources: [(type: TypeKey, objects: [[UInt8]])]) -> [UInt8] {
        let ordered = resources.filter { !$0.objects.isEmpty }.sorted { a, b in
            (a.type == APIServer.crdType ? 0 : 1, a.type.group, a.type.plural) < (b.type == APIServer.crdType ? 0 : 1, b.type.group, b.type.plural)
        }
        var out = Array(#"{"revision":"#.utf8)
        JSONText.appendQuoted(String(revision), to: &out)
        out += #","resources":["#.utf8
        for (i, resource) in ordered.enumerated() {
            out += (i == 0 ? "" : ",").utf8
            out += #"{"group":"#.utf8
            JSONText.appendQuoted(resource.type.group, to: &out)
            out += #","plural":"#.utf8
            JSONText.appendQuoted(resource.type.plural, to: &out)
            out += #","items":["#.utf8
            for (j, object) in resource.objects.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                out += object
            }
            out += "]}".utf8
        }
        out += "]}".utf8
        return out
    }

    /// The saved contents, or nil when the directory holds no snapshot yet.
    static func load(directory: String) throws(LoadError) -> Contents? {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let document: JSON
        do { document = try JSON.parse(Array(data)) } catch { throw LoadError(path: path, reason: "\(error)") }
        guard let revision = document["revision"]?.stringValue.flatMap(Int64.init),
              let resources = document["resources"]?.arrayValue else {
            throw LoadError(path: path, reason: "expected {\"revision\": \"N\", \"resources\": [...]}")
        }
        var contents = Contents(revision: revision, resources: [])
        for (i, resource) in resources.enumerated() {
            guard let group = resource["group"]?.stringValue, let plural = resource["plural"]?.stringValue,
                  let items = resource["items"]?.arrayValue else {
                throw LoadError(path: path, reason: "resources[\(i)] needs group, plural and items")
            }
            contents.resources.append((TypeKey(group: group, plural: plural), items))
        }
        return contents
    }

    static func write(_ bytes: [UInt8], directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + fileName
        let temporary = path + ".tmp"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}

extension APIServer {
    /// Loads the snapshot in `directory`, if any, into a freshly started server.
    func restore(from directory: String) throws(StoreSnapshot.LoadError) {
        guard let contents = try StoreSnapshot.load(directory: directory) else { return }
        lock.withLock {
            store.restore(revision: contents.revision)
            for (key, objects) in contents.resources {
                for object in objects {
                    let name = object[path: "metadata", "name"]?.stringValue ?? ""
                    store.restore(key, namespace: object[path: "metadata", "namespace"]?.stringValue, name: name, object)
                    if key == Self.crdType { registerCRD(object) }
                }
            }
            // Rollouts and propagation that were under way carry on.
            for (key, objects) in contents.resources {
                guard let type = store.types[key] else { continue }
                for object in objects { simulation.objectWritten(type, object) }
            }
        }
    }

    /// Everything stored, encoded under the lock; nil when nothing changed since `since`.
    func snapshotBytes(unlessAt since: Int64?) -> (revision: Int64, bytes: [UInt8])? {
        lock.withLock {
            guard store.revision != since else { return nil }
            let resources = store.types.keys.filter { store.views[$0] == nil }.map { key in
                (type: key, objects: Array(store.entries(key, namespace: nil).map(\.stored.bytes)))
            }
            return (store.revision, StoreSnapshot.encode(revision: store.revision, resources: resources))
        }
    }
}

/// Saves the store when it changed since the last save (one save at a time).
final class SnapshotSaver: Sendable {
    private let api: APIServer
    private let directory: String
    private let saved = Mutex<Int64?>(nil)

    init(api: APIServer, directory: String) {
        self.api = api
        self.directory = directory
    }

    func save() {
        saved.withLock { last in
            guard let snapshot = api.snapshotBytes(unlessAt: last) else { return }
            do {
                try StoreSnapshot.write(snapshot.bytes, directory: directory)
                last = snapshot.revision
            } catch {
                FileHandle.standardError.write(Data("kubesim \(api.options.name): cannot save state to \(directory): \(error)\n".utf8))
            }
        }
    }
}
