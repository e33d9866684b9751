import KubeClient
import KubeJSON
import KubeSemantics
import Logging
import Synchronization

/// Keeps an `ObjectCache` of one resource in step with the server: list, then watch.
///
/// Expected flow (the reflector loop in `run()`):
/// 1. `listAll`, replace the cache, remember the list's resourceVersion; `hasSynced` turns true.
/// 2. Watch from that resourceVersion with bookmarks, applying events.
/// 3. The stream ends normally (server timeout): watch again from the last resourceVersion seen.
/// 4. The server answers 410 (`resourceVersionTooOld`): relist, go to 2.
/// 5. Any other error: back off (jittered exponential, on the clock) and retry the step that failed.
///
/// Guarantees: after a relist the cache equals the list, and handlers are told
/// of every difference, deletions in the gap included; an event older than
/// what the cache holds for its key is dropped (no stale resurrection); an
/// object without metadata.name is skipped and counted, never fatal.
/// There is no periodic resync.
public final class Informer: Sendable {
    public let resource: APIResource
    public let namespace: String?
    public let labelSelector: String?
    public let cache: ObjectCache
    let client: KubeClient
    let clock: any RuntimeClock
    let backoff: Backoff
    let watchTimeoutSeconds: Int
    let handlers = Mutex<[@Sendable (InformerEvent) -> Void]>([])
    let failureHandlers = Mutex<[@Sendable (InformerFailure) -> Void]>([])
    let state = Mutex(InformerStats())
    let metrics: RuntimeMetrics?
    let transform: (@Sendable (JSON) -> JSON)?
    let logger: Logger

