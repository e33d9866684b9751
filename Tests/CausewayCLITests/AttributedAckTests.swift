import Foundation
import Testing
import EvolutionAdmission
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import Ledger
import TestSupport

/// Who acknowledged: `causeway webhook` (the real binary) stamps each acknowledgment with the
/// user KubeSim authenticated, a forged stamp is overwritten, the ledger names the person, and
/// with --require-attributed-acks an acknowledgment the webhook did not stamp is not honoured.
@Suite(.serialized) struct AttributedAckTests {
    static func gated(_ name: String) -> String {
        """
        apiVersion: causeway.dev/v1alpha1
        kind: Evolution
        metadata: {name: \(name), namespace: default}
        spec:
          steps:
            - name: flag
              acknowledge: {required: true}
              apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: \(name)-flag}}]}
        """
    }

    @Test func theLedgerNamesWhoAcknowledgedAndAForgedNameIsOverwritten() async throws {
        let home = try await SimCluster.start("acks", tls: true) { options in
            for user in ["alice", "bob"] {
                options.tokens["\(user)-token"] = SimUser(name: user)
                options.rules[user] = [.all]
            }
        }
        defer { Task { await home.stop() } }
        try await home.admin.installEvolutionCRD()
        try await home.admin.grantClusterAdmin()
        let dir = NSTemporaryDirectory() + "acks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let certificates = try SimCertificates.generate(name: "causeway-webhook")
        try certificates.serverCertificatePEM.write(toFile: dir + "/tls.crt", atomically: true, encoding: .utf8)
        try certificates.serverKeyPEM.write(toFile: dir + "/tls.key", atomically: true, encoding: .utf8)
        let keyBytes = StampKey.newBytes()
        try Data(keyBytes).write(to: URL(fileURLWithPath: dir + "/stamp.key"))
        let webhook = try CausewayBinary.start(["webhook", "--host", "127.0.0.1", "--port", "0", "--cert-file", dir + "/tls.crt",
                                                "--key-file", dir + "/tls.key", "--stamp-key-file", dir + "/stamp.key", "--no-journal"], log: dir + "/webhook.log")
        defer { if webhook.isRunning { kill(webhook.processIdentifier, SIGKILL) } }
        let serving = try await CausewayBinary.line(in: dir + "/webhook.log", startingWith: "causeway webhook: serving https://")
        let address = try #require(serving.split(separator: " ").dropFirst(3).first).replacingOccurrences(of: "https://", with: "")
        try await home.admin.create(yaml: """
            apiVersion: admissionregistration.k8s.io/v1
            kind: MutatingWebhookConfiguration
            metadata: {name: causeway-acks}
            webhooks:
            - name: acks.causeway.dev
              clientConfig: {url: "https://\(address)/mutate-evolutions", caBundle: \(Data(certificates.caPEM.utf8).base64EncodedString())}
              rules: [{operations: [CREATE, UPDATE], apiGroups: [causeway.dev], apiVersions: ["*"], resources: [evolutions]}]
              failurePolicy: Ignore
              sideEffects: None
              admissionReviewVersions: [v1]
              timeoutSeconds: 2
            """)
        try await home.admin.create(yaml: Self.gated("stamped"))
        try await home.admin.create(yaml: Self.gated("unstamped"))
        var options = EvolutionController.Options(ledger: .configMaps)
        options.requireAttributedAcks = true
        options.stampKey = StampKey(bytes: keyBytes)
        let controller = EvolutionController(client: home.admin, options: options)
        let running = Task { await controller.run() }
        defer { running.cancel() }

        // alice acknowledges and writes bob's name as the acknowledger: the stamp says alice.
        let alice = try home.writeKubeconfig(in: dir + "/alice", token: "alice-token")
        var run = try await Command.kubectl(["annotate", "evolution", "stamped", "-n", "default", "ack.causeway.dev/flag=approved",
                                             #"causeway.dev/ack-by.flag={"user":"bob","groups":[],"value":"approved"}"#], kubeconfig: alice)
        #expect(run.status == 0, "\(run.stderr)")
        let done = try await home.admin.waitFor(.evolutions, "stamped") { $0[path: "status", "phase"] == "Converged" }
        let stamp = done[path: "metadata", "annotations", "causeway.dev/ack-by.flag"]?.stringValue.flatMap { try? JSON.parse(Array($0.utf8)) }
        #expect(stamp?["user"] == "alice" && stamp?["value"] == "approved", "\(String(describing: stamp))")
        #expect(done[path: "status", "steps"]?[0]?["acknowledgedBy"] == "alice")
        let found = try await ConfigMapLedgerStore.ledgers(client: home.admin, namespace: "default", name: "stamped")
        let entries = try await ConfigMapLedgerStore(client: home.admin, evolution: try #require(found.first).evolution).load()
        #expect(entries.first { $0.event == .acknowledged }?.actor == "alice")

        // The webhook is down: bob's acknowledgment passes (failurePolicy Ignore) unstamped, with alice's
        // stamp copied beside it to pass for hers; neither counts, and nothing is applied.
        kill(webhook.processIdentifier, SIGKILL)
        webhook.waitUntilExit()
        let bob = try home.writeKubeconfig(in: dir + "/bob", token: "bob-token")
        let copied = try #require(done[path: "metadata", "annotations", "causeway.dev/ack-by.flag"]?.stringValue)
        run = try await Command.kubectl(["annotate", "evolution", "unstamped", "-n", "default", "ack.causeway.dev/flag=approved",
                                         "causeway.dev/ack-by.flag=\(copied)"], kubeconfig: bob)
        #expect(run.status == 0, "\(run.stderr)")
        try await eventually("the refusal is told") {
            try await home.admin.list(.events, namespace: "default").items.contains {
                $0["reason"] == "UnattributedAcknowledgment" && ($0["note"]?.stringValue ?? "").contains("unattributed (field manager kubectl-annotate)")
            }
        }
        let held = try await home.admin.get(.evolutions, name: "unstamped", namespace: "default")
        #expect(held[path: "status", "steps"]?[0]?["phase"] == "WaitingForAcknowledgment")
        #expect(!home.sim.writeLog.contains { $0.name == "unstamped-flag" }, "nothing applied on an unattributed acknowledgment")
    }
}
