import Foundation
import Testing
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML
import Ledger

/// Failure, forward correction, invalid specs and acknowledgments, on one in-process cluster.
@Suite(.serialized) struct LifecycleScenarioTests {
    struct Run {
        var sim: KubeSim
        var client: KubeClient
        var controller: EvolutionController
        var task: Task<Void, Never>
        var ledgerDirectory: String

        func stop() async {
            task.cancel()
            await task.value
            await sim.stop()
        }
    }

    static func start(_ evolutions: [String]) async throws -> Run {
        let cluster = try await SimCluster.start("lifecycle") { $0.simulation.rolloutDuration = .milliseconds(100) }
        let sim = cluster.sim, client = cluster.admin
        try await client.installEvolutionCRD()
        try await client.grantClusterAdmin()
        for text in evolutions { _ = try await client.create(ControllerScenarioTests.evolutions, try YAML.parse(text), namespace: "default") }
        let dir = NSTemporaryDirectory() + "causeway-ledger-\(UUID().uuidString)"
        let controller = EvolutionController(client: client, options: .init(ledgerDirectory: dir))
        return Run(sim: sim, client: client, controller: controller, task: Task { await controller.run() }, ledgerDirectory: dir)
    }

    static func phase(_ value: String) -> @Sendable (JSON) -> Bool { { $0[path: "status", "phase"]?.stringValue == value } }