    /// - Parameter transform: shapes every object before it is cached and handed to handlers
    ///   (client-go's SetTransform), e.g. `stripManagedFields` to save memory.
    public init(client: KubeClient, resource: APIResource, namespace: String? = nil, labelSelector: String? = nil,
                cache: ObjectCache = ObjectCache(), clock: any RuntimeClock = ContinuousRuntimeClock(),
                backoff: Backoff = Backoff(base: .milliseconds(100), cap: .seconds(30), jitter: 0.5),
                watchTimeoutSeconds: Int = 300, metrics: RuntimeMetrics? = nil,
                transform: (@Sendable (JSON) -> JSON)? = nil, logger: Logger = .disabled("causeway.informer")) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.cache = cache
        self.clock = clock
        self.backoff = backoff
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.metrics = metrics
        self.transform = transform
        var logger = logger
        logger[metadataKey: "resource"] = .string(resource.description)
        if let namespace { logger[metadataKey: "namespace"] = .string(namespace) }
        self.logger = logger
        metrics?.register(self)
    }

    /// Drops metadata.managedFields, often the largest part of a small object, for
    /// caches whose readers look at state, not at who wrote it.
    public static let stripManagedFields: @Sendable (JSON) -> JSON = { object in
        guard object[path: "metadata", "managedFields"] != nil else { return object }
        var stripped = object
        stripped["metadata"]?["managedFields"] = nil
        return stripped
    }

    /// True once the first list has been stored in the cache.
    public var hasSynced: Bool { state.withLock { $0.hasSynced } }
    public var stats: InformerStats { state.withLock { $0 } }

    /// Registers a handler, called on the informer's task for every change; keep it cheap (enqueue a key).
    public func addHandler(_ handler: @escaping @Sendable (InformerEvent) -> Void) {
        handlers.withLock { $0.append(handler) }
    }

    /// Registers a handler called after every failed list or watch (before the backoff),
    /// so whoever waits on this informer can say why it is not syncing.
    public func addFailureHandler(_ handler: @escaping @Sendable (InformerFailure) -> Void) {
        failureHandlers.withLock { $0.append(handler) }
    }

    /// Enqueues the key of every changed object that passes `predicate`.
    public func enqueue(into queue: WorkQueue, when predicate: EventPredicate? = nil) {
        addHandler { event in
            if let predicate, !predicate(event) { return }
            if let key = ObjectKey(object: event.object) { queue.add(key) }
        }
    }

    /// Runs the reflector until the task is cancelled. Run it again later to resume from the last resourceVersion.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                if state.withLock({ $0.resourceVersion == nil }) { try await relist() }
                try await watchOnce()
                failures = 0
            } catch {
                if Task.isCancelled { return }
                if case .resourceVersionTooOld? = error as? KubeClientError {
                    state.withLock { $0.resourceVersion = nil; $0.tooOldRelists += 1 }
                    logger.info("watch expired (410); relisting")
                    continue
                }
                // Anything else (transport, 5xx, 429, 403, a malformed stream): back off, then retry the step that failed.
                let failure = InformerFailure(error)
                state.withLock { $0.errors += 1; $0.lastFailure = failure }
                for handler in failureHandlers.withLock({ $0 }) { handler(failure) }
                failures += 1
                var delay = backoff.delay(afterFailures: failures - 1, random: .random(in: 0..<1))
                // A 429 or 503 that says when to come back is obeyed, as client-go does.
                if case .api(let status)? = error as? KubeClientError, let seconds = status.retryAfterSeconds {
                    delay = max(delay, .seconds(seconds))
                }
                logger.warning("list or watch failed; backing off", metadata: [
                    "error": .string(failure.message), "code": .string(failure.statusCode.map(String.init) ?? "none"),
                    "retry.delay": .string(delay.description), "retry.attempt": .stringConvertible(failures),
                ])
                do { try await clock.sleep(until: clock.now + delay) } catch { return }
            }
        }
    }

    /// Lists everything and replaces the cache with it, telling handlers what changed.
    func relist() async throws(KubeClientError) {
        let list = try await measured(metrics, "LIST") { () async throws(KubeClientError) in
            try await client.listAll(resource, namespace: namespace, options: ListOptions(labelSelector: labelSelector))
        }
        var objects: [ObjectKey: JSON] = [:]
        var skipped = 0
        for item in list.items {
            guard let key = ObjectKey(object: item) else { skipped += 1; continue }
            objects[key] = transform?(item) ?? item
        }
        let old = cache.replace(with: objects)
        var events: [InformerEvent] = []
        for (key, object) in objects {
            if let before = old[key] {
                if before.resourceVersion != ResourceVersion.of(object), let previous = before.object {
                    events.append(.updated(old: previous, new: object))
                }
            } else {
                events.append(.added(object))
            }
        }
        for (key, before) in old where objects[key] == nil { if let gone = before.object { events.append(.deleted(gone)) } }
        state.withLock {
            $0.resourceVersion = list.resourceVersion
            $0.hasSynced = true
            $0.lastFailure = nil
            $0.lists += 1
            $0.skippedObjects += skipped
        }
        deliver(events)
    }

    /// One watch, from the last resourceVersion, until the stream ends or fails.
    func watchOnce() async throws {
        let from = state.withLock { state in
            state.watches += 1
            return state.resourceVersion
        }
        let options = WatchOptions(labelSelector: labelSelector, resourceVersion: from, allowBookmarks: true,
                                   timeoutSeconds: watchTimeoutSeconds)
        for try await event in client.watch(resource, namespace: namespace, options: options) {
            apply(event)
        }
    }

    /// Applies one watch event to the cache (the single writer path for watches).
    func apply(_ received: WatchEvent) {
        var event = received
        if let transform, event.type != .bookmark { event.object = transform(event.object) }
        let version = event.resourceVersion
        defer { if let version { state.withLock { $0.resourceVersion = version } } }
        if event.type == .bookmark { return }
        guard let key = ObjectKey(object: event.object) else {
            state.withLock { $0.skippedObjects += 1 }
            return
        }
        let current = cache.resourceVersion(of: key)
        // A deletion carries a newer version than the object it deletes; an add or update must be newer than the cache.
        let stale = event.type == .deleted
            ? ResourceVersion.isOlder(version, than: current)
            : current != nil && (version == current || ResourceVersion.isOlder(version, than: current))
        if stale {
            state.withLock { $0.staleEvents += 1 }
            return
        }
        state.withLock { $0.events += 1 }
        switch event.type {
        case .added, .modified:
            let old = cache.upsert(event.object, key: key)?.object
            deliver([old.map { .updated(old: $0, new: event.object) } ?? .added(event.object)])
        case .deleted:
            if let old = cache.remove(key)?.object { deliver([.deleted(old)]) }
        case .bookmark:
            break
        }
    }

    private func deliver(_ events: [InformerEvent]) {
        guard !events.isEmpty else { return }
        let handlers = self.handlers.withLock { $0 }
        for event in events { for handler in handlers { handler(event) } }
    }
}

/// What an informer has done so far: for readiness, metrics and tests.
public struct InformerStats: Sendable, Equatable {
    public var hasSynced = false
    /// The resourceVersion the next watch starts from; nil means a relist is due.
    public var resourceVersion: String?
    public var lists = 0
    /// Relists forced by a 410 (the watch fell out of the server's history).
    public var tooOldRelists = 0
    public var watches = 0
    /// Transport and API errors that caused a backoff.
    public var errors = 0
    public var events = 0
    /// Events older than the cached object, dropped.
    public var staleEvents = 0
    /// Objects without metadata.name, skipped.
    public var skippedObjects = 0
    /// Why the last list or watch failed, until a list succeeds again.
    public var lastFailure: InformerFailure?
}

/// A list or watch that failed: the API server's answer, when there was one.
public struct InformerFailure: Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status (403, 500...), nil for transport failures.
    public var statusCode: Int?
    public var message: String

    init(_ error: any Error) {
        if let error = error as? KubeClientError {
            statusCode = error.statusCode
            if case .api(let status) = error { message = status.message } else { message = "\(error)" }
        } else {
            statusCode = nil
            message = "\(error)"
        }
    }

    public var description: String { message }
}
