import KubeClient
import ControllerRuntime
import KubeJSON
import KubeSim
import KubeSimTesting

/// The suite's cluster: plain HTTP, and a test client that retries so a test's writes survive injected faults.
extension SimCluster {
    static func start(configure: (inout KubeSimOptions) -> Void = { _ in }) async throws -> SimCluster {
        try await start("controller-runtime-test", retry: RetryPolicy(), configure: configure)
    }

    /// The informer's client: no retries of its own, so the informer's recovery is what is tested.
    func informerClient() throws -> KubeClient { try client() }

    static func configMap(_ name: String, namespace: String = "default", data: JSON = [:], labels: JSON = [:]) -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels], "data": data]
    }

    /// Names and resourceVersions of every ConfigMap on the server, from a fresh list.
    func serverState(namespace: String = "default") async throws -> [String: String] {
        let list = try await admin.listAll(.configMaps, namespace: namespace)
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
