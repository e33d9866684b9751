import Testing
@testable import ControllerRuntime
import KubeSimTesting

@Suite struct MetricsRegistryTests {
    @Test func countersAndGaugesRenderWithHelpTypeAndEscapedLabels() {
        let registry = MetricsRegistry()
        let requests = registry.counter("test_requests_total", help: "Requests.\nSecond line with \\.", labels: ["path", "code"])
        requests.increment(["/a", "200"])
        requests.increment(["/a", "200"], by: 2)
        requests.increment(["say \"hi\"\\\n", "500"])
        let depth = registry.gauge("test_depth", help: "Depth.")
        depth.set(to: 2.5)
        depth.increment(by: -1)
        #expect(registry.render() == """
            # HELP test_depth Depth.
            # TYPE test_depth gauge
            test_depth 1.5
            # HELP test_requests_total Requests.\\nSecond line with \\\\.
            # TYPE test_requests_total counter
            test_requests_total{path="/a",code="200"} 3
            test_requests_total{path="say \\"hi\\"\\\\\\n",code="500"} 1

            """)
    }

    @Test func histogramBucketsAreCumulativeWithSumAndCount() {
        let registry = MetricsRegistry()
        let latency = registry.histogram("test_seconds", help: "Latency.", labels: ["verb"], buckets: [0.1, 1])
        latency.observe(["GET"], 0.05)
        latency.observe(["GET"], 0.1)
        latency.observe(["GET"], .milliseconds(500))
        latency.observe(["GET"], 3)
        #expect(registry.render() == """
            # HELP test_seconds Latency.
            # TYPE test_seconds histogram
            test_seconds_bucket{verb="GET",le="0.1"} 2
            test_seconds_bucket{verb="GET",le="1"} 3
            test_seconds_bucket{verb="GET",le="+Inf"} 4
            test_seconds_sum{verb="GET"} 3.65
            test_seconds_count{verb="GET"} 4

            """)
        #expect(latency.count(["GET"]) == 4)
    }

    @Test func theSameNameGivesTheSameFamilyAndCollectorsRunOnRender() {
        let registry = MetricsRegistry()
        let a = registry.counter("test_total", help: "x", labels: ["c"])
        let b = registry.counter("test_total", help: "x", labels: ["c"])
        a.increment(["one"])
        b.increment(["one"])
        #expect(a.value(["one"]) == 2)
        let gauge = registry.gauge("test_live", help: "y")
        registry.addCollector { gauge.set(to: 7) }
        #expect(registry.render().contains("\ntest_live 7\n"))
    }

    @Test func concurrentIncrementsAreNotLost() async {
        let registry = MetricsRegistry()
        let counter = registry.counter("test_concurrent_total", help: "z", labels: ["k"])
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask { for _ in 0..<1000 { counter.increment(["k\(worker % 2)"]) } }
            }
        }
        #expect(counter.value(["k0"]) + counter.value(["k1"]) == 8000)
    }

    @Test func queueWaitTimeIsMeasuredOnTheQueueClock() async throws {
        let clock = ManualClock()
        let metrics = RuntimeMetrics()
        let controller = Controller(name: "waits", reconciler: ReconcilerFunction { _ in .done },
                                    queue: WorkQueue(clock: clock), metrics: metrics)
        controller.queue.add(ObjectKey(name: "a"))
        controller.queue.add(ObjectKey(name: "b"))
        #expect(metrics.registry.render().contains("causeway_workqueue_depth{controller=\"waits\"} 2\n"))
        clock.advance(by: .seconds(3))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await controller.run() }
            try await eventually("both reconciled") { controller.stats.done == 2 }
            controller.stop()
        }
        let text = metrics.registry.render()
        #expect(text.contains("causeway_workqueue_wait_duration_seconds_sum{controller=\"waits\"} 6\n"))
        #expect(text.contains("causeway_workqueue_wait_duration_seconds_bucket{controller=\"waits\",le=\"2.5\"} 0\n"))
        #expect(text.contains("causeway_workqueue_wait_duration_seconds_bucket{controller=\"waits\",le=\"5\"} 2\n"))
        #expect(text.contains("causeway_reconcile_total{controller=\"waits\",outcome=\"done\"} 2\n"))
        #expect(text.contains("causeway_reconcile_duration_seconds_count{controller=\"waits\"} 2\n"))
        #expect(text.contains("causeway_workqueue_depth{controller=\"waits\"} 0\n"))
    }
}
