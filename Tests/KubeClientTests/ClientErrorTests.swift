import Synchronization
import Testing
import KubeJSON
import LoopbackHTTP
@testable import KubeClient

struct ClientErrorTests {
    func client(_ url: String, attempts: Int = 3) throws -> KubeClient {
        var config = RESTConfig(server: url)
        config.credentials = .token("never-printed-token")
        config.retry = RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))
        return try KubeClient(config: config)
    }

    @Test func statusBodiesBecomeTypedErrors() async throws {
        let server = try LoopbackHTTPServer { _ in
            .json(422, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Evolution.causeway.dev \"e\" is invalid: spec.steps[0].name: Required value","reason":"Invalid","details":{"name":"e","kind":"Evolution","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.steps[0].name"}]},"code":422}"#)
        }
        defer { server.stop() }
        let error = await #expect(throws: KubeClientError.self) {
            try await client(server.url).create(.configMaps, ["metadata": ["name": "e"]], namespace: "n")
        }
        guard case .api(let status) = error else { Issue.record("expected an API error"); return }
        #expect(status.code == 422)
        #expect(status.reason == "Invalid")
        #expect(status.causes == [.init(reason: "FieldValueRequired", message: "Required value", field: "spec.steps[0].name")])
        #expect(status.description.contains("POST \(server.url)/api/v1/namespaces/n/configmaps: 422 Invalid"))
        #expect(!String(describing: error!).contains("never-printed-token"))
    }

    @Test func plainTextNotFoundIsHandled() async throws {
        let server = try LoopbackHTTPServer { _ in
            .full(status: 404, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("404 page not found\n".utf8))
        }
        defer { server.stop() }
        let error = await #expect(throws: KubeClientError.self) { try await client(server.url).get(.configMaps, name: "x") }
        #expect(error?.isNotFound == true)
        guard case .api(let status) = error else { return }
        #expect(status.reason == "NotFound")
        #expect(status.message == "404 page not found")
    }

    @Test func readsRetryServerErrorsButWritesDoNot() async throws {
        let attempts = AttemptCounter()
        let server = try LoopbackHTTPServer { request in
            attempts.next(request.method) > 2
                ? .json(200, #"{"kind":"ConfigMap","metadata":{"name":"a"}}"#)
                : .json(503, #"{"kind":"Status","code":503,"reason":"ServiceUnavailable","message":"etcd busy"}"#)
        }
        defer { server.stop() }
        let c = try client(server.url)
        _ = try await c.get(.configMaps, name: "a")
        #expect(server.requests.filter { $0.method == "GET" }.count == 3)
        await #expect(throws: KubeClientError.self) { try await c.create(.configMaps, ["metadata": ["name": "a"]]) }
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test func tooManyRequestsIsRetriedForWritesHonouringRetryAfter() async throws {
        let attempts = AttemptCounter()
        let server = try LoopbackHTTPServer { request in
            attempts.next(request.method) > 1
                ? .json(201, #"{"kind":"ConfigMap","metadata":{"name":"a"}}"#)
                : .full(status: 429, headers: [("Retry-After", "1"), ("Content-Type", "application/json")],
                        body: Array(#"{"kind":"Status","code":429,"reason":"TooManyRequests","message":"slow down"}"#.utf8))
        }
        defer { server.stop() }
        let start = ContinuousClock.now
        _ = try await client(server.url).create(.configMaps, ["metadata": ["name": "a"]], namespace: "n")
        #expect(server.requests.count == 2)
        #expect(ContinuousClock.now - start >= .seconds(1))
    }

    @Test func connectionRefusedIsATypedTransportError() async throws {
        let server = try LoopbackHTTPServer { _ in .json(200, "{}") }
        let url = server.url
        server.stop()
        let error = await #expect(throws: KubeClientError.self) { try await client(url, attempts: 1).get(.configMaps, name: "a") }
        guard case .transport(let t) = error else { Issue.record("expected a transport error, got \(String(describing: error))"); return }
        #expect(t.kind == .connectionRefused)
        #expect(t.url.hasPrefix(url))
    }

    @Test func invalidServerURLIsAConfigurationError() {
        #expect(throws: KubeClientError.self) { try KubeClient(config: RESTConfig(server: "ftp://x")) }
    }

    @Test func backoffIsCappedAndGrows() {
        let p = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(5), maxDelay: .seconds(1), jitter: 0.5)
        #expect(p.delay(afterAttempt: 1) == .milliseconds(5))
        #expect(p.delay(afterAttempt: 2) == .milliseconds(10))
        #expect(p.delay(afterAttempt: 4) == .milliseconds(40))
        #expect(p.delay(afterAttempt: 20) == .seconds(1))
        #expect(p.jitteredDelay(afterAttempt: 1, random: 0.999) < .milliseconds(8))
        #expect(p.jitteredDelay(afterAttempt: 1, random: 0) == .milliseconds(5))
    }

    @Test func rateLimiterSpacesRequestsAfterTheBurst() {
        let start = ContinuousClock.now
        let limiter = RateLimiter(qps: 10, burst: 2, now: start)
        #expect(limiter.reserve(now: start) == .zero)
        #expect(limiter.reserve(now: start) == .zero)
        let third = limiter.reserve(now: start)
        #expect(third > .milliseconds(99) && third <= .milliseconds(101))
        #expect(limiter.reserve(now: start + .seconds(1)) == .zero)
    }
}

/// Counts requests per key, so a handler can fail the first N and then succeed.
final class AttemptCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func next(_ key: String) -> Int {
        counts.withLock { c in
            c[key, default: 0] += 1
            return c[key]!
        }
    }
}
