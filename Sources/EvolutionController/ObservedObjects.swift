import ControllerRuntime
import EvolutionAPI
import KubeClient
import KubeJSON
import Logging
import Synchronization

/// The objects Evolutions check, watched on every target (one informer per
/// connection, resource and namespace), so convergence is noticed from watch events rather
/// than by polling: a change re-queues every Evolution interested in it.
/// Watches are namespaced where the objects are: a target's other namespaces
/// cost nothing, and namespace-scoped RBAC on a target is enough.
/// Watches run as the identity the Evolution acts with (its connection), and are
/// shared only between Evolutions acting as the same identity on the same cluster:
/// a check is an oracle on the object it reads, so it reads only what the account may.
/// Cached without managedFields: checks read state, not who wrote it.
final class ObservedObjects: Sendable {
    private struct WatchKey: Hashable {
        var connection: String
        var resource: APIResource
        var namespace: String?
    }

    /// What an informer knows of one object.
    struct Seen {
        var object: JSON?
        var synced: Bool
        /// Why the informer's last list or watch failed, until a list succeeds again.
        var failure: InformerFailure?
    }

    private struct State {
        var informers: [WatchKey: (informer: Informer, task: Task<Void, Never>)] = [:]
        /// "connection|group/resource|namespace/name" → Evolutions that check it.
        var interest: [String: Set<ControllerRuntime.ObjectKey>] = [:]
        /// Every Evolution that checks something through a watch: told when the watch fails.
        var watchers: [WatchKey: Set<ControllerRuntime.ObjectKey>] = [:]
        /// What each Evolution observed in its last completed pass, and in the pass under way.
        var used: [ControllerRuntime.ObjectKey: Uses] = [:]
        var using: [ControllerRuntime.ObjectKey: Uses] = [:]
    }

    private struct Uses {
        var watches: Set<WatchKey> = []
        var objects: Set<String> = []
    }

    private let state = Mutex(State())
    private let queue: WorkQueue
    private let logger: Logger

    init(queue: WorkQueue, logger: Logger = .disabled("causeway.informer")) {
        self.queue = queue
        self.logger = logger
    }

    private static func interestKey(_ connection: String, _ resource: APIResource, _ namespace: String?, _ name: String) -> String {
        "\(connection)|\(resource)|\(namespace ?? "")/\(name)"
    }

    /// Starts watching the object's resource through `connection` (once) and remembers who cares about it.
    /// The object is nil when it does not exist (or the informer has not synced yet). End the
    /// pass with `settle(_:)`: what the Evolution observed before and not in this pass is released.
    func observe(_ object: EvolutionAPI.ObjectKey, namespace: String?, resource: APIResource, through connection: TargetConnection,
                 for evolution: ControllerRuntime.ObjectKey) -> Seen {
        let scope = resource.namespaced ? namespace : nil
        let watchKey = WatchKey(connection: connection.key, resource: resource, namespace: scope)
        let key = Self.interestKey(connection.key, resource, namespace, object.name)
        let informer: Informer = state.withLock { state in
            state.interest[key, default: []].insert(evolution)
            state.watchers[watchKey, default: []].insert(evolution)
            state.using[evolution, default: Uses()].watches.insert(watchKey)
            state.using[evolution, default: Uses()].objects.insert(key)
            if let existing = state.informers[watchKey] { return existing.informer }
            var logger = self.logger
            logger[metadataKey: "connection"] = .string(connection.key)
            let informer = Informer(client: connection.client, resource: resource, namespace: scope, transform: Informer.stripManagedFields,
                                    logger: logger)
            informer.addHandler { [weak self] event in self?.changed(event, connection: connection.key, resource: resource) }
            informer.addFailureHandler { [weak self] _ in
                guard let self else { return }
                for evolution in self.state.withLock({ $0.watchers[watchKey] ?? [] }) { self.queue.add(evolution) }
            }
            let task = Task { await informer.run() }
            state.informers[watchKey] = (informer, task)
            return informer
        }
        let stats = informer.stats
        return Seen(object: informer.cache.get(namespace: namespace, name: object.name), synced: stats.hasSynced,
                    failure: stats.lastFailure)
    }

    /// Ends an observation pass of `evolution`: it no longer cares about what it observed
    /// before and not now; a watch nobody observes through any more is stopped.
    func settle(_ evolution: ControllerRuntime.ObjectKey) {
        let stopped: [Task<Void, Never>] = state.withLock { state in
            let now = state.using.removeValue(forKey: evolution) ?? Uses()
            let before = state.used[evolution] ?? Uses()
            state.used[evolution] = now.watches.isEmpty && now.objects.isEmpty ? nil : now
            for key in before.objects.subtracting(now.objects) {
                state.interest[key]?.remove(evolution)
                if state.interest[key]?.isEmpty == true { state.interest[key] = nil }
            }
            var tasks: [Task<Void, Never>] = []
            for watch in before.watches.subtracting(now.watches) {
                state.watchers[watch]?.remove(evolution)
                guard state.watchers[watch]?.isEmpty ?? true else { continue }
                state.watchers[watch] = nil
                if let gone = state.informers.removeValue(forKey: watch) { tasks.append(gone.task) }
            }
            return tasks
        }
        for task in stopped { task.cancel() }
    }

    /// The Evolution is gone: everything it observed is released.
    func forget(_ evolution: ControllerRuntime.ObjectKey) {
        _ = state.withLock { $0.using.removeValue(forKey: evolution) }
        settle(evolution)
    }

    /// Open watches (one informer each), for tests and metrics.
    var watchCount: Int { state.withLock { $0.informers.count } }

    private func changed(_ event: InformerEvent, connection: String, resource: APIResource) {
        let object = event.object
        guard let name = object[path: "metadata", "name"]?.stringValue else { return }
        let key = Self.interestKey(connection, resource, object[path: "metadata", "namespace"]?.stringValue, name)
        for evolution in state.withLock({ $0.interest[key] ?? [] }) { queue.add(evolution) }
    }

    func stop() {
        let tasks = state.withLock { state -> [Task<Void, Never>] in
            defer { state.informers.removeAll() }
            return state.informers.values.map(\.task)
        }
        for task in tasks { task.cancel() }
    }
}
