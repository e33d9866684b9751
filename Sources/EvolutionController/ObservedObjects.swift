import ControllerRuntime
import EvolutionAPI
import EvolutionEngine
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
/// Cached with the other managers' managedFields: they say who changed what Causeway owns (drift).
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
        /// How far the informer has seen: an object it does not hold did not exist at this version.
        var resourceVersion: String?
    }

    /// One object some Evolutions check: which watch it arrives through (by id), and its name.
    /// Small on purpose: there is one per applied object per target, and one set of them per Evolution.
    private struct Interest: Hashable {
        var watch: Int
        var namespace: String?
        var name: String
    }

    private struct Watch {
        var key: WatchKey
        var informer: Informer
        var task: Task<Void, Never>
        /// Every Evolution that checks something through it: told when it fails.
        var watchers: Set<ControllerRuntime.ObjectKey> = []
    }

    private struct State {
        var nextID = 0
        var ids: [WatchKey: Int] = [:]
        var watches: [Int: Watch] = [:]
        /// Evolutions that check each object (usually one).
        var interest: [Interest: [ControllerRuntime.ObjectKey]] = [:]
        /// What each Evolution observed in its last completed pass, and in the pass under way.
        var used: [ControllerRuntime.ObjectKey: Uses] = [:]
        var using: [ControllerRuntime.ObjectKey: Uses] = [:]
    }

    private struct Uses {
        var watches: Set<Int> = []
        var objects: Set<Interest> = []
    }

    private let state = Mutex(State())
    private let queue: WorkQueue
    private let logger: Logger

    init(queue: WorkQueue, logger: Logger = .disabled("causeway.informer")) {
        self.queue = queue
        self.logger = logger
    }

    /// Starts watching the object's resource through `connection` (once) and remembers who cares about it.
    /// The object is nil when it does not exist (or the informer has not synced yet). End the
    /// pass with `settle(_:)`: what the Evolution observed before and not in this pass is released.
    func observe(_ object: EvolutionAPI.ObjectKey, namespace: String?, resource: APIResource, through connection: TargetConnection,
                 for evolution: ControllerRuntime.ObjectKey) -> Seen {
        let scope = resource.namespaced ? namespace : nil
        let watchKey = WatchKey(connection: connection.key, resource: resource, namespace: scope)
        let informer: Informer = state.withLock { state in
            let id: Int
            if let known = state.ids[watchKey] { id = known } else {
                id = state.nextID
                state.nextID += 1
                state.ids[watchKey] = id
                state.watches[id] = startWatch(watchKey, id: id, client: connection.client)
            }
            let interest = Interest(watch: id, namespace: namespace, name: object.name)
            if state.interest[interest]?.contains(evolution) != true { state.interest[interest, default: []].append(evolution) }
            state.watches[id]?.watchers.insert(evolution)
            state.using[evolution, default: Uses()].watches.insert(id)
            state.using[evolution, default: Uses()].objects.insert(interest)
            return state.watches[id]!.informer
        }
        let stats = informer.stats
        return Seen(object: informer.cache.get(namespace: namespace, name: object.name), synced: stats.hasSynced,
                    failure: stats.lastFailure, resourceVersion: stats.resourceVersion)
    }

    private func startWatch(_ key: WatchKey, id: Int, client: KubeClient) -> Watch {
        var logger = self.logger
        logger[metadataKey: "connection"] = .string(key.connection)
        let informer = Informer(client: client, resource: key.resource, namespace: key.namespace, transform: DriftInspection.cacheShape,
                                logger: logger)
        informer.addHandler { [weak self] event in self?.changed(event, watch: id) }
        informer.addFailureHandler { [weak self] _ in
            guard let self else { return }
            for evolution in self.state.withLock({ $0.watches[id]?.watchers ?? [] }) { self.queue.add(evolution) }
        }
        return Watch(key: key, informer: informer, task: Task { await informer.run() })
    }

    /// Ends an observation pass of `evolution`: it no longer cares about what it observed
    /// before and not now; a watch nobody observes through any more is stopped.
    func settle(_ evolution: ControllerRuntime.ObjectKey) {
        let stopped: [Task<Void, Never>] = state.withLock { state in
            let now = state.using.removeValue(forKey: evolution) ?? Uses()
            let before = state.used[evolution] ?? Uses()
            state.used[evolution] = now.watches.isEmpty && now.objects.isEmpty ? nil : now
            for interest in before.objects.subtracting(now.objects) {
                state.interest[interest]?.removeAll { $0 == evolution }
                if state.interest[interest]?.isEmpty == true { state.interest[interest] = nil }
            }
            var tasks: [Task<Void, Never>] = []
            for id in before.watches.subtracting(now.watches) {
                state.watches[id]?.watchers.remove(evolution)
                guard let watch = state.watches[id], watch.watchers.isEmpty else { continue }
                state.watches[id] = nil
                state.ids[watch.key] = nil
                tasks.append(watch.task)
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
    var watchCount: Int { state.withLock { $0.watches.count } }

    private func changed(_ event: InformerEvent, watch: Int) {
        let object = event.object
        guard let name = object[path: "metadata", "name"]?.stringValue else { return }
        let interest = Interest(watch: watch, namespace: object[path: "metadata", "namespace"]?.stringValue, name: name)
        // A checked object changed: the Evolution may progress, ahead of Evolutions not yet started.
        for evolution in state.withLock({ $0.interest[interest] ?? [] }) { queue.add(evolution, priority: .high) }
    }

    func stop() {
        let tasks = state.withLock { state -> [Task<Void, Never>] in
            defer { state.watches.removeAll(); state.ids.removeAll() }
            return state.watches.values.map(\.task)
        }
        for task in tasks { task.cancel() }
    }
}
