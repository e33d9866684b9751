import Foundation

/// How one simulated API server behaves.
public struct KubeSimOptions: Sendable {
    /// A name for logs and the kubeconfig context ("us-east").
    public var name = "kubesim"
    /// 0 picks a free port.
    public var port = 0
    /// HTTPS with a CA of its own (kubectl sends tokens only over TLS); false serves plain HTTP for tests.
    public var tls = true
    /// Bearer tokens and who they belong to.
    public var tokens: [String: SimUser] = ["admin-token": SimUser(name: "admin", groups: ["system:masters", "system:authenticated"])]
    /// Static access rules by user name, or "group:NAME" for a group, evaluated before the RBAC
    /// objects (Roles, ClusterRoles and their bindings) the server stores. system:masters may do
    /// anything; the bootstrap ClusterRoleBinding `cluster-admin` says so in RBAC as well.
    public var rules: [String: [AccessRule]] = ["group:system:masters": [.all]]
    /// How many changes the watch cache remembers; watches from before it get "too old resource version".
    public var historyWindow = 10_000
    /// Keep a record of every request (see `KubeSim.requestLog`): what benchmarks count
    /// requests by; off by default, since it grows with every request.
    public var recordRequests = false
    /// Largest request body accepted (413 beyond, as the real 3 MiB limit).
    public var maxRequestBytes = 3 * 1024 * 1024
    /// How often watchers that asked for bookmarks get one.
    public var bookmarkInterval: Duration = .seconds(60)
    /// Deletes what a terminating namespace holds, then the namespace (the real namespace controller's job).
    public var namespaceController = true
    /// Deletes objects whose owners are gone (the real garbage collector's job).
    public var garbageCollector = true
    /// Gives every namespace a "default" ServiceAccount (the real ServiceAccount controller's job).
    public var serviceAccountController = true
    public var clock: @Sendable () -> Date = { Date() }
    /// Keeps state across restarts: loaded at start, saved within a second of each change and on stop
    /// (`StoreSnapshot`). nil keeps everything in memory only.
    public var dataDirectory: String?
    /// The simulated workload controllers of this instance.
    public var simulation = SimulationOptions()
    /// Where admission webhooks that name a Service (`clientConfig.service`) are reached:
    /// `"namespace/name:port"` → `"host:port"` (a real cluster resolves the Service; KubeSim has
    /// no network of its own). Webhooks with a `url` need nothing here.
    public var serviceEndpoints: [String: String] = [:]

    public init(name: String = "kubesim") {
        self.name = name
    }
}
