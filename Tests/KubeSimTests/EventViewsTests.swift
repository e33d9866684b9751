import Foundation
import KubeClient
import KubeJSON
import Testing
@testable import KubeSim
import KubeSimTesting

/// The real server stores Events once: events.k8s.io/v1 and core/v1 are two
/// views of the same objects (same uid and resourceVersion), converted field by field.
@Suite(.serialized) struct EventViewsTests {
    static let coreEvents = APIResource(group: "", version: "v1", name: "events", kind: "Event", namespaced: true)

    static let newEvent: JSON = [
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "evo.1"],
        "eventTime": "2026-11-25T02:00:00.000000Z", "type": "Normal", "reason": "StepStarted", "action": "Apply",
        "note": "step gateway-policy started on eu-west",
        "regarding": ["apiVersion": "causeway.dev/v1alpha1", "kind": "Evolution", "name": "evo", "namespace": "default"],
        "reportingController": "causeway.dev/controller", "reportingInstance": "causeway-0",
        "series": ["count": 2, "lastObservedTime": "2026-11-25T02:00:05.000000Z"],
    ]

    @Test func anEventsV1EventIsACoreEventToo() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let created = try await h.admin.create(.events, Self.newEvent, namespace: "default")
        #expect(created["note"] == "step gateway-policy started on eu-west")
        let core = try await h.admin.get(Self.coreEvents, name: "evo.1", namespace: "default")
        #expect(core["apiVersion"] == "v1")
        #expect(core["message"] == "step gateway-policy started on eu-west")
        #expect(core[path: "involvedObject", "kind"] == "Evolution")
        #expect(core["reportingComponent"] == "causeway.dev/controller")
        #expect(core["reportingInstance"] == "causeway-0")
        #expect(core[path: "series", "count"] == 2)
        #expect(core["note"] == nil && core["regarding"] == nil)
        #expect(core[path: "metadata", "uid"] == created[path: "metadata", "uid"])
        #expect(core[path: "metadata", "resourceVersion"] == created[path: "metadata", "resourceVersion"])
        #expect(try await h.admin.list(Self.coreEvents, namespace: "default").items.count == 1)
        #expect(try await h.admin.list(.events, namespace: "default").items.count == 1)

        // A merge patch through one view is seen through the other.
        _ = try await h.admin.patch(.events, name: "evo.1", namespace: "default",
                                     .merge(["series": ["count": 3, "lastObservedTime": "2026-11-25T02:00:09.000000Z"]]))
        #expect(try await h.admin.get(Self.coreEvents, name: "evo.1", namespace: "default")[path: "series", "count"] == 3)
    }

    @Test func aCoreEventIsSeenAndWatchedThroughEventsV1() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let start = try await h.admin.list(.events, namespace: "default").resourceVersion
        let watch = Task {
            var seen: [WatchEvent] = []
            for try await event in h.admin.watch(.events, namespace: "default", options: WatchOptions(resourceVersion: start)) {
                seen.append(event)
                if seen.count == 2 { break }
            }
            return seen
        }
        try await Task.sleep(for: .milliseconds(100))
        _ = try await h.admin.create(Self.coreEvents, [
            "apiVersion": "v1", "kind": "Event", "metadata": ["name": "pod.1"],
            "involvedObject": ["kind": "Pod", "name": "web", "namespace": "default"],
            "reason": "Pulled", "message": "image pulled", "type": "Normal", "count": 4,
            "source": ["component": "kubelet", "host": "node-1"],
            "firstTimestamp": "2026-11-25T01:00:00Z", "lastTimestamp": "2026-11-25T01:05:00Z",
        ], namespace: "default")
        _ = try await h.admin.delete(Self.coreEvents, name: "pod.1", namespace: "default")
        let seen = try await watch.value
        #expect(seen.map(\.type) == [.added, .deleted])
        let viewed = try #require(seen.first?.object)
        #expect(viewed["apiVersion"] == "events.k8s.io/v1")
        #expect(viewed["note"] == "image pulled")
        #expect(viewed[path: "regarding", "name"] == "web")
        #expect(viewed["deprecatedCount"] == 4)
        #expect(viewed[path: "deprecatedSource", "component"] == "kubelet")
        #expect(viewed["deprecatedFirstTimestamp"] == "2026-11-25T01:00:00Z")
        #expect(viewed["message"] == nil && viewed["involvedObject"] == nil)
    }
}
