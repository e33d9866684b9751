@testable import ControllerRuntime
import KubeClient
import KubeJSON
import Testing
import KubeSimTesting

@Suite(.serialized) struct EventRecorderTests {
    static let subject: JSON = ["apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": ["name": "hot", "namespace": "default", "uid": "u-1"]]

    @Test func aHotLoopBecomesOneEventWithASeries() async throws {
        let fixture = try await SimCluster.start()
        let clock = ManualClock()
        let recorder = EventRecorder(client: fixture.admin, reportingController: "causeway.dev/test",
                                     reportingInstance: "test-0", clock: clock, patchInterval: .seconds(10))
        for i in 0..<500 {
            await recorder.record(regarding: Self.subject, type: .warning, reason: "Failed", action: "Reconcile", note: "boom")
            if i == 250 { clock.advance(by: .seconds(10)) }
        }
        await recorder.record(regarding: Self.subject, type: .normal, reason: "Reconciled", action: "Reconcile", note: "ok")
        await recorder.flush()
        let events = try await fixture.admin.listAll(.events, namespace: "default").items
        await fixture.stop()

        #expect(recorder.stats == .init(recorded: 501, creates: 2, patches: 2, failedWrites: 0),
                "one create per distinct event, one patch per interval, one at flush")
        #expect(events.count == 2)
        let failed = events.first { $0["reason"] == "Failed" }
        #expect(failed?[path: "series", "count"] == 500)
        #expect(failed?["regarding"] == ["apiVersion": "v1", "kind": "ConfigMap", "namespace": "default", "name": "hot", "uid": "u-1"])
        #expect(failed?["type"] == "Warning" && failed?["reportingController"] == "causeway.dev/test")
        #expect((failed?["eventTime"]?.stringValue ?? "").count == 27, "MicroTime")
        #expect(events.first { $0["reason"] == "Reconciled" }?["series"] == nil)
    }

    @Test func repeatsAfterTheSeriesWindowStartANewEvent() async throws {
        let fixture = try await SimCluster.start()
        let clock = ManualClock()
        let recorder = EventRecorder(client: fixture.admin, reportingController: "causeway.dev/test",
                                     reportingInstance: "test-0", clock: clock)
        await recorder.record(regarding: Self.subject, type: .normal, reason: "Synced", action: "Reconcile", note: "n")
        clock.advance(by: .seconds(361))
        await recorder.record(regarding: Self.subject, type: .normal, reason: "Synced", action: "Reconcile", note: "n")
        let events = try await fixture.admin.listAll(.events, namespace: "default").items
        await fixture.stop()
        #expect(events.count == 2 && recorder.stats.creates == 2)
    }

    /// Memory stays bounded however many objects it tells about: past `maxSeries` the least
    /// recently seen series are forgotten, and a repeat of one starts a new Event.
    @Test func rememberedSeriesAreBounded() async throws {
        let fixture = try await SimCluster.start()
        let clock = ManualClock()
        let recorder = EventRecorder(client: fixture.admin, reportingController: "causeway.dev/test",
                                     reportingInstance: "test-0", clock: clock, maxSeries: 10)
        for i in 0..<25 {
            let subject: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("o\(i)"), "namespace": "default", "uid": .string("u\(i)")]]
            await recorder.record(regarding: subject, type: .normal, reason: "Synced", action: "Reconcile", note: "n")
            clock.advance(by: .milliseconds(1))
            #expect(recorder.state.withLock { $0.series.count } <= 10)
        }
        // o24 is remembered (a repeat counts into its Event); o0 is not (a repeat is a new Event).
        let newest: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "o24", "namespace": "default", "uid": "u24"]]
        let oldest: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "o0", "namespace": "default", "uid": "u0"]]
        await recorder.record(regarding: newest, type: .normal, reason: "Synced", action: "Reconcile", note: "n")
        #expect(recorder.stats.creates == 25)
        await recorder.record(regarding: oldest, type: .normal, reason: "Synced", action: "Reconcile", note: "n")
        #expect(recorder.stats.creates == 26)
        await fixture.stop()
    }

    @Test func longNotesAreCutAtACharacterBoundaryWithinOneKilobyte() {
        let cut = EventRecorder.truncated(String(repeating: "é", count: 1000))
        #expect(cut.utf8.count <= 1024 && cut.hasSuffix("...") && cut.dropLast(3).allSatisfy { $0 == "é" })
        #expect(EventRecorder.truncated("short") == "short")
    }
}
