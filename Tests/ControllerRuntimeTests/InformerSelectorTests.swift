import ControllerRuntime
import KubeClient
import KubeJSON
import Testing
import KubeSimTesting

@Suite(.serialized) struct InformerSelectorTests {
    @Test func aLabelSelectedInformerRewatchesAfterTimeoutsWithoutRelisting() async throws {
        let fixture = try await SimCluster.start()
        let client = fixture.admin
        _ = try await client.create(.configMaps, SimCluster.configMap("web", labels: ["app": "web"]), namespace: "default")
        _ = try await client.create(.configMaps, SimCluster.configMap("db", labels: ["app": "db"]), namespace: "default")
        let informer = Informer(client: try fixture.informerClient(), resource: .configMaps, namespace: "default",
                                labelSelector: "app=web",
                                cache: ObjectCache(indexes: ["first-letter": { [String($0[path: "metadata", "name"]?.stringValue?.prefix(1) ?? "")] }]),
                                watchTimeoutSeconds: 1)
        #expect(!informer.hasSynced)
        let run = Task { await informer.run() }
        try await eventually("synced") { informer.hasSynced }
        #expect(informer.cache.keys == [ObjectKey(namespace: "default", name: "web")])

        // Watches end every second; the informer resumes from its resourceVersion each time.
        try await eventually("watched again after a normal end") { informer.stats.watches >= 3 }
        _ = try await client.create(.configMaps, SimCluster.configMap("web2", labels: ["app": "web"]), namespace: "default")
        _ = try await client.patch(.configMaps, name: "web", namespace: "default", .merge(["metadata": ["labels": ["app": "db"]]]))
        try await eventually("selector changes applied") { informer.cache.keys == [ObjectKey(namespace: "default", name: "web2")] }
        #expect(informer.cache.byIndex("first-letter", "w").count == 1)
        #expect(informer.cache.list(label: "app", value: "web").count == 1)
        run.cancel()
        await run.value
        await fixture.stop()
        #expect(informer.stats.lists == 1 && informer.stats.errors == 0, "\(informer.stats)")
    }
}
