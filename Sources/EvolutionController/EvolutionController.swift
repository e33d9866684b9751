import ControllerRuntime
import Foundation
import KubeClient
import KubeJSON
import Ledger

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
        /// Signs every ledger batch's head (kept with the entries and anchored in status);
        /// nil leaves ledgers unsigned (the status anchor then carries no signature).
        public var signer: LedgerSigner?
        /// The keys whose checkpoints a ledger must carry to be extended; with `signer` alone, its own.
        public var keyring: LedgerKeyring?
        /// Reads the published keys again, when a checkpoint names a key not in `keyring`.
        public var refreshKeyring: (@Sendable () async throws -> LedgerKeyring)?
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
    let queue = WorkQueue()
    let observed: ObservedObjects
    let reconciler: EvolutionReconciler

    public init(client: KubeClient, options: Options) {
        home = client
        self.options = options
        informer = Informer(client: client, resource: EvolutionReconciler.evolutions)
        observed = ObservedObjects(queue: queue)
        reconciler = EvolutionReconciler(
            cache: informer.cache, home: client, targets: TargetClients(home: client, policy: options.tenancy), observed: observed,
            ledgers: LedgerBook(backend: options.ledger, client: client, actor: options.identity, signer: options.signer,
                                keyring: options.keyring ?? options.signer.map { LedgerKeyring(publicKeys: [$0.publicKey]) },
                                refreshKeyring: options.refreshKeyring),
            events: EventRecorder(client: client, reportingController: "causeway.dev/evolution-controller",
                                  reportingInstance: options.identity),
            now: options.now)
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
    public func manager(leaderElection: LeaderElectionConfig?, health: (host: String, port: Int)?,
                        metrics: RuntimeMetrics = RuntimeMetrics()) -> Manager {
        informer.enqueue(into: queue, when: Self.notStatusOnly)
        let controller = Controller(name: "evolution", reconciler: reconciler, queue: queue, workers: options.workers, metrics: metrics)
        let elector = leaderElection.map { LeaderElector(client: home, config: $0, metrics: metrics) }
        return Manager(informers: [informer], controllers: [controller], elector: elector, eventRecorders: [reconciler.events],
                       metrics: metrics, health: health)
    }

    /// Stops the per-target watches and releases the ledgers' file locks.
    public func finish() {
        observed.stop()
        reconciler.ledgers.closeAll()
    }

    public func run() async {
        informer.enqueue(into: queue, when: Self.notStatusOnly)
        let controller = Controller(name: "evolution", reconciler: reconciler, queue: queue, workers: options.workers)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.informer.run() }
            group.addTask { await controller.run() }
            await group.waitForAll()
        }
        finish()
    }
}
