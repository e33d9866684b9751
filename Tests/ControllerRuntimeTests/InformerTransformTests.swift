import ControllerRuntime
import KubeClient
import KubeJSON
import Synchronization
import Testing
import KubeSimTesting

@Suite(.serialized) struct InformerTransformTests {
    /// client-go's TransformStripManagedFields: a cache of objects the controller only
    /// reads the state of need not hold who wrote each field.
    @Test func aTransformShapesWhatIsCachedAndWhatHandlersSee() async throws {
        let fixture = try await SimCluster.start()
        _ = try await fixture.admin.create(.configMaps, SimCluster.configMap("listed", data: ["k": "v"]), namespace: "default")
        let informer = Informer(client: try fixture.informerClient(), resource: .configMaps, namespace: "default",
                                transform: Informer.stripManagedFields)
        let seen = Mutex<[JSON]>([])
        informer.addHandler { event in seen.withLock { $0.append(event.object) } }
        let run = Task { await informer.run() }
        try await eventually("synced") { informer.hasSynced }
        _ = try await fixture.admin.create(.configMaps, SimCluster.configMap("watched", data: ["k": "v"]), namespace: "default")
        try await eventually("watched object cached") { informer.cache.get(namespace: "default", name: "watched") != nil }
        let server = try await fixture.admin.get(.configMaps, name: "watched", namespace: "default")
        #expect(server[path: "metadata", "managedFields"] != nil)
        for name in ["listed", "watched"] {
            let cached = try #require(informer.cache.get(namespace: "default", name: name))
            #expect(cached[path: "metadata", "managedFields"] == nil)
            #expect(cached[path: "data", "k"] == "v")
            #expect(cached[path: "metadata", "resourceVersion"] != nil)
        }
        #expect(seen.withLock { $0 }.count == 2)
        #expect(seen.withLock { $0 }.allSatisfy { $0[path: "metadata", "managedFields"] == nil })
        run.cancel()
        await run.value
        await fixture.stop()
    }
}
