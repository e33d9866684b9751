@testable import ControllerRuntime
import KubeClient
import KubeJSON
import Testing
import KubeSimTesting

/// A plain client for the health server (no retries, so a 503 is seen as it is).
func healthClient(_ server: HealthServer) throws -> KubeClient {
    var config = RESTConfig(server: server.url ?? "")
    config.retry = .none
    return try KubeClient(config: config)
}

/// The status and body of GET `path`: a 503 comes back as an error carrying its status.
func get(_ client: KubeClient, _ path: String) async -> (status: Int, body: String) {
    do {
        let response = try await client.send("GET", path, contentType: "text/plain")
        return (response.status, String(decoding: response.body, as: UTF8.self))
    } catch {
        return (error.statusCode ?? -1, "\(error)")
    }
}

/// The value of the sample whose name and labels are exactly `series` in a Prometheus text body.
func sample(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), line[..<space] == series else { continue }
        return Double(line[line.index(after: space)...])
    }
    return nil
}

@Suite struct HealthServerTests {
    @Test func readyzFlipsOnlyAfterTheInformerSyncsAndMetricsAreScraped() async throws {
        let fixture = try await SimCluster.start()
        _ = try await fixture.admin.create(.configMaps, SimCluster.configMap("one"))
        let metrics = RuntimeMetrics()
        let informer = Informer(client: try fixture.informerClient(), resource: .configMaps, namespace: "default", metrics: metrics)
        let check = ReadinessCheck(informers: [informer])
        let server = HealthServer(metrics: metrics.registry) { check.evaluate() }
        let port = try await server.start()
        #expect(port > 0, "port 0 picked a free port")
        let client = try healthClient(server)

        let health = await get(client, "/healthz")
        #expect(health.status == 200 && health.body == "ok\n")
        let before = await get(client, "/readyz")
        #expect(before.status == 503)
        #expect(before.body.contains("informers not synced: configmaps"))
        #expect(await get(client, "/nowhere").status == 404)

        let run = Task { await informer.run() }
        try await eventually("ready") { await get(client, "/readyz").status == 200 }
        #expect(informer.hasSynced, "ready only once synced")

        let scrape = await get(client, "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.body.contains("# TYPE causeway_api_request_duration_seconds histogram\n"))
        #expect(sample(scrape.body, "causeway_informer_synced{resource=\"configmaps\"}") == 1)
        #expect(sample(scrape.body, "causeway_api_request_duration_seconds_count{verb=\"LIST\",code=\"200\"}") == 1)
        #expect(sample(scrape.body, "causeway_api_request_duration_seconds_bucket{verb=\"LIST\",code=\"200\",le=\"+Inf\"}") == 1)
        #expect(sample(scrape.body, "causeway_informer_relists_total{resource=\"configmaps\"}") == 0)
        #expect(sample(scrape.body, "causeway_informer_errors_total{resource=\"configmaps\"}") == 0)

        run.cancel()
        await run.value
        await server.stop()
        #expect(await get(client, "/healthz").status == -1, "nothing listens after stop")
        await fixture.stop()
    }

    @Test func standbyIsNotReadyUnlessConfigured() async throws {
        let fixture = try await SimCluster.start()
        let elector = LeaderElector(client: fixture.admin, config: LeaderElectionTests.config("standby"))
        #expect(ReadinessCheck(informers: [], elector: elector).evaluate()
                == .notReady("not leader of lease default/causeway-leader"))
        #expect(ReadinessCheck(informers: [], elector: elector, standbyIsReady: true).evaluate() == .ready)
        await fixture.stop()
    }

    @Test func routesAnswerWithoutSockets() {
        let registry = MetricsRegistry()
        registry.counter("test_total", help: "t").increment()
        let routes = HealthRoutes(metrics: registry) { .notReady("informers not synced: configmaps") }
        #expect(routes.respond(method: "GET", path: "/healthz") == .init(status: 200, body: "ok\n"))
        #expect(routes.respond(method: "GET", path: "/readyz?verbose") == .init(status: 503, body: "informers not synced: configmaps\n"))
        #expect(routes.respond(method: "POST", path: "/healthz").status == 405)
        #expect(routes.respond(method: "GET", path: "/other").status == 404)
        let metrics = routes.respond(method: "GET", path: "/metrics")
        #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics.body == "# HELP test_total t\n# TYPE test_total counter\ntest_total 1\n")
        #expect(HealthRoutes(metrics: nil) { .ready }.respond(method: "GET", path: "/metrics").status == 404)
    }
}
