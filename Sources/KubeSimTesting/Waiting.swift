import KubeClient
import KubeJSON
import Synchronization

extension KubeClient {
    /// The object once `done` holds for it, as the API server says: driven by a watch on that
    /// one object (each change is looked at as it happens), not by polling. Throws, with the
    /// last version seen, when `timeout` passes first.
    public func waitFor(_ resource: APIResource, _ name: String, namespace: String? = "default", timeout: Duration = .seconds(20),
                        until done: @escaping @Sendable (JSON) -> Bool) async throws -> JSON {
        let client = self
        let last = LastSeen()
        return try await withThrowingTaskGroup(of: JSON?.self) { group in
            group.addTask {
                // A watch the server ends is opened again; a fresh one starts with the object as it is.
                while true {
                    let options = WatchOptions(fieldSelector: "metadata.name=\(name)", allowBookmarks: false)
                    for try await event in client.watch(resource, namespace: namespace, options: options) where event.type != .deleted {
                        last.set(event.object)
                        if done(event.object) { return event.object }
                    }
                    try Task.checkCancellation()
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let found = first else {
                let seen = last.get().map { "last seen: \($0["status"]?.prettyString() ?? "no status")" } ?? "never seen"
                throw SimTestingError("timed out after \(timeout) waiting for \(resource.name) \(namespace.map { "\($0)/" } ?? "")\(name); \(seen)")
            }
            return found
        }
    }
}

/// Waits until `condition` holds for state the test reads in-process (a log sink, a metric,
/// a write log), checking every few milliseconds; throws when `timeout` passes first.
/// What the API server holds is waited for with `SimCluster.waitFor`, on a watch.
public func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw SimTestingError("timed out after \(timeout) waiting: \(what)") }
        try await Task.sleep(for: .milliseconds(5))
    }
}

private final class LastSeen: Sendable {
    private let value = Mutex<JSON?>(nil)
    func set(_ new: JSON) { value.withLock { $0 = new } }
    func get() -> JSON? { value.withLock { $0 } }
}
