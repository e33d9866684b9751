import Foundation
import Testing
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeYAML
import Ledger

/// The controller end to end on in-process KubeSim clusters.
@Suite(.serialized) struct ControllerScenarioTests {
    static let evolutions = APIResource.evolutions

    /// A cluster; `tls` for one a kubeconfig Secret names (the controller reaches other clusters over https only).
    static func start(_ name: String, tls: Bool = false, configure: (inout KubeSimOptions) -> Void = { _ in }) async throws -> (KubeSim, KubeClient) {
        var options = KubeSimOptions(name: name)
        options.tls = tls
        configure(&options)
        let sim = try await KubeSim.start(options)
        var config = try KubeConfig.parse(sim.kubeconfig()).restConfig()
        config.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50))
        return (sim, try KubeClient(config: config))
    }

    static func installCRD(_ client: KubeClient) async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Manifests/crd/evolution.yaml").path
        let crd = try YAML.parseStream(Array(FileManager.default.contents(atPath: path)!)).first!
        _ = try await client.create(.customResourceDefinitions, crd)
    }

    /// Lets `account` of `namespace` (the account Evolutions there act as) do anything on this cluster,
    /// as a platform admin would bind a trusted team's deployer. Tests about tenancy grant less.
    static func grantClusterAdmin(_ client: KubeClient, account: String = "default", namespace: String = "default") async throws {
        let binding: JSON = [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": ["name": .string("\(namespace)-\(account)-admin")],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"],
            "subjects": [["kind": "ServiceAccount", "name": .string(account), "namespace": .string(namespace)]],
        ]
        _ = try await client.create(clusterRoleBindings, binding)
    }

    static let clusterRoleBindings = APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterrolebindings",
                                                 kind: "ClusterRoleBinding", namespaced: false)

    /// Polls the Evolution until `done` holds (the controller, not the test, does the work).
    static func wait(_ client: KubeClient, _ name: String, namespace: String, timeout: Duration = .seconds(20),
                     until done: (JSON) -> Bool) async throws -> JSON {
        let deadline = ContinuousClock.now + timeout
        var last: JSON = .null
        while ContinuousClock.now < deadline {
            last = try await client.get(evolutions, name: name, namespace: namespace)
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out; last status: \(last["status"]?.prettyString() ?? "none")")
        return last
    }

    @Test func aSequenceConvergesInOrderAndIsRecorded() async throws {
        let (sim, client) = try await Self.start("home")
        let ledgerDir = NSTemporaryDirectory() + "causeway-ledger-\(UUID().uuidString)"
        try await Self.installCRD(client)
        try await Self.grantClusterAdmin(client)
        let evolution = try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: seq, namespace: default}
            spec:
              steps:
                - name: first
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: first}, data: {k: "1"}}]}
                - name: second
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: second}, data: {k: "2"}}]}
            """)
        _ = try await client.create(Self.evolutions, evolution, namespace: "default")
        let controller = EvolutionController(client: client, options: .init(ledgerDirectory: ledgerDir))
        let running = Task { await controller.run() }
        let final = try await Self.wait(client, "seq", namespace: "default") { $0[path: "status", "phase"] == "Converged" }
        running.cancel()
        await running.value
        #expect(final[path: "status", "phase"] == "Converged")
        let ready = final[path: "status", "conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
        #expect(ready?["status"] == "True")

        // The server's own record: the second step's object was written after the first's.
        let writes = sim.writeLog.filter { $0.resource == "configmaps" }
        let firstAt = try #require(writes.firstIndex { $0.name == "first" })
        let secondAt = try #require(writes.firstIndex { $0.name == "second" })
        #expect(firstAt < secondAt)
        #expect(writes.allSatisfy { $0.fieldManager == "causeway" })

        // The ledger: a valid chain that starts with the declared sequence and holds both applies.
        let uid = final[path: "metadata", "uid"]?.stringValue ?? ""
        let store = try FileLedgerStore(directory: ledgerDir, evolution: EvolutionRef(namespace: "default", name: "seq", uid: uid))
        let entries = try store.loadEntries()
        store.close()
        #expect(LedgerVerifier.verify(entries, evolution: EvolutionRef(namespace: "default", name: "seq", uid: uid)).violation == nil)
        #expect(entries.first?.event.description == "Declared")
        #expect(entries.filter { $0.event.description == "Applied" }.count == 2)
        await sim.stop()
    }
}

extension ControllerScenarioTests {
    /// The controller's Declared entry must be readable by the ledger's audit (one contract, two modules).
    @Test func theAuditReadsWhatTheControllerRecords() async throws {
        let (sim, client) = try await Self.start("audit")
        let ledgerDir = NSTemporaryDirectory() + "causeway-ledger-\(UUID().uuidString)"
        try await Self.installCRD(client)
        try await Self.grantClusterAdmin(client)
        let evolution = try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: audited, namespace: default}
            spec:
              steps:
                - name: a
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}]}
                - name: b
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: b}}]}
            """)
        _ = try await client.create(Self.evolutions, evolution, namespace: "default")
        let controller = EvolutionController(client: client, options: .init(ledgerDirectory: ledgerDir))
        let running = Task { await controller.run() }
        let final = try await Self.wait(client, "audited", namespace: "default") { $0[path: "status", "phase"] == "Converged" }
        running.cancel()
        await running.value
        let ref = EvolutionRef(namespace: "default", name: "audited", uid: final[path: "metadata", "uid"]?.stringValue ?? "")
        let store = try FileLedgerStore(directory: ledgerDir, evolution: ref)
        defer { store.close() }
        let entries = try store.loadEntries()
        let audit = try LedgerQueries(entries: entries).convergenceAudit()
        #expect(audit.map { "\($0.edge.from)→\($0.edge.to)" } == ["a→b"])
        #expect(audit.first?.confirmed == true)
        // What changed is readable too: each object the controller sent, hashed as sent.
        let changes = try LedgerQueries(entries: entries).changes()
        #expect(changes.map(\.step) == ["a", "b"])
        #expect(changes.flatMap(\.objects).map(\.reference) == ["v1 ConfigMap default/a", "v1 ConfigMap default/b"])
        #expect(changes.flatMap(\.objects).allSatisfy { $0.contentHash.count == 64 && $0.resourceVersion != nil })
        let declared = try DeclaredSequence(detail: try #require(entries.first { $0.event == .declared }).detail)
        #expect(declared.sequenceHash?.count == 16)
        #expect(declared.steps.allSatisfy { $0.contentHash != nil })
        #expect(try LedgerRendering.audit(entries).contains("      v1 ConfigMap default/a sha256:"))
        await sim.stop()
    }
}

