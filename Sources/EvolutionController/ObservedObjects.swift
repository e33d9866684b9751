import ControllerRuntime
import EvolutionAPI
import KubeClient
import KubeJSON
import Synchronization

/// The objects Evolutions check, watched on every target (one informer per
/// target, resource and namespace), so convergence is noticed from watch events rather
/// than by polling: a change re-queues every Evolution interested in it.
/// Watches are namespaced where the objects are: a target's other namespaces
/// cost nothing, and namespace-scoped RBAC on a target is enough.
/// Cached without managedFields: checks read state, not who wrote it.
final class ObservedObjects: Sendable {
    private struct WatchKey: Hashable {
        var target: String
        var resource: APIResource
        var namespace: String?
    }

    private struct State {
        var informers: [WatchKey: (informer: Informer, task: Task<Void, Never>)] = [:]
        /// "target|group/resource|namespace/name" → Evolutions that check it.
        var interest: [String: Set<ControllerRuntime.ObjectKey>] = [:]
    }

    private let state = Mutex(State())
    private let queue: WorkQueue

    init(queue: WorkQueue) {
        self.queue = queue
    }

    private static func interestKey(_ target: String, _ resource: APIResource, _ namespace: String?, _ name: String) -> String {
        "\(target)|\(resource)|\(namespace ?? "")/\(name)"
    }

    /// Starts watching the object's resource on `target` (once) and remembers who cares about it.
    /// Returns the cached object, or nil when it does not exist (or the informer has not synced yet).
    func observe(_ object: EvolutionAPI.ObjectKey, namespace: String?, resource: APIResource, on target: String,
                 client: KubeClient, for evolution: ControllerRuntime.ObjectKey) -> (object: JSON?, synced: Bool) {
        let scope = resource.namespaced ? namespace : nil
        let watchKey = WatchKey(target: target, resource: resource, namespace: scope)
        let key = Self.interestKey(target, resource, namespace, object.name)
        let informer: Informer = state.withLock { state in
            state.interest[key, default: []].insert(evolution)
            if let existing = state.informers[watchKey] { return existing.informer }
            let informer = Informer(client: client, resource: resource, namespace: scope, transform: Informer.stripManagedFields)
            informer.addHandler { [weak self] event in self?.changed(event, target: target, resource: resource) }
            let task = Task { await informer.run() }
            state.informers[watchKey] = (informer, task)
            return informer
        }
        return (informer.cache.get(namespace: namespace, name: object.name), informer.hasSynced)
    }

    private func changed(_ event: InformerEvent, target: String, resource: APIResource) {
        let object = event.object
        guard let name = object[path: "metadata", "name"]?.stringValue else { return }
        let key = Self.interestKey(target, resource, object[path: "metadata", "namespace"]?.stringValue, name)
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
