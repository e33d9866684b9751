import KubeClient

/// The runtime's metrics, all named `causeway_…`, recorded into one `MetricsRegistry`.
///
/// | Name | Type | Labels | Meaning |
/// |------|------|--------|---------|
/// | `causeway_reconcile_total` | counter | controller, outcome | Reconciles finished; outcome is done, requeue, retry or terminal |
/// | `causeway_reconcile_errors_total` | counter | controller, reason | Reconciles that failed (outcome retry or terminal), by `ReconcileError.reason` (`Error` for others) |
/// | `causeway_reconcile_duration_seconds` | histogram | controller | Time spent in one reconcile |
/// | `causeway_workqueue_depth` | gauge | controller | Keys waiting in the controller's queue (read on scrape) |
/// | `causeway_workqueue_wait_duration_seconds` | histogram | controller | Time from a key being queued to a worker taking it |
/// | `causeway_informer_watch_restarts_total` | counter | resource | Watches started after the first (stream ended, failed or expired) |
/// | `causeway_informer_relists_total` | counter | resource | Relists forced by a 410 (watch fell out of the server's history) |
/// | `causeway_informer_synced` | gauge | resource | 1 once the informer's first list is in its cache |
/// | `causeway_informer_errors_total` | counter | resource | List or watch failures the informer backed off after (transport, 5xx, 429, malformed stream) |
/// | `causeway_informer_skipped_objects_total` | counter | resource | Objects skipped because they could not be keyed (no metadata.name) |
/// | `causeway_api_request_duration_seconds` | histogram | verb, code | API requests made by the runtime, by verb (GET, LIST, POST, PUT, PATCH, DELETE) and HTTP status (`<error>` when no status came back) |
/// | `causeway_leader_election_is_leader` | gauge | lease | 1 while this replica holds the Lease |
///
/// API latency is recorded where the runtime makes its requests (informer
/// lists, Lease reads and writes) through `measure(_:_:)`; a reconciler can
/// record its own requests the same way. Watches are long-lived and are
/// counted by restarts rather than timed. The duration of a request includes
/// the client's own retries.
public final class RuntimeMetrics: Sendable {
    public let registry: MetricsRegistry
    let reconcileTotal: MetricFamily
    let reconcileErrors: MetricFamily
    let reconcileDuration: MetricFamily
    let queueDepth: MetricFamily
    let queueWait: MetricFamily
    let watchRestarts: MetricFamily
    let relists: MetricFamily
    let synced: MetricFamily
    let informerErrors: MetricFamily
    let skippedObjects: MetricFamily
    public let apiRequestDuration: MetricFamily
    let isLeader: MetricFamily

    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        reconcileTotal = registry.counter("causeway_reconcile_total", help: "Reconciles finished, by controller and outcome.",
                                          labels: ["controller", "outcome"])
        reconcileErrors = registry.counter("causeway_reconcile_errors_total", help: "Reconciles that returned retry or terminal, by reason.",
                                           labels: ["controller", "reason"])
        reconcileDuration = registry.histogram("causeway_reconcile_duration_seconds", help: "Time spent in one reconcile.",
                                               labels: ["controller"])
        queueDepth = registry.gauge("causeway_workqueue_depth", help: "Keys waiting in the work queue.", labels: ["controller"])
        queueWait = registry.histogram("causeway_workqueue_wait_duration_seconds",
                                       help: "Time a key waited in the work queue before a worker took it.", labels: ["controller"])
        watchRestarts = registry.counter("causeway_informer_watch_restarts_total",
                                         help: "Watches started after the first one, by resource.", labels: ["resource"])
        relists = registry.counter("causeway_informer_relists_total",
                                   help: "Relists forced by an expired resourceVersion (410), by resource.", labels: ["resource"])
        synced = registry.gauge("causeway_informer_synced", help: "1 once the informer's cache holds its first list.",
                                labels: ["resource"])
        informerErrors = registry.counter("causeway_informer_errors_total",
                                          help: "List or watch failures the informer backed off after, by resource.",
                                          labels: ["resource"])
        skippedObjects = registry.counter("causeway_informer_skipped_objects_total",
                                          help: "Objects the informer skipped because they had no metadata.name.",
                                          labels: ["resource"])
        apiRequestDuration = registry.histogram("causeway_api_request_duration_seconds",
                                                help: "API requests made by the runtime, by verb and HTTP status code.",
                                                labels: ["verb", "code"])
        isLeader = registry.gauge("causeway_leader_election_is_leader", help: "1 while this replica holds the Lease.",
                                  labels: ["lease"])
    }

    /// Times one API request and records it under `verb` and the status it ended with.
    ///
    /// Success is recorded as 201 for POST and 200 otherwise (the client does
    /// not expose the exact 2xx); a failure as its HTTP status, or `<error>`.
    public func measure<T>(_ verb: String, _ request: () async throws(KubeClientError) -> T) async throws(KubeClientError) -> T {
        let start = ContinuousClock.now
        do {
            let result = try await request()
            apiRequestDuration.observe([verb, verb == "POST" ? "201" : "200"], ContinuousClock.now - start)
            return result
        } catch {
            apiRequestDuration.observe([verb, error.statusCode.map(String.init) ?? "<error>"], ContinuousClock.now - start)
            throw error
        }
    }

    /// Exposes an informer's progress (read from its `stats` on every scrape).
    public func register(_ informer: Informer) {
        let resource = informer.resource.description
        registry.addCollector { [weak informer, watchRestarts, relists, synced, informerErrors, skippedObjects] in
            guard let informer else { return }
            let stats = informer.stats
            watchRestarts.set([resource], to: Double(max(0, stats.watches - 1)))
            relists.set([resource], to: Double(stats.tooOldRelists))
            synced.set([resource], to: stats.hasSynced ? 1 : 0)
            informerErrors.set([resource], to: Double(stats.errors))
            skippedObjects.set([resource], to: Double(stats.skippedObjects))
        }
    }

    /// Exposes whether `elector` leads (read on every scrape).
    public func register(_ elector: LeaderElector) {
        let lease = "\(elector.config.namespace)/\(elector.config.leaseName)"
        registry.addCollector { [weak elector, isLeader] in
            guard let elector else { return }
            isLeader.set([lease], to: elector.isLeader ? 1 : 0)
        }
    }
}

/// Runs `request` through `metrics.measure` when there are metrics, else just runs it.
func measured<T>(_ metrics: RuntimeMetrics?, _ verb: String,
                 _ request: () async throws(KubeClientError) -> T) async throws(KubeClientError) -> T {
    guard let metrics else { return try await request() }
    return try await metrics.measure(verb, request)
}
