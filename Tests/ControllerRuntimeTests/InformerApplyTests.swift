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

    @Test func theGenerationPredicateDropsStatusOnlyUpdates() throws {
        let informer = try Self.informer()
        let queue = WorkQueue(clock: ManualClock())
        informer.enqueue(into: queue, when: EventPredicates.generationChanged)
        informer.apply(Self.event(.added, "a", rv: "1", generation: 1))
        #expect(queue.count == 1)
        _ = queue.state.withLock { $0.queue.popFirst() }
        queue.state.withLock { $0.dirty = [] }
        informer.apply(Self.event(.modified, "a", rv: "2", generation: 1))
        #expect(queue.count == 0, "status-only update dropped")
        informer.apply(Self.event(.modified, "a", rv: "3", generation: 2))
        #expect(queue.count == 1)
    }
}
