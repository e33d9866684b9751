import Foundation
import Testing
import KubeClient
import KubeJSON
@testable import KubeSim
import KubeSimTesting

@Suite struct DeletionAndAuthTests {
    @Test func finalizersHoldAnObjectUntilRemoved() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await h.installWidgets()
        var w = SimCluster.widget("f")
        w["metadata"]?["finalizers"] = ["probe.dev/hold"]
        _ = try await h.admin.create(SimCluster.widgets, w, namespace: "default")
        let marked = try await h.admin.delete(SimCluster.widgets, name: "f", namespace: "default")
        #expect(marked[path: "metadata", "deletionTimestamp"] != nil)
        #expect(marked[path: "metadata", "generation"] == 2)
        let added = await #expect(throws: KubeClientError.self) {
            try await h.admin.patch(SimCluster.widgets, name: "f", namespace: "default", .merge(["metadata": ["finalizers": ["probe.dev/hold", "probe.dev/other"]]]))
        }
        #expect(added?.statusCode == 422)
        let released = try await h.admin.patch(SimCluster.widgets, name: "f", namespace: "default", .merge(["metadata": ["finalizers": nil]]))
        #expect(released[path: "metadata", "resourceVersion"] == marked[path: "metadata", "resourceVersion"])
        let gone = await #expect(throws: KubeClientError.self) { try await h.admin.get(SimCluster.widgets, name: "f", namespace: "default") }
        #expect(gone?.isNotFound == true)
    }

    @Test func deleteWithoutFinalizersAnswersAStatusAndCollectsDependents() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let owner = try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]], namespace: "default")
        let uid = owner[path: "metadata", "uid"] ?? ""
        _ = try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap",
                                                    "metadata": ["name": "child", "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid]]]],
                                      namespace: "default")
        let status = try await h.admin.delete(.configMaps, name: "owner", namespace: "default")
        #expect(status["kind"] == "Status")
        #expect(status["status"] == "Success")
        let child = await #expect(throws: KubeClientError.self) { try await h.admin.get(.configMaps, name: "child", namespace: "default") }
        #expect(child?.isNotFound == true)
        let precondition = await #expect(throws: KubeClientError.self) {
            _ = try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p"]], namespace: "default")
            try await h.admin.delete(.configMaps, name: "p", namespace: "default", options: DeleteOptions(preconditionUID: "wrong"))
        }
        #expect(precondition?.isConflict == true)
    }

    @Test func terminatingNamespacesRefuseNewContentThenGo() async throws {
        let h = try await SimCluster.start { $0.namespaceController = false }
        defer { Task { await h.stop() } }
        _ = try await h.admin.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "doomed"]])
        let ns = try await h.admin.delete(.namespaces, name: "doomed")
        #expect(ns[path: "status", "phase"] == "Terminating")
        let refused = await #expect(throws: KubeClientError.self) {
            try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"]], namespace: "doomed")
        }
        #expect(refused?.statusCode == 403)
    }

    @Test func authenticationAndAuthorisation() async throws {
        let h = try await SimCluster.start(tls: true) { options in
            options.rules["alice"] = [AccessRule(verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"], namespaces: ["default"])]
        }
        defer { Task { await h.stop() } }
        let bad = try h.client(token: "wrong")
        let unauthorized = await #expect(throws: KubeClientError.self) { try await bad.send("GET", "/version") }
        #expect(unauthorized?.statusCode == 401)
        let anonymous = try h.client(token: nil)
        #expect(try await anonymous.send("GET", "/version").status == 200)
        let alice = try h.client(token: "alice-token")
        _ = try await alice.list(.configMaps, namespace: "default")
        let forbidden = await #expect(throws: KubeClientError.self) { try await alice.list(.secrets, namespace: "default") }
        guard case .api(let s) = forbidden else { Issue.record("expected 403"); return }
        #expect(s.code == 403)
        #expect(s.message == "secrets is forbidden: User \"alice\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"")
        // Authorisation comes before existence: an unknown resource is 403 for alice, 404 text/plain for the admin.
        let unknown = APIResource(group: "nope.dev", version: "v1", name: "things", kind: "Thing", namespaced: true)
        let hidden = await #expect(throws: KubeClientError.self) { try await alice.list(unknown, namespace: "default") }
        #expect(hidden?.statusCode == 403)
        let missing = await #expect(throws: KubeClientError.self) { try await h.admin.list(unknown, namespace: "default") }
        guard case .api(let m) = missing else { return }
        #expect(m.code == 404)
        #expect(m.message == "404 page not found")
    }

    @Test func discoveryServesBuiltInsAndCRDs() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await h.installWidgets()
        let resource = try await h.admin.resource(apiVersion: "probe.dev/v1", kind: "Widget")
        #expect(resource == SimCluster.widgets)
        let apps = try await h.admin.resource(apiVersion: "apps/v1", kind: "Deployment")
        #expect(apps.name == "deployments")
        let crd = try await h.admin.get(.customResourceDefinitions, name: "widgets.probe.dev")
        let conditions = crd[path: "status", "conditions"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
        #expect(conditions.contains("Established"))
    }

    @Test func deploymentsRollOutOrFail() async throws {
        let h = try await SimCluster.start { $0.simulation.rolloutDuration = .milliseconds(50) }
        defer { Task { await h.stop() } }
        func deployment(_ name: String, image: String) -> JSON {
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
             "spec": ["replicas": 2, "selector": ["matchLabels": ["app": .string(name)]],
                      "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "c", "image": .string(image)]]]]]]
        }
        _ = try await h.admin.create(.deployments, deployment("ok", image: "app:v1"), namespace: "default")
        _ = try await h.admin.create(.deployments, deployment("bad", image: "app:fail"), namespace: "default")
        try await Task.sleep(for: .milliseconds(300))
        let ok = try await h.admin.get(.deployments, name: "ok", namespace: "default")
        #expect(ok[path: "status", "observedGeneration"] == 1)
        #expect(ok[path: "status", "availableReplicas"] == 2)
        let bad = try await h.admin.get(.deployments, name: "bad", namespace: "default")
        let progressing = bad[path: "status", "conditions"]?.arrayValue?.first { $0["type"] == "Progressing" }
        #expect(progressing?["reason"] == "ProgressDeadlineExceeded")
    }

    /// A rollout scheduled just before the server stops and is released must not touch it
    /// afterwards (it once did, and crashed the process that embedded it).
    @Test func aRolloutDueAfterTheServerIsGoneIsDropped() async throws {
        var h: SimCluster? = try await SimCluster.start { $0.simulation.rolloutDuration = .milliseconds(100) }
        let deployment: JSON = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "late"],
                                "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "late"]],
                                         "template": ["metadata": ["labels": ["app": "late"]], "spec": ["containers": [["name": "c", "image": "i"]]]]]]
        _ = try await h?.admin.create(.deployments, deployment, namespace: "default")
        await h?.stop()
        h = nil
        try await Task.sleep(for: .milliseconds(300))
    }
}

