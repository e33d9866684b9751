import Foundation
import Testing
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import TestSupport

/// Deploy/overlays/webhook as written: applied with kubectl, its MutatingWebhookConfiguration
/// (a Service reference, checked against the certificate's Service DNS name) reaches a running
/// `causeway webhook` once the CA is injected, and an acknowledgment made through it is stamped.
@Suite(.serialized) struct WebhookOverlayTests {
    @Test func theOverlayWiresTheWebhookToEvolutions() async throws {
        let dir = NSTemporaryDirectory() + "overlay-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let certificates = try SimCertificates.generate(name: "causeway-webhook", dnsNames: ["causeway-webhook.causeway-system.svc"])
        try certificates.serverCertificatePEM.write(toFile: dir + "/tls.crt", atomically: true, encoding: .utf8)
        try certificates.serverKeyPEM.write(toFile: dir + "/tls.key", atomically: true, encoding: .utf8)
        try Data(repeating: 1, count: 32).write(to: URL(fileURLWithPath: dir + "/stamp.key"))
        let webhook = try CausewayBinary.start(["webhook", "--host", "127.0.0.1", "--port", "0", "--cert-file", dir + "/tls.crt",
                                                "--key-file", dir + "/tls.key", "--stamp-key-file", dir + "/stamp.key", "--no-journal"], log: dir + "/webhook.log")
        defer { kill(webhook.processIdentifier, SIGKILL) }
        let serving = try await CausewayBinary.line(in: dir + "/webhook.log", startingWith: "causeway webhook: serving https://")
        let address = try #require(serving.split(separator: " ").dropFirst(3).first).replacingOccurrences(of: "https://", with: "")

        // The cluster routes the webhook's Service to the process, as kube-proxy would.
        let cluster = try await SimCluster.start("overlay", tls: true) { options in
            options.serviceEndpoints["causeway-system/causeway-webhook:443"] = address
            options.tokens["alice-token"] = SimUser(name: "alice")
            options.rules["alice"] = [.all]
        }
        defer { Task { await cluster.stop() } }
        let kubeconfig = try cluster.writeKubeconfig(in: dir)
        let rendered = try await Command.run(["kubectl", "kustomize", Command.repository.appendingPathComponent("Deploy/overlays/webhook").path])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        var run = try await Command.kubectl(["apply", "-f", "-"], kubeconfig: kubeconfig, stdin: rendered.stdout)
        #expect(run.status == 0, "\(run.stderr)")
        // What cert-manager's CA injector does.
        let ca = Data(certificates.caPEM.utf8).base64EncodedString()
        run = try await Command.kubectl(["patch", "mutatingwebhookconfiguration", "causeway-acks", "--type", "json",
                                         "-p", #"[{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"\#(ca)"}]"#], kubeconfig: kubeconfig)
        #expect(run.status == 0, "\(run.stderr)")
        try await cluster.admin.create(yaml: """
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: evo, namespace: default}
            spec:
              steps: [{name: flag, acknowledge: {required: true}, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: flag}}]}}]
            """)
        let alice = try cluster.writeKubeconfig(in: dir + "/alice", token: "alice-token")
        run = try await Command.kubectl(["annotate", "evolution", "evo", "-n", "default", "ack.causeway.dev/flag=approved"], kubeconfig: alice)
        #expect(run.status == 0, "\(run.stderr)")
        let evolution = try await cluster.admin.get(.evolutions, name: "evo", namespace: "default")
        let stamp = evolution[path: "metadata", "annotations", "causeway.dev/ack-by.flag"]?.stringValue.flatMap { try? JSON.parse(Array($0.utf8)) }
        #expect(stamp?["user"] == "alice", "\(evolution[path: "metadata", "annotations"] ?? .null)")
    }
}
