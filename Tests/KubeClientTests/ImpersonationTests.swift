import Testing
import KubeJSON
import LoopbackHTTP
@testable import KubeClient

/// Impersonation goes over the wire as client-go's round tripper sends it, on
/// every verb and on watches, and a derived client shares its parent's transport.
struct ImpersonationTests {
    func client(_ server: LoopbackHTTPServer) throws -> KubeClient {
        var config = RESTConfig(server: server.url)
        config.credentials = .token("controller-token")
        config.retry = .none
        return try KubeClient(config: config)
    }

    @Test func aServiceAccountIsNamedByUserAloneAndTheTokenStaysTheControllers() async throws {
        let server = try LoopbackHTTPServer { _ in .json(200, #"{"metadata":{"name":"a"}}"#) }
        defer { server.stop() }
        let base = try client(server)
        let tenant = base.impersonating(.serviceAccount(namespace: "team-a", name: "deployer"))
        _ = try await tenant.get(.configMaps, name: "a", namespace: "team-a")
        _ = try await tenant.apply(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "team-a"]],
                                   fieldManager: "causeway")
        _ = try await base.get(.configMaps, name: "a", namespace: "team-a")
        let requests = server.requests
        #expect(requests.count == 3)
        for r in requests.prefix(2) {
            #expect(r.header("Impersonate-User") == "system:serviceaccount:team-a:deployer")
            #expect(r.header("Impersonate-Group") == nil)
            #expect(r.header("Authorization") == "Bearer controller-token")
        }
        #expect(requests[2].header("Impersonate-User") == nil, "the parent client acts as itself")
        #expect(tenant.loop === base.loop, "one transfer thread per server, not per identity")
    }

    @Test func groupsUidAndExtrasAreOneHeaderEachWithEscapedKeys() async throws {
        let server = try LoopbackHTTPServer { _ in .json(200, #"{"metadata":{"name":"a"}}"#) }
        defer { server.stop() }
        let who = Impersonation(user: "alice", uid: "u-1", groups: ["devs", "ops"],
                                extra: ["example.com/scopes": ["read", "write"]])
        _ = try await client(server).impersonating(who).get(.configMaps, name: "a", namespace: "x")
        let r = try #require(server.requests.first)
        let lines = r.headers.map { "\($0.0.lowercased()): \($0.1)" }.filter { $0.hasPrefix("impersonate") }
        #expect(lines == ["impersonate-user: alice", "impersonate-uid: u-1", "impersonate-group: devs", "impersonate-group: ops",
                          "impersonate-extra-example.com%2fscopes: read", "impersonate-extra-example.com%2fscopes: write"])
        #expect(Impersonation.escapeHeaderKey("a b%c") == "a%20b%25c")
    }

    @Test func watchesCarryTheIdentity() async throws {
        let server = try LoopbackHTTPServer { _ in .json(200, "") }
        defer { server.stop() }
        let stream = try client(server).impersonating(.serviceAccount(namespace: "ns", name: "sa"))
            .watch(.configMaps, namespace: "ns")
        for try await _ in stream {}
        let r = try #require(server.requests.first)
        #expect(r.query.hasPrefix("watch=1"))
        #expect(r.header("Impersonate-User") == "system:serviceaccount:ns:sa")
    }

    @Test func aKubeconfigAsFieldImpersonates() throws {
        let config = try KubeConfig.parse("""
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k.example:6443"}}]
            users: [{name: u, user: {token: t, as: bob, as-groups: [devs], as-uid: "7"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """).restConfig()
        #expect(config.impersonate == Impersonation(user: "bob", uid: "7", groups: ["devs"]))
        #expect(config.description.contains("as: bob"))
    }
}