    static func condition(_ evolution: JSON, _ type: String) -> JSON? {
        evolution[path: "status", "conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    @Test func aFailedRolloutHaltsAndCompensatesOnlyWhereItRan() async throws {
        let run = try await Self.start(["""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: failing, namespace: default}
            spec:
              steps:
                - name: app
                  apply:
                    manifests:
                      - apiVersion: apps/v1
                        kind: Deployment
                        metadata: {name: shop}
                        spec:
                          replicas: 1
                          selector: {matchLabels: {app: shop}}
                          template:
                            metadata: {labels: {app: shop}}
                            spec: {containers: [{name: shop, image: "shop:fail"}]}
                - name: flag
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: flag}, data: {on: "true"}}]}
              onFailure:
                action: Compensate
                compensation:
                  - name: rollback
                    apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: rollback}, data: {done: "true"}}]}
            """])
        let final = try await run.client.waitFor(.evolutions, "failing", namespace: "default") { Self.phase("Failed")($0) }
        await run.stop()
        #expect(final[path: "status", "phase"] == "Failed")
        let writes = run.sim.writeLog.filter { $0.resource == "configmaps" }.map(\.name)
        #expect(!writes.contains("flag"), "no later step may start after a failure")
        #expect(writes.contains("rollback"), "the compensation sequence runs")
    }

    @Test func forwardCorrectionReappliesOnlyWhatChanged() async throws {
        let spec = { (value: String) in """
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: corrected, namespace: default}
            spec:
              steps:
                - name: base
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: base}, data: {k: "1"}}]}
                - name: top
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: top}, data: {k: "\(value)"}}]}
            """ }
        let run = try await Self.start([spec("1")])
        _ = try await run.client.waitFor(.evolutions, "corrected", namespace: "default", until: Self.phase("Converged"))
        let before = run.sim.writeLog.filter { $0.resource == "configmaps" }
        var evolution = try await run.client.get(ControllerScenarioTests.evolutions, name: "corrected", namespace: "default")
        evolution["spec"] = try YAML.parse(spec("2"))["spec"]
        _ = try await run.client.update(ControllerScenarioTests.evolutions, evolution)
        let final = try await run.client.waitFor(.evolutions, "corrected", namespace: "default") {
            Self.phase("Converged")($0) && $0[path: "status", "observedGeneration"] == 2
        }
        await run.stop()
        #expect(final[path: "status", "observedGeneration"] == 2)
        let after = run.sim.writeLog.filter { $0.resource == "configmaps" }.dropFirst(before.count)
        #expect(!after.contains { $0.name == "base" }, "an unchanged converged step causes zero writes")
        #expect(after.contains { $0.name == "top" && $0.changed })
    }

    @Test func anInvalidSpecIsReportedAndOthersKeepGoing() async throws {
        let run = try await Self.start(["""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: cyclic, namespace: default}
            spec:
              steps:
                - {name: a, after: [b], apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}]}}
                - {name: b, after: [a], apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: b}}]}}
            """, """
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: fine, namespace: default}
            spec:
              steps:
                - {name: only, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: fine}}]}}
            """])
        let invalid = try await run.client.waitFor(.evolutions, "cyclic", namespace: "default") { Self.condition($0, "Invalid")?["status"] == "True" }
        let fine = try await run.client.waitFor(.evolutions, "fine", namespace: "default", until: Self.phase("Converged"))
        await run.stop()
        let message = Self.condition(invalid, "Invalid")?["message"]?.stringValue ?? ""
        #expect(message.contains("spec.steps"), "the message names the field: \(message)")
        #expect(fine[path: "status", "phase"] == "Converged")
        #expect(!run.sim.writeLog.contains { $0.name == "a" || $0.name == "b" })
    }

    @Test func anAcknowledgmentGateHoldsAndRecordsWhoOpenedIt() async throws {
        let run = try await Self.start(["""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: gated, namespace: default}
            spec:
              steps:
                - name: flag
                  acknowledge: {required: true}
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: gated-flag}}]}
            """])
        // The controller has decided: the step waits for its acknowledgment, and nothing was applied.
        _ = try await run.client.waitFor(.evolutions, "gated") {
            $0[path: "status", "steps"]?.arrayValue?.first?["phase"] == "WaitingForAcknowledgment"
        }
        #expect(!run.sim.writeLog.contains { $0.name == "gated-flag" }, "nothing applies before the acknowledgment")
        _ = try await run.client.patch(ControllerScenarioTests.evolutions, name: "gated", namespace: "default",
                                       .merge(["metadata": ["annotations": ["ack.causeway.dev/flag": "approved"]]]),
                                       options: WriteOptions(fieldManager: "alice"))
        let final = try await run.client.waitFor(.evolutions, "gated", namespace: "default", until: Self.phase("Converged"))
        await run.stop()
        #expect(run.sim.writeLog.contains { $0.name == "gated-flag" })
        let ref = EvolutionRef(namespace: "default", name: "gated", uid: final[path: "metadata", "uid"]?.stringValue ?? "")
        let entries = try FileLedgerStore.read(directory: run.ledgerDirectory, evolution: ref).entries
        // Without the admission webhook only the field manager is known: a tool, not a person, and said so.
        #expect(entries.first { $0.event.description == "Acknowledged" }?.actor == "unattributed (field manager alice)")
    }
}

extension LifecycleScenarioTests {
    @Test func aRetryAnnotationResumesAHaltedStep() async throws {
        let run = try await Self.start(["""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: retried, namespace: default}
            spec:
              steps:
                - name: needs-namespace
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: late, namespace: later}}]}
                - name: after
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: after}}]}
            """])
        // The namespace is missing, so the apply is refused (404): the step fails and the evolution halts.
        let halted = try await run.client.waitFor(.evolutions, "retried", namespace: "default") { Self.condition($0, "Halted")?["status"] == "True" }
        #expect(Self.condition(halted, "Halted")?["message"]?.stringValue?.contains("needs-namespace") == true)
        _ = try await run.client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "later"]])
        _ = try await run.client.patch(ControllerScenarioTests.evolutions, name: "retried", namespace: "default",
                                       .merge(["metadata": ["annotations": ["retry.causeway.dev/step": "needs-namespace"]]]),
                                       options: WriteOptions(fieldManager: "bob"))
        let final = try await run.client.waitFor(.evolutions, "retried", namespace: "default", until: Self.phase("Converged"))
        await run.stop()
        #expect(final[path: "status", "phase"] == "Converged")
        #expect(run.sim.writeLog.contains { $0.name == "after" })
    }
}
