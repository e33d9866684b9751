import Foundation
import KubeJSON

/// Where a watch's bytes go: the HTTP layer's streaming response.
protocol WatchSink: AnyObject, Sendable {
    /// Sends the response head (200, chunked) at once, as the real server does even before any event.
    func open()
    /// Sends one newline-terminated event; false once the client has gone.
    func send(_ line: [UInt8]) -> Bool
    /// Ends the response cleanly (final chunk).
    func finish()
    /// Calls `action` once the client has gone (its connection closed), as the real server
    /// ends a watch when the request's context is cancelled, not at its next write.
    func whenClientGone(_ action: @escaping @Sendable () -> Void)
}

/// One open watch: which objects it sees and how they reach the client.
///
/// Selector transitions follow the real server: an object that stops matching
/// is DELETED (its last matching contents, the new revision) and ADDED when it
/// matches again (KUBE-API.md §5.2).
final class Watcher: @unchecked Sendable {
    let type: TypeKey
    let namespace: String?
    let filter: (JSON) -> Bool
    let sink: WatchSink
    let bookmarks: Bool
    /// Renders an object for this watcher as a Table row for kubectl; nil sends objects as stored.
    let render: ((JSON) -> JSON)?
    private(set) var lastSent: Int64
    private(set) var closed = false
    var onClose: (() -> Void)?

    init(type: TypeKey, namespace: String?, filter: @escaping (JSON) -> Bool, sink: WatchSink, bookmarks: Bool,
         startRevision: Int64, render: ((JSON) -> JSON)?) {
        self.type = type
        self.namespace = namespace
        self.filter = filter
        self.sink = sink
        self.bookmarks = bookmarks
        self.lastSent = startRevision
        self.render = render
    }

    private func visible(_ object: JSON?) -> Bool {
        guard let object else { return false }
        if let namespace, object[path: "metadata", "namespace"]?.stringValue != namespace { return false }
        return filter(object)
    }

    func offer(_ event: StoredEvent) {
        guard !closed, event.revision > lastSent else { return }
        let wasVisible = visible(event.old)
        let isVisible = event.kind != .deleted && visible(event.object)
        switch event.kind {
        case .added where isVisible: send(.added, event.object, event.revision, lines: event.lines)
        case .modified where wasVisible && isVisible: send(.modified, event.object, event.revision, lines: event.lines)
        case .modified where isVisible: send(.added, event.object, event.revision, lines: event.lines)
        case .modified where wasVisible:
            var gone = event.old!
            gone["metadata"]?["resourceVersion"] = .string(String(event.revision))
            send(.deleted, gone, event.revision)
        case .deleted where wasVisible: send(.deleted, event.object, event.revision, lines: event.lines)
        default: break
        }
    }

    /// Initial state: a synthetic ADDED for each object (watch without a resourceVersion).
    func sendAdded(_ object: JSON) {
        guard filter(object) else { return }
        send(.added, object, lastSent)
    }

    /// `lines` holds the event's lines, built once per change and shared by every
    /// plain watcher: fan-out to fifty watchers must not mean fifty encodings.
    func send(_ type: StoredEvent.Kind, _ object: JSON, _ revision: Int64, lines: EventLines? = nil) {
        guard !closed else { return }
        let line: [UInt8]
        if let render {
            line = (["type": .string(type.rawValue), "object": render(object)] as JSON).serialized() + [10]
        } else if let lines {
            line = lines.line(type)
        } else {
            line = EventLines.line(type, object.serialized())
        }
        if !sink.send(line) { close(); return }
        lastSent = max(lastSent, revision)
    }

    /// A bookmark when this type has moved past what the watcher last received (KUBE-API.md §5.2).
    func bookmark(currentRevision: Int64, apiVersion: String, kind: String) {
        guard bookmarks, !closed, currentRevision > lastSent else { return }
        let object: JSON = ["kind": .string(kind), "apiVersion": .string(apiVersion),
                            "metadata": ["resourceVersion": .string(String(currentRevision))]]
        let line: JSON = ["type": "BOOKMARK", "object": object]
        if !sink.send(line.serialized() + [10]) { close(); return }
        lastSent = currentRevision
    }

    func sendError(_ status: JSON) {
        _ = sink.send((["type": "ERROR", "object": status] as JSON).serialized() + [10])
    }

    func close() {
        guard !closed else { return }
        closed = true
        sink.finish()
        onClose?()
    }
}

/// One change's watch-event lines (`{"type":"ADDED","object":…}` and newline), built
/// on first use per type from the stored text. Lives only while the change is
/// being fanned out; history keeps the text alone.
final class EventLines: @unchecked Sendable {
    private let encoded: StoredObject
    private var built: [StoredEvent.Kind: [UInt8]] = [:]
    private let lock = NSLock()

    init(_ encoded: StoredObject) {
        self.encoded = encoded
    }

    func line(_ type: StoredEvent.Kind) -> [UInt8] {
        lock.withLock {
            if let line = built[type] { return line }
            let line = Self.line(type, encoded.bytes)
            built[type] = line
            return line
        }
    }

    static func line(_ type: StoredEvent.Kind, _ object: [UInt8]) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(object.count + 32)
        line += #"{"type":""#.utf8
        line += type.rawValue.utf8
        line += #"","object":"#.utf8
        line += object
        line += "}\n".utf8
        return line
    }
}
