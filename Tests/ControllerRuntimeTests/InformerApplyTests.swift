@testable import KubeClient
import KubeJSON
import Synchronization
import Testing
@testable import ControllerRuntime

/// The informer's event application, without a server.
@Suite struct InformerApplyTests {
    static func informer() throws -> Informer {
        try Informer(client: KubeClient(config: RESTConfig(server: "http://127.0.0.1:9")), resource: .configMaps)
    }

    static func event(_ type: WatchEvent.EventType, _ name: String?, rv: String, generation: Int64 = 1) -> WatchEvent {
        var metadata: JSON = ["namespace": "ns", "resourceVersion": .string(rv), "generation": .int(generation)]
        if let name { metadata["name"] = .string(name) }
        return WatchEvent(type: type, object: ["metadata": metadata])
    }

    @Test func olderEventsNeverResurrectOrRegressTheCache() throws {
        let informer = try Self.informer()
        informer.apply(Self.event(.added, "a", rv: "10"))
        informer.apply(Self.event(.modified, "a", rv: "9"))
        informer.apply(Self.event(.modified, "a", rv: "10"))
        #expect(informer.cache.get(namespace: "ns", name: "a")?[path: "metadata", "resourceVersion"] == "10")
        informer.apply(Self.event(.deleted, "a", rv: "8"))
        #expect(informer.cache.count == 1, "a delete older than the cached object is stale")
        informer.apply(Self.event(.deleted, "a", rv: "11"))
        #expect(informer.cache.count == 0)
        #expect(informer.stats.staleEvents == 3)
        #expect(informer.stats.resourceVersion == "11")
    }

    /// Read-your-writes: what this process wrote is read back until the watch delivers that
    /// version (or a newer one); an older write, or a deleted object, is not.
    @Test func anAssumedWriteIsReadUntilTheWatchCatchesUp() throws {
        let informer = try Self.informer()
        func rv() -> JSON? { informer.cache.get(namespace: "ns", name: "a")?[path: "metadata", "resourceVersion"] }
        informer.apply(Self.event(.added, "a", rv: "10"))
        informer.cache.assume(Self.event(.modified, "a", rv: "12").object)
        #expect(rv() == "12")
        informer.apply(Self.event(.modified, "a", rv: "11"))
        #expect(rv() == "12", "the watch has not reached the write yet")
        informer.apply(Self.event(.modified, "a", rv: "12"))
        #expect(rv() == "12" && informer.cache.storage.withLock { $0.assumed.isEmpty })
        informer.cache.assume(Self.event(.modified, "a", rv: "7").object)
        #expect(rv() == "12", "an older write is not assumed")
        informer.cache.assume(Self.event(.modified, "a", rv: "13").object)
        informer.apply(Self.event(.deleted, "a", rv: "14"))
        #expect(informer.cache.get(namespace: "ns", name: "a") == nil)
    }

    @Test func objectsWithoutANameAreSkippedAndCounted() throws {
        let informer = try Self.informer()
        informer.apply(Self.event(.added, nil, rv: "5"))
        informer.apply(WatchEvent(type: .added, object: "not an object"))
        informer.apply(Self.event(.added, "ok", rv: "6"))
        #expect(informer.stats.skippedObjects == 2)
        #expect(informer.cache.count == 1)
    }

    @Test func bookmarksOnlyAdvanceTheResourceVersion() throws {
        let informer = try Self.informer()
        informer.apply(WatchEvent(type: .bookmark, object: ["kind": "ConfigMap", "metadata": ["resourceVersion": "42"]]))
        #expect(informer.stats.resourceVersion == "42" && informer.cache.count == 0 && informer.stats.skippedObjects == 0)
    }

    @Test func theGenerationPredicateDropsStatusOnlyUpdates() async throws {
        let informer = try Self.informer()
        let queue = WorkQueue(clock: ManualClock())
        informer.enqueue(into: queue, when: EventPredicates.generationChanged)
        informer.apply(Self.event(.added, "a", rv: "1", generation: 1))
        #expect(queue.count == 1)
        if let taken = await queue.get() { queue.done(taken) }
        informer.apply(Self.event(.modified, "a", rv: "2", generation: 1))
        #expect(queue.count == 0, "status-only update dropped")
        informer.apply(Self.event(.modified, "a", rv: "3", generation: 2))
        #expect(queue.count == 1)
    }
}
