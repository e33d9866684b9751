import ControllerRuntime
import Foundation
import KubeClient
import KubeJSON
import Synchronization
import Testing
import KubeSimTesting

/// A reconciler that takes `pause` per key and reports whether it was cut short.
private final class SlowReconciler: Reconciler {
    struct Log { var started = 0; var finished = 0; var cancelled = 0 }
    let log = Mutex(Log())
    let pause: Duration

    init(pause: Duration) { self.pause = pause }

    func reconcile(_ key: ObjectKey) async -> ReconcileOutcome {
        log.withLock { $0.started += 1 }
        try? await Task.sleep(for: pause)
        log.withLock { if Task.isCancelled { $0.cancelled += 1 } else { $0.finished += 1 } }
        return .done
    }

    var snapshot: Log { log.withLock { $0 } }
}

@Suite(.serialized) struct ManagerTests {
    @Test func shutdownDuringASlowReconcileLetsItFinishAndReleasesTheLease() async throws {
        let fixture = try await SimCluster.start()
        let metrics = RuntimeMetrics()
        let informer = Informer(client: try fixture.informerClient(), resource: .configMaps, namespace: "default", metrics: metrics)
        let reconciler = SlowReconciler(pause: .milliseconds(800))
        let controller = Controller(name: "slow", reconciler: reconciler, metrics: metrics)
        informer.enqueue(into: controller.queue)
        let elector = LeaderElector(client: fixture.admin, config: LeaderElectionTests.config("manager"), metrics: metrics)
        let manager = Manager(informers: [informer], controllers: [controller], elector: elector, metrics: metrics,
                              shutdownGracePeriod: .seconds(20))
        let run = Task { try await manager.run() }

        try await eventually("leading and synced") { manager.readiness == .ready }
        let client = try healthClient(try #require(manager.healthServer))
        #expect(await get(client, "/readyz").status == 200)
        _ = try await fixture.admin.create(.configMaps, SimCluster.configMap("slow-one"))
        try await eventually("reconcile started") { reconciler.snapshot.started == 1 }

        let stopped = ContinuousClock.now
        manager.shutdown()
        #expect(manager.readiness == .notReady("shutting down"))
        let exit = try await run.value
        let took = ContinuousClock.now - stopped

        #expect(exit == .shutdown)
        let log = reconciler.snapshot
        #expect(log.finished == 1 && log.cancelled == 0, "the in-flight reconcile ran to completion: \(log)")
        #expect(took < .seconds(10), "returned well before the grace period: \(took)")
        let lease = try await fixture.admin.get(.leases, name: "causeway-leader", namespace: "default")
        #expect(lease[path: "spec", "holderIdentity"]?.stringValue ?? "" == "", "Lease released")
        #expect(!elector.isLeader)
        let text = metrics.registry.render()
        #expect(sample(text, "causeway_reconcile_total{controller=\"slow\",outcome=\"done\"}") == 1)
        #expect(sample(text, "causeway_reconcile_duration_seconds_count{controller=\"slow\"}") == 1)
        #expect((sample(text, "causeway_api_request_duration_seconds_count{verb=\"PUT\",code=\"200\"}") ?? 0) >= 1, "Lease writes timed")
        #expect(sample(text, "causeway_leader_election_is_leader{lease=\"default/causeway-leader\"}") == 0)
        #expect(await get(client, "/healthz").status == -1, "the health server stopped")
        await fixture.stop()
    }

    @Test func reconcilesStillRunningAtTheDeadlineAreCancelled() async throws {
        let fixture = try await SimCluster.start()
        let informer = Informer(client: try fixture.informerClient(), resource: .configMaps, namespace: "default")
        let reconciler = SlowReconciler(pause: .seconds(60))
        let controller = Controller(name: "stuck", reconciler: reconciler)
        informer.enqueue(into: controller.queue)
        let manager = Manager(informers: [informer], controllers: [controller], health: nil,
                              shutdownGracePeriod: .milliseconds(200))
        let run = Task { try await manager.run() }
        _ = try await fixture.admin.create(.configMaps, SimCluster.configMap("stuck-one"))
        try await eventually("reconcile started") { reconciler.snapshot.started == 1 }
        manager.shutdown()
        let exit = try await run.value
        #expect(exit == .shutdown)
        #expect(reconciler.snapshot.cancelled == 1, "cut short at the deadline")
        await fixture.stop()
    }

    @Test func aStandbyThatNeverLeadsStopsAtOnce() async throws {
        let fixture = try await SimCluster.start()
        let holder = LeaderElector(client: fixture.admin, config: LeaderElectionTests.config("holder"))
        let holding = Task { await holder.run { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) } } }
        try await eventually("holder leads") { holder.isLeader }
        let standby = LeaderElector(client: fixture.admin, config: LeaderElectionTests.config("standby"))
        let controller = Controller(name: "idle", reconciler: SlowReconciler(pause: .zero))
        let manager = Manager(informers: [], controllers: [controller], elector: standby, standbyIsReady: true,
                              shutdownGracePeriod: .seconds(20))
        let run = Task { try await manager.run() }
        try await eventually("serving") { manager.healthServer?.port != nil }
        #expect(manager.readiness == .ready, "a standby configured as ready")
        let stopped = ContinuousClock.now
        manager.shutdown()
        #expect(try await run.value == .shutdown)
        #expect(ContinuousClock.now - stopped < .seconds(5), "the campaign ended without waiting the grace period")
        let lease = try await fixture.admin.get(.leases, name: "causeway-leader", namespace: "default")
        #expect(lease[path: "spec", "holderIdentity"] == "holder", "a standby never touches the holder's Lease")
        holding.cancel()
        await holding.value
        await fixture.stop()
    }

    /// Safe for the rest of the process: SIGTERM is sent only once `runUntilSignalled` has set it to be
    /// ignored (the health server starts after that), and `run` returns only after the signal was taken.
    @Test func sigtermShutsDownGracefully() async throws {
        let controller = Controller(name: "signalled", reconciler: SlowReconciler(pause: .zero))
        let manager = Manager(informers: [], controllers: [controller], shutdownGracePeriod: .seconds(20))
        let run = Task { try await manager.runUntilSignalled() }
        try await eventually("serving") { manager.healthServer?.port != nil }
        kill(getpid(), SIGTERM)
        let exit = try await withThrowingTaskGroup(of: Manager.Exit?.self) { group in
            group.addTask { try await run.value }
            group.addTask { try await Task.sleep(for: .seconds(10)); return nil }
            let first = try await group.next() ?? nil
            group.cancelAll()
            if first == nil { manager.shutdown(); _ = try await run.value }
            return first
        }
        #expect(exit == .shutdown, "SIGTERM reached the manager")
        #expect(controller.queue.isShuttingDown)
    }

    @Test func withoutControllersItServesUntilShutdown() async throws {
        let manager = Manager(informers: [], controllers: [])
        let run = Task { try await manager.run() }
        try await eventually("serving") { manager.healthServer?.port != nil }
        try await Task.sleep(for: .milliseconds(50))
        #expect(manager.readiness == .ready)
        manager.shutdown()
        #expect(try await run.value == .shutdown)
    }
}
