import ControllerRuntime
import KubeClient
import KubeJSON
import KubeSim
import Synchronization
import Testing
import KubeSimTesting

/// Reconciles by reading the cache, slowly, and records what it saw.
private final class CacheReadingReconciler: Reconciler {
    struct Seen { var reconciles = 0; var lastValue: String? }
    let seen = Mutex(Seen())
    let cache: ObjectCache
    init(cache: ObjectCache) { self.cache = cache }

    func reconcile(_ key: ObjectKey) async -> ReconcileOutcome {
        let value = cache.get(key)?[path: "data", "n"]?.stringValue
        seen.withLock { $0.reconciles += 1; $0.lastValue = value }
        try? await Task.sleep(for: .milliseconds(50))
        return .done
    }
}

@Suite(.serialized) struct InformerSimTests {
    @Test func rapidUpdatesCoalesceAndTheReconcilerSeesTheFinalState() async throws {
        let fixture = try await SimCluster.start()
        let client = fixture.admin
        _ = try await client.create(.configMaps, SimCluster.configMap("hot", data: ["n": "start"]), namespace: "default")
        let informer = Informer(client: try fixture.informerClient(), resource: .configMaps, namespace: "default")
        let reconciler = CacheReadingReconciler(cache: informer.cache)
        let controller = Controller(name: "hot", reconciler: reconciler, workers: 2)
        informer.enqueue(into: controller.queue)
        var patching = Duration.zero
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await informer.run() }
            group.addTask { await controller.run() }
            try await eventually("synced") { informer.hasSynced }
            let began = ContinuousClock.now
            for i in 1...1000 {
                _ = try await client.patch(.configMaps, name: "hot", namespace: "default", .merge(["data": ["n": .string("\(i)")]]))
            }
            patching = ContinuousClock.now - began
            try await eventually("final state reconciled") {
                reconciler.seen.withLock { $0.lastValue } == "1000" && controller.queue.count == 0 && controller.queue.processingCount == 0
            }
            controller.stop()
            group.cancelAll()
        }
        await fixture.stop()
        let seen = reconciler.seen.withLock { $0 }
        #expect(seen.lastValue == "1000")
        // One key is never reconciled twice at once, so a 50 ms reconcile bounds the count by the time
        // the updates took (on a loaded machine, seconds); updates that came meanwhile were folded.
        let bound = Int(patching / .milliseconds(50)) + 3
        #expect(seen.reconciles <= bound && seen.reconciles < 500, "\(seen.reconciles) reconciles for 1,000 updates in \(patching)")
        print("coalescing: 1000 updates -> \(seen.reconciles) reconciles; informer \(informer.stats)")
    }

    @Test func aRelistAfterAGapLeavesTheCacheEqualToTheServer() async throws {
        let fixture = try await SimCluster.start { $0.historyWindow = 20 }
        let client = fixture.admin
        for i in 0..<30 {
            _ = try await client.create(.configMaps, SimCluster.configMap("cm\(i)", data: ["v": "0"]), namespace: "default")
        }
        // Watches are cut every 5 events, so the informer re-watches mid-stream all the time.
        fixture.sim.injectFaults([FaultRule(methods: ["GET"], pathContains: "/configmaps", rate: 1, effect: .closeWatchAfter(events: 5))])
        let informer = Informer(client: try fixture.informerClient(), resource: .configMaps, namespace: "default")
        let deletedSeen = Mutex(Set<String>())
        informer.addHandler { event in
            if case .deleted(let object) = event { deletedSeen.withLock { _ = $0.insert(object[path: "metadata", "name"]!.stringValue!) } }
        }
        // First run: sync, and follow some changes live.
        let first = Task { await informer.run() }
        try await eventually("synced") { informer.hasSynced }
        for i in 0..<10 {
            _ = try await client.patch(.configMaps, name: "cm\(i)", namespace: "default", .merge(["data": ["v": "1"]]))
        }
        try await eventually("live changes seen") { informer.cache.get(namespace: "default", name: "cm9")?[path: "data", "v"] == "1" }
        first.cancel()
        await first.value

        // The gap: far more than the history window of changes, deletions included.
        for i in 10..<20 { _ = try await client.delete(.configMaps, name: "cm\(i)", namespace: "default") }
        for i in 20..<30 {
            _ = try await client.patch(.configMaps, name: "cm\(i)", namespace: "default", .merge(["data": ["v": "2"]]))
        }
        for i in 30..<40 {
            _ = try await client.create(.configMaps, SimCluster.configMap("cm\(i)"), namespace: "default")
        }

        let second = Task { await informer.run() }
        try await eventually("relisted") { informer.stats.tooOldRelists >= 1 }
        // Changes after the relist still arrive over the (repeatedly cut) watch.
        for i in Array(0..<10) + [20, 21] { _ = try await client.patch(.configMaps, name: "cm\(i)", namespace: "default", .merge(["data": ["v": "3"]])) }
        _ = try await client.delete(.configMaps, name: "cm39", namespace: "default")
        let server = try await fixture.serverState()
        try await eventually("cache equals server") { SimCluster.cacheState(informer.cache) == server }
        second.cancel()
        await second.value
        await fixture.stop()

        #expect(SimCluster.cacheState(informer.cache) == server)
        #expect(Set((10..<20).map { "cm\($0)" } + ["cm39"]).isSubset(of: deletedSeen.withLock { $0 }),
                "handlers heard of deletions made during the gap")
        #expect(informer.cache.count == 29)
        print("relist: \(informer.stats)")
    }

    @Test func theCacheConvergesDespiteServerErrorsAndDroppedWatches() async throws {
        let fixture = try await SimCluster.start { $0.historyWindow = 50 }
        let client = fixture.admin
        fixture.sim.injectFaults([
            FaultRule(methods: ["GET"], pathContains: "/configmaps", rate: 0.1, effect: .error(code: 503)),
            FaultRule(methods: ["GET"], pathContains: "/configmaps", rate: 0.05, effect: .tooManyRequests(retryAfterSeconds: 1)),
            FaultRule(methods: ["GET"], pathContains: "/configmaps", rate: 1, effect: .closeWatchAfter(events: 3)),
        ])
        let informer = Informer(client: try fixture.informerClient(), resource: .configMaps, namespace: "default",
                                backoff: Backoff(base: .milliseconds(5), cap: .milliseconds(200), jitter: 0.5))
        let run = Task { await informer.run() }
        try await eventually("synced") { informer.hasSynced }
        for round in 0..<10 {
            for i in 0..<20 {
                let name = "cm\(i)"
                if (i + round) % 4 == 0 {
                    _ = try? await client.delete(.configMaps, name: name, namespace: "default")
                } else if (try? await client.patch(.configMaps, name: name, namespace: "default",
                                                   .merge(["data": ["round": .string("\(round)")]]))) == nil {
                    _ = try? await client.create(.configMaps, SimCluster.configMap(name, data: ["round": .string("\(round)")]),
                                                 namespace: "default")
                }
            }
        }
        let server = try await fixture.serverState()
        try await eventually("cache equals server") { SimCluster.cacheState(informer.cache) == server }
        run.cancel()
        await run.value
        await fixture.stop()
        #expect(SimCluster.cacheState(informer.cache) == server)
        #expect(informer.stats.watches > 1, "watches were cut and resumed")
        #expect(informer.stats.errors > 0, "injected errors were met and survived")
        print("faults: \(informer.stats)")
    }
}