extension ControllerScenarioTests {
    /// In a cluster the ledger lives in ConfigMaps beside the Evolution, and outlives it.
    @Test func configMapLedgersRecordTheSameChain() async throws {
        let (sim, client) = try await Self.start("cm-ledger")
        try await Self.installCRD(client)
        try await Self.grantClusterAdmin(client)
        _ = try await client.create(Self.evolutions, try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: cm, namespace: default}
            spec:
              steps:
                - {name: one, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: one}}]}}
                - {name: two, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: two}}]}}
            """), namespace: "default")
        let controller = EvolutionController(client: client, options: .init(ledger: .configMaps))
        let running = Task { await controller.run() }
        let final = try await Self.wait(client, "cm", namespace: "default") { $0[path: "status", "phase"] == "Converged" }
        running.cancel()
        await running.value
        try await client.delete(Self.evolutions, name: "cm", namespace: "default")
        let found = try await ConfigMapLedgerStore.ledgers(client: client, namespace: "default", name: "cm")
        #expect(found.map(\.evolution.uid) == [final[path: "metadata", "uid"]?.stringValue ?? ""])
        let entries = try await ConfigMapLedgerStore(client: client, evolution: try #require(found.first).evolution).load()
        #expect(LedgerVerifier.verify(entries).violation == nil)
        #expect(entries.contains { $0.event.description == "Completed" })
        let audit = try LedgerQueries(entries: entries).convergenceAudit()
        #expect(audit.first?.confirmed == true)
        await sim.stop()
    }
}