@Suite struct FaultInjectionTests {
    @Test func adminEndpointInjectsAndClearsFaults() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let rules: JSON = ["seed": 3, "rules": [["methods": ["GET"], "pathContains": "/configmaps", "rate": 1, "effect": ["error": 503]]]]
        let set = try await h.admin.send("PUT", "/kubesim/faults", body: rules.serialized())
        #expect(set.status == 200)
        let failed = await #expect(throws: KubeClientError.self) { try await h.admin.list(.configMaps, namespace: "default") }
        #expect(failed?.statusCode == 503)
        _ = try await h.admin.list(.secrets, namespace: "default")  // other paths unaffected
        _ = try await h.admin.send("DELETE", "/kubesim/faults")
        _ = try await h.admin.list(.configMaps, namespace: "default")
        let alice = try h.client(token: "alice-token")
        let denied = await #expect(throws: KubeClientError.self) { try await alice.send("PUT", "/kubesim/faults", body: rules.serialized()) }
        #expect(denied?.statusCode == 403)
    }

    @Test func seededFaultsRepeatExactly() async throws {
        func outcomes(seed: UInt64) async throws -> [Bool] {
            let h = try await SimCluster.start()
            defer { Task { await h.stop() } }
            h.sim.injectFaults([FaultRule(methods: ["GET"], pathContains: "/configmaps", rate: 0.5, effect: .error(code: 500))], seed: seed)
            var results: [Bool] = []
            for _ in 0..<20 {
                do { _ = try await h.admin.list(.configMaps, namespace: "default"); results.append(true) } catch { results.append(false) }
            }
            return results
        }
        let a = try await outcomes(seed: 42)
        let b = try await outcomes(seed: 42)
        #expect(a == b)
        #expect(a.contains(true) && a.contains(false))
    }
}
