import ControllerRuntime
import EvolutionAdmission
import Foundation
import KubeClient
import KubeJSON
import Ledger
import Logging

/// The Evolution controller: watches Evolutions on its own cluster and
/// governs each one's steps across its targets.
///
/// Expected flow: `run()` lists and watches Evolutions, reconciles each key
/// with `workers` workers (never one key twice at once), watches every object
/// the engine checks on every target, and writes status and the ledger.
/// Cancel the task running `run()` to stop.
public final class EvolutionController: Sendable {
    public struct Options: Sendable {
        public var workers = 2
        /// Where ledgers live.
        public var ledger: LedgerBackend
        /// The controller's identity in the ledger and in Events.
        public var identity = "causeway-controller"
        /// Which account an Evolution acts as, and what it may reference.
        public var tenancy = TenancyPolicy()
        /// Honour only acknowledgments the admission webhook stamped with a user (`causeway webhook`).
        public var requireAttributedAcks = false
        /// The key the webhook signs stamps with; without it no stamp verifies (every acknowledgment is unattributed).
        public var stampKey: StampKey?
        /// Causeway's admission webhook is installed: applied objects carry the governance mark
        /// (signed with `stampKey`) and deviations name people from its journals; without it
        /// (and the key), `spec.drift.freeze` is refused.
        public var admissionWebhook = false
        /// Signs every ledger batch's head (kept with the entries and anchored in status);
        /// nil leaves ledgers unsigned (the status anchor then carries no signature).
        public var signer: LedgerSigner?
        /// The keys whose checkpoints a ledger must carry to be extended; with `signer` alone, its own.
        public var keyring: LedgerKeyring?
        /// Reads the published keys again, when a checkpoint names a key not in `keyring`.
        public var refreshKeyring: (@Sendable () async throws -> LedgerKeyring)?
        /// Where the controller and its runtime log (one line per reconcile error, retry,
        /// relist, leader change, refusal and warning); nothing by default.
        public var logger: Logger = .disabled("causeway")
        /// The metrics the controller records (served at /metrics under a `Manager`).
        public var metrics = RuntimeMetrics()
        public var now: @Sendable () -> Date = { Date() }

        public init(ledger: LedgerBackend) {
            self.ledger = ledger
        }

        /// File ledgers under `ledgerDirectory` (one JSON-lines file per Evolution).
        public init(ledgerDirectory: String) {
            self.init(ledger: .directory(ledgerDirectory))
        }
    }

    let home: KubeClient
    let options: Options
    let informer: Informer
    /// Retries back off up to 5 minutes: a failure nobody fixes costs one attempt per 5 minutes.
    let queue = WorkQueue(backoff: Backoff(base: .milliseconds(5), cap: .seconds(300), jitter: 0.1))
    let observed: ObservedObjects
    let reconciler: EvolutionReconciler

    public init(client: KubeClient, options: Options) {
        home = client
        self.options = options
        informer = Informer(client: client, resource: EvolutionReconciler.evolutions, metrics: options.metrics,
                            transform: Annotations.cacheShape, logger: Self.logger(options, "informer"))
        observed = ObservedObjects(queue: queue, logger: Self.logger(options, "informer"))
        reconciler = EvolutionReconciler(
            cache: informer.cache, home: client, targets: TargetClients(home: client, policy: options.tenancy), observed: observed,
            ledgers: LedgerBook(backend: options.ledger, client: client, actor: options.identity, signer: options.signer,
                                keyring: options.keyring ?? options.signer.map { LedgerKeyring(publicKeys: [$0.publicKey]) },
                                refreshKeyring: options.refreshKeyring),
            events: EventRecorder(client: client, reportingController: "causeway.dev/evolution-controller",
                                  reportingInstance: options.identity, metrics: options.metrics, logger: Self.logger(options, "events")),
            logger: Self.logger(options, "evolution"), metrics: options.metrics,
            requireAttributedAcks: options.requireAttributedAcks, stampKey: options.stampKey,
            governanceKey: options.admissionWebhook ? options.stampKey : nil, now: options.now)
    }

    /// Drops updates that changed only status (the controller's own writes,
    /// mostly); anything else — spec, annotations such as acknowledgments —
    /// is worth a reconcile. (The last managedFields entry cannot tell who
    /// wrote last: the server keeps entries sorted.)
    static let notStatusOnly: EventPredicate = { event in
        guard case .updated(let old, let new) = event else { return true }
        func withoutStatus(_ object: JSON) -> JSON {
            var o = object
            o["status"] = nil
            o["metadata"]?["resourceVersion"] = nil
            o["metadata"]?["managedFields"] = nil
            return o
        }
        return withoutStatus(old) != withoutStatus(new)
    }

    /// The Evolution cache: what the controller currently knows.
    public var evolutions: ObjectCache { informer.cache }

    /// The controller under a `Manager`: health and metrics endpoints, leader
    /// election on a Lease, graceful shutdown. Call `finish()` after the
    /// manager's `run()` returns.
    public func manager(leaderElection: LeaderElectionConfig?, health: (host: String, port: Int)?) -> Manager {
        informer.enqueue(into: queue, when: Self.notStatusOnly)
        let controller = Controller(name: "evolution", reconciler: reconciler, queue: queue, workers: options.workers,
                                    metrics: options.metrics, logger: Self.logger(options, "controller"))
        let elector = leaderElection.map { LeaderElector(client: home, config: $0, metrics: options.metrics, logger: Self.logger(options, "leader-election")) }
        return Manager(informers: [informer], controllers: [controller], elector: elector, eventRecorders: [reconciler.events],
                       metrics: options.metrics, health: health)
    }

    /// A component's logger: the controller's, with the component named in its metadata.
    static func logger(_ options: Options, _ component: String) -> Logger {
        var logger = options.logger
        logger[metadataKey: "component"] = .string(component)
        return logger
    }

    /// Stops the per-target watches and releases the ledgers' file locks.
    public func finish() {
        observed.stop()
        reconciler.ledgers.closeAll()
    }

    public func run() async {
        informer.enqueue(into: queue, when: Self.notStatusOnly)
        let controller = Controller(name: "evolution", reconciler: reconciler, queue: queue, workers: options.workers,
                                    metrics: options.metrics, logger: Self.logger(options, "controller"))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.informer.run() }
            group.addTask { await controller.run() }
            await group.waitForAll()
        }
        finish()
    }
}
