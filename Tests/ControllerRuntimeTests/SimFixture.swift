import KubeClient
import ControllerRuntime
import KubeJSON
import KubeSim

/// An in-process KubeSim over plain HTTP and an admin client for it; `stop()` at the end of each test.
struct SimFixture {
    let sim: KubeSim
    /// The test's own client, which retries so a test's writes survive injected faults.
    let client: KubeClient
    /// The informer's client: no retries of its own, so the informer's recovery is what is tested.
    let informerClient: KubeClient

    static func start(configure: (inout KubeSimOptions) -> Void = { _ in }) async throws -> SimFixture {
        var options = KubeSimOptions(name: "controller-runtime-test")
        options.tls = false
        configure(&options)
        let sim = try await KubeSim.start(options)
        let config = try KubeConfig.parse(sim.kubeconfig(token: "admin-token")).restConfig()
        var bare = config
        bare.retry = .none
        return SimFixture(sim: sim, client: try KubeClient(config: config), informerClient: try KubeClient(config: bare))
    }

    func stop() async { await sim.stop() }

    static func configMap(_ name: String, namespace: String = "default", data: JSON = [:], labels: JSON = [:]) -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels], "data": data]
    }

    /// Names and resourceVersions of every ConfigMap on the server, from a fresh list.
    func serverState(namespace: String = "default") async throws -> [String: String] {
        let list = try await client.listAll(.configMaps, namespace: namespace)
        return Dictionary(uniqueKeysWithValues: list.items.map {
            ($0[path: "metadata", "name"]!.stringValue!, $0[path: "metadata", "resourceVersion"]!.stringValue!)
        })
    }

    /// The same picture from a cache.
    static func cacheState(_ cache: ObjectCache) -> [String: String] {
        Dictionary(uniqueKeysWithValues: cache.list().map {
            ($0[path: "metadata", "name"]!.stringValue!, $0[path: "metadata", "resourceVersion"]!.stringValue!)
        })
    }
}
