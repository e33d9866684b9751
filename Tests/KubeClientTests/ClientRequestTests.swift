import Testing
import KubeJSON
import LoopbackHTTP
@testable import KubeClient

/// Exact-request tests: what goes over the wire for every verb.
struct ClientRequestTests {
    static let cm = APIResource.configMaps

    func client(_ server: LoopbackHTTPServer, token: String? = "s3cret-token") throws -> KubeClient {
        var config = RESTConfig(server: server.url)
        config.namespace = "team-a"
        if let token { config.credentials = .token(token) }
        config.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))
        return try KubeClient(config: config)
    }

    func echoServer() throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request in
            .json(200, #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","resourceVersion":"7"}}"#)
        }
    }

    @Test func getSendsPathHeadersAndToken() async throws {
        let server = try echoServer()
        defer { server.stop() }
        let object = try await client(server).get(Self.cm, name: "a")
        #expect(object[path: "metadata", "resourceVersion"] == "7")
        let r = try #require(server.requests.first)
        #expect(r.method == "GET")
        #expect(r.path == "/api/v1/namespaces/team-a/configmaps/a")
        #expect(r.query == "")
        #expect(r.header("Authorization") == "Bearer s3cret-token")
        #expect(r.header("User-Agent") == "causeway/\(CausewayVersion.current)")
        #expect(r.header("Accept") == "application/json")
    }

    @Test func listEncodesSelectorsAndPaging() async throws {
        let server = try LoopbackHTTPServer { _ in
            .json(200, #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"42","continue":"tok"},"items":[{"metadata":{"name":"x"}}]}"#)
        }
        defer { server.stop() }
        let page = try await client(server).list(Self.cm, namespace: "ns1", options: ListOptions(
            labelSelector: "app in (a,b),!legacy", fieldSelector: "metadata.name=x", limit: 10, resourceVersion: "0"))
        #expect(page.items.count == 1)
        #expect(page.resourceVersion == "42")
        #expect(page.continueToken == "tok")
        let r = try #require(server.requests.first)
        #expect(r.path == "/api/v1/namespaces/ns1/configmaps")
        #expect(r.query == "labelSelector=app%20in%20%28a%2Cb%29%2C%21legacy&fieldSelector=metadata.name%3Dx&limit=10&resourceVersion=0")
        #expect(r.queryItems.first?.1 == "app in (a,b),!legacy")
    }

    @Test func listAllFollowsContinueTokens() async throws {
        let server = try LoopbackHTTPServer { request in
            request.query.contains("continue=p2")
                ? .json(200, #"{"metadata":{"resourceVersion":"9"},"items":[{"n":2}]}"#)
                : .json(200, #"{"metadata":{"resourceVersion":"9","continue":"p2"},"items":[{"n":1}]}"#)
        }
        defer { server.stop() }
        let all = try await client(server).listAll(Self.cm, namespace: "x", options: ListOptions(limit: 1))
        #expect(all.items == [["n": 1], ["n": 2]])
        #expect(server.requests.count == 2)
    }

    @Test func createUpdateAndStatusWrites() async throws {
        let server = try echoServer()
        defer { server.stop() }
        let c = try client(server)
        let object: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "ns2", "resourceVersion": "5"]]
        _ = try await c.create(Self.cm, object, options: WriteOptions(dryRun: true, fieldManager: "causeway", fieldValidation: "Strict"))
        _ = try await c.update(Self.cm, object)
        _ = try await c.updateStatus(APIResource.deployments, object)
        let r = server.requests
        #expect(r.map(\.method) == ["POST", "PUT", "PUT"])
        #expect(r[0].path == "/api/v1/namespaces/ns2/configmaps")
        #expect(r[0].query == "dryRun=All&fieldManager=causeway&fieldValidation=Strict")
        #expect(r[0].header("Content-Type") == "application/json")
        #expect(try JSON.parse(r[0].body) == object)
        #expect(r[1].path == "/api/v1/namespaces/ns2/configmaps/a")
        #expect(r[2].path == "/apis/apps/v1/namespaces/ns2/deployments/a/status")
    }

    @Test func patchFlavoursUseTheirContentTypes() async throws {
        let server = try echoServer()
        defer { server.stop() }
        let c = try client(server)
        _ = try await c.patch(Self.cm, name: "a", .merge(["data": ["k": "v"]]))
        _ = try await c.patch(Self.cm, name: "a", .json([["op": "remove", "path": "/data/k"]]))
        _ = try await c.patch(Self.cm, name: "a", .strategicMerge(["data": nil]))
        _ = try await c.apply(Self.cm, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "n"]],
                              fieldManager: "causeway", force: true)
        _ = try await c.patch(APIResource.deployments, name: "d", .merge(["status": ["ready": true]]), subresource: "status")
        let r = server.requests
        #expect(r.map { $0.header("Content-Type") ?? "" } == [
            "application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json",
            "application/apply-patch+yaml", "application/merge-patch+json"])
        #expect(r.allSatisfy { $0.method == "PATCH" })
        #expect(String(decoding: r[1].body, as: UTF8.self) == #"[{"op":"remove","path":"/data/k"}]"#)
        #expect(r[3].path == "/api/v1/namespaces/n/configmaps/a")
        #expect(r[3].query == "fieldManager=causeway&force=true")
        #expect(r[4].path == "/apis/apps/v1/namespaces/team-a/deployments/d/status")
        await #expect(throws: KubeClientError.self) {
            try await c.patch(Self.cm, name: "a", .apply(["metadata": ["name": "a"]], force: false))
        }
    }

    @Test func deleteSendsOptionsAndClusterScopedPaths() async throws {
        let server = try echoServer()
        defer { server.stop() }
        let c = try client(server)
        try await c.delete(Self.cm, name: "a", options: DeleteOptions(propagationPolicy: .foreground, preconditionUID: "u-1"))
        try await c.delete(APIResource.namespaces, name: "ns", namespace: "ignored")
        let r = server.requests
        #expect(r[0].method == "DELETE")
        #expect(try JSON.parse(r[0].body) == ["propagationPolicy": "Foreground", "preconditions": ["uid": "u-1"],
                                              "kind": "DeleteOptions", "apiVersion": "v1"])
        #expect(r[1].path == "/api/v1/namespaces/ns")
        #expect(r[1].body.isEmpty)
    }

    @Test func noTokenMeansNoAuthorizationHeader() async throws {
        let server = try echoServer()
        defer { server.stop() }
        _ = try await client(server, token: nil).get(Self.cm, name: "a")
        #expect(server.requests.first?.header("Authorization") == nil)
    }

    @Test func discoveryMapsKindsAndRefreshesOnMiss() async throws {
        let server = try LoopbackHTTPServer { request in
            switch request.path {
            case "/apis/gw.example/v1":
                return .json(200, #"{"kind":"APIResourceList","groupVersion":"gw.example/v1","resources":[{"name":"policies","namespaced":true,"kind":"Policy"},{"name":"policies/status","namespaced":true,"kind":"Policy"}]}"#)
            default:
                return .full(status: 404, headers: [("Content-Type", "text/plain")], body: Array("404 page not found\n".utf8))
            }
        }
        defer { server.stop() }
        let c = try client(server)
        let r = try await c.resource(apiVersion: "gw.example/v1", kind: "Policy")
        #expect(r == APIResource(group: "gw.example", version: "v1", name: "policies", kind: "Policy", namespaced: true))
        _ = try await c.resource(apiVersion: "gw.example/v1", kind: "Policy")
        #expect(server.requests.count == 1)  // cached
        await #expect(throws: KubeClientError.self) { try await c.resource(apiVersion: "nope.example/v1", kind: "X") }
    }
}
