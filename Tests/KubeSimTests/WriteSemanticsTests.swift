import Testing
import KubeClient
import KubeJSON
@testable import KubeSim
import KubeSimTesting

/// Create, update, patch and status semantics, each as KUBE-API.md observed them.
@Suite struct WriteSemanticsTests {
    @Test func createAssignsServerMetadataAndOneGlobalRevision() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let a = try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "uid": "mine"]], namespace: "default")
        let b = try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "b"]], namespace: "default")
        #expect(a[path: "metadata", "uid"]?.stringValue != "mine")
        #expect(a[path: "metadata", "uid"]?.stringValue?.count == 36)
        #expect(a[path: "metadata", "generation"] == nil)  // ConfigMaps have none
        let ts = a[path: "metadata", "creationTimestamp"]?.stringValue ?? ""
        #expect(ts.hasSuffix("Z") && !ts.contains("."))
        let rvA = Int(a[path: "metadata", "resourceVersion"]?.stringValue ?? "") ?? 0
        let rvB = Int(b[path: "metadata", "resourceVersion"]?.stringValue ?? "") ?? 0
        #expect(rvB > rvA && rvA > 0)
        let error = await #expect(throws: KubeClientError.self) {
            try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]], namespace: "default")
        }
        #expect(error?.isAlreadyExists == true)
    }

    @Test func resourceVersionOnCreateIsA500WithoutReason() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let error = await #expect(throws: KubeClientError.self) {
            try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "resourceVersion": "5"]], namespace: "default")
        }
        guard case .api(let s) = error else { return }
        #expect(s.code == 500)
        #expect(s.message == "resourceVersion should not be set on objects to be created")
    }

    @Test func staleUpdateConflictsAndNoOpKeepsTheRevision() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        var cm = try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"], "data": ["k": "1"]], namespace: "default")
        let rv = cm[path: "metadata", "resourceVersion"]
        let same = try await h.admin.update(.configMaps, cm)
        #expect(same[path: "metadata", "resourceVersion"] == rv)
        cm["data"] = ["k": "2"]
        let changed = try await h.admin.update(.configMaps, cm)
        #expect(changed[path: "metadata", "resourceVersion"] != rv)
        let error = await #expect(throws: KubeClientError.self) { try await h.admin.update(.configMaps, cm) }
        #expect(error?.isConflict == true)
        guard case .api(let s) = error else { return }
        #expect(s.message == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again")
    }

    @Test func customResourcesFollowGenerationAndStatusRules() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await h.installWidgets()
        var w = try await h.admin.create(SimCluster.widgets, SimCluster.widget("w1"), namespace: "default")
        #expect(w[path: "metadata", "generation"] == 1)
        #expect(w[path: "spec", "color"] == "red")                      // defaulted
        #expect(w[path: "spec", "nested", "enabled"] == true)           // default inside a default
        // Labels do not move generation; spec does.
        w = try await h.admin.patch(SimCluster.widgets, name: "w1", .merge(["metadata": ["labels": ["a": "b"]]]))
        #expect(w[path: "metadata", "generation"] == 1)
        w = try await h.admin.patch(SimCluster.widgets, name: "w1", .merge(["spec": ["size": 4]]))
        #expect(w[path: "metadata", "generation"] == 2)
        // Status through the main endpoint is ignored; through /status it lands without moving generation.
        let ignored = try await h.admin.patch(SimCluster.widgets, name: "w1", .merge(["status": ["phase": "Ready"]]))
        #expect(ignored["status"] == nil)
        #expect(ignored[path: "metadata", "resourceVersion"] == w[path: "metadata", "resourceVersion"])
        let status = try await h.admin.patch(SimCluster.widgets, name: "w1", .merge(["status": ["phase": "Ready"], "spec": ["size": 9]]), subresource: "status")
        #expect(status[path: "status", "phase"] == "Ready")
        #expect(status[path: "spec", "size"] == 4)
        #expect(status[path: "metadata", "generation"] == 2)
        // CRs need a resourceVersion on update.
        var noRV = status
        noRV["metadata"]?["resourceVersion"] = nil
        let error = await #expect(throws: KubeClientError.self) { try await h.admin.update(SimCluster.widgets, noRV) }
        #expect(error?.statusCode == 422)
    }

    @Test func schemaViolationsListEveryCause() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await h.installWidgets()
        let bad: JSON = ["apiVersion": "probe.dev/v1", "kind": "Widget", "metadata": ["name": "v2"],
                         "spec": ["color": "pink", "size": 11, "tags": ["a", "b", "c", "d"]]]
        let error = await #expect(throws: KubeClientError.self) { try await h.admin.create(SimCluster.widgets, bad, namespace: "default") }
        guard case .api(let s) = error else { Issue.record("expected 422"); return }
        #expect(s.code == 422)
        #expect(s.reason == "Invalid")
        #expect(Set(s.causes.map(\.field)) == ["spec.color", "spec.size", "spec.tags"])
        #expect(s.causes.map(\.reason).sorted() == ["FieldValueInvalid", "FieldValueNotSupported", "FieldValueTooMany"])
        #expect(s.message.hasPrefix("Widget.probe.dev \"v2\" is invalid: ["))
    }

    @Test func unknownFieldsArePrunedOrRejectedWhenStrict() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await h.installWidgets()
        var w = SimCluster.widget("p")
        w["spec"]?["unknownField"] = 1
        w["extraTop"] = true
        w["spec"]?["free"] = ["anything": ["goes": 1]]
        let stored = try await h.admin.create(SimCluster.widgets, w, namespace: "default")
        #expect(stored[path: "spec", "unknownField"] == nil)
        #expect(stored["extraTop"] == nil)
        #expect(stored[path: "spec", "free", "anything", "goes"] == 1)
        w["metadata"]?["name"] = "strict"
        let error = await #expect(throws: KubeClientError.self) {
            try await h.admin.create(SimCluster.widgets, w, namespace: "default", options: WriteOptions(fieldValidation: "Strict"))
        }
        #expect(error?.statusCode == 400)
    }

    @Test func patchFlavours() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await h.installWidgets()
        _ = try await h.admin.create(SimCluster.widgets, SimCluster.widget("w"), namespace: "default")
        let error = await #expect(throws: KubeClientError.self) {
            try await h.admin.patch(SimCluster.widgets, name: "w", .strategicMerge(["spec": ["size": 2]]))
        }
        #expect(error?.statusCode == 415)
        let patched = try await h.admin.patch(SimCluster.widgets, name: "w", .json([["op": "add", "path": "/spec/tags", "value": ["x"]]]))
        #expect(patched[path: "spec", "tags"] == ["x"])
        let failed = await #expect(throws: KubeClientError.self) {
            try await h.admin.patch(SimCluster.widgets, name: "w", .json([["op": "remove", "path": "/spec/missing"]]))
        }
        guard case .api(let s) = failed else { return }
        #expect(s.code == 422)
        #expect(s.message == "the server rejected our request due to an error in our request")
        _ = try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["a": "1"]], namespace: "default")
        let smp = try await h.admin.patch(.configMaps, name: "c", namespace: "default", .strategicMerge(["data": ["b": "2"]]))
        #expect(smp["data"] == ["a": "1", "b": "2"])
    }

    @Test func serverSideApplyOwnsConflictsAndForces() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let cm: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ssa", "namespace": "default"], "data": ["k": "a"]]
        let created = try await h.admin.apply(.configMaps, cm, fieldManager: "mgr-a")
        #expect(created["data"] == ["k": "a"])
        var other = cm
        other["data"] = ["k": "b"]
        let error = await #expect(throws: KubeClientError.self) { try await h.admin.apply(.configMaps, other, fieldManager: "mgr-b") }
        guard case .api(let s) = error else { Issue.record("expected a conflict"); return }
        #expect(s.code == 409)
        #expect(s.message == "Apply failed with 1 conflict: conflict with \"mgr-a\": .data.k")
        #expect(s.causes.first?.reason == "FieldManagerConflict")
        let forced = try await h.admin.apply(.configMaps, other, fieldManager: "mgr-b", force: true)
        #expect(forced["data"] == ["k": "b"])
        let managers = (forced[path: "metadata", "managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
        #expect(managers == ["mgr-b"])
    }

    @Test func validationOfNamesLabelsAndConfigMapSize() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let badName = await #expect(throws: KubeClientError.self) {
            try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "Bad_Name"]], namespace: "default")
        }
        guard case .api(let s) = badName else { return }
        #expect(s.causes.first?.field == "metadata.name")
        let big = String(repeating: "x", count: 1_048_577)
        let tooBig = await #expect(throws: KubeClientError.self) {
            try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big"], "data": ["k": .string(big)]], namespace: "default")
        }
        guard case .api(let t) = tooBig else { return }
        #expect(t.causes.first?.reason == "FieldValueTooLong")
        let missingNamespace = await #expect(throws: KubeClientError.self) {
            try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"]], namespace: "nope")
        }
        #expect(missingNamespace?.isNotFound == true)
    }
}

@Suite struct WriteLogTests {
    @Test func recordsAcceptedWritesInOrderWithManagerAndNoOps() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let cm: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "log", "namespace": "default"], "data": ["k": "1"]]
        _ = try await h.admin.apply(.configMaps, cm, fieldManager: "causeway")
        _ = try await h.admin.apply(.configMaps, cm, fieldManager: "causeway")  // no-op
        _ = try await h.admin.patch(.configMaps, name: "log", namespace: "default", .merge(["data": ["k": "2"]]),
                                     options: WriteOptions(fieldManager: "someone-else"))
        _ = try? await h.admin.create(.configMaps, cm, namespace: "default")  // rejected: AlreadyExists
        try await h.admin.delete(.configMaps, name: "log", namespace: "default")
        let log = h.sim.writeLog.filter { $0.resource == "configmaps" }
        #expect(log.map(\.verb) == ["apply", "apply", "patch", "delete"])
        #expect(log.map(\.changed) == [true, false, true, true])
        #expect(log.map(\.fieldManager).prefix(3) == ["causeway", "causeway", "someone-else"])
        #expect(log.map(\.revision) == log.map(\.revision).sorted())
    }
}
