import Foundation
import Testing
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML
import Ledger

/// The controller end to end on in-process KubeSim clusters.
@Suite(.serialized) struct ControllerScenarioTests {
    static let evolutions = APIResource.evolutions

    @Test func aSequenceConvergesInOrderAndIsRecorded() async throws {
        let cluster = try await SimCluster.start("home")
        let sim = cluster.sim, client = cluster.admin
        let ledgerDir = NSTemporaryDirectory() + "causeway-ledger-\(UUID().uuidString)"
        try await client.installEvolutionCRD()
        try await client.grantClusterAdmin()
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
        let final = try await client.waitFor(.evolutions, "seq", namespace: "default") { $0[path: "status", "phase"] == "Converged" }
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
        let cluster = try await SimCluster.start("audit")
        let sim = cluster.sim, client = cluster.admin
        let ledgerDir = NSTemporaryDirectory() + "causeway-ledger-\(UUID().uuidString)"
        try await client.installEvolutionCRD()
        try await client.grantClusterAdmin()
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
        let final = try await client.waitFor(.evolutions, "audited", namespace: "default") { $0[path: "status", "phase"] == "Converged" }
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
        let cluster = try await SimCluster.start("cm-ledger")
        let sim = cluster.sim, client = cluster.admin
        try await client.installEvolutionCRD()
        try await client.grantClusterAdmin()
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
        let final = try await client.waitFor(.evolutions, "cm", namespace: "default") { $0[path: "status", "phase"] == "Converged" }
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
