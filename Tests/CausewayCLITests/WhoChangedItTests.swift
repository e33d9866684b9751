import Foundation
import Testing
import EvolutionAdmission
import EvolutionAPI
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import Ledger
import TestSupport

/// Who changed what Causeway applied, and a freeze: `causeway webhook` (the real binary) behind
/// Deploy/overlays/webhook's ValidatingWebhookConfigurations, applied to KubeSim with kubectl, journals bob's `kubectl patch` with the user KubeSim
/// authenticated, the Deviation names bob; on a frozen object bob is denied unless he breaks the
/// glass, Causeway's own revert passes, and with the webhook down the freeze fails closed.
@Suite(.serialized) struct WhoChangedItTests {
    static func evolution(_ name: String, policy: String, freeze: Bool) -> String {
        """
        apiVersion: causeway.dev/v1alpha1
        kind: Evolution
        metadata: {name: \(name), namespace: default}
        spec:
          drift: {policy: \(policy), freeze: \(freeze)}
          steps:
            - name: flag
              apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: \(name)-flag}, data: {mode: causeway}}]}
        """
    }

    /// A loopback port nobody listens on now (the webhook binds it next; the cluster routes its Service there).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SimTestingError("cannot pick a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func deviation(_ evolution: JSON) -> JSON? { evolution[path: "status", "drift", "deviations"]?.arrayValue?.last }

    @Test func theDeviationNamesThePersonAndAFreezeHoldsExceptForBrokenGlass() async throws {
        // Deploy/overlays/webhook as written, its Service routed to a `causeway webhook` on loopback (as kube-proxy would).
        let port = try Self.freePort()
        let home = try await SimCluster.start("governed", tls: true) { options in
            options.tokens["bob-token"] = SimUser(name: "bob")
            options.rules["bob"] = [.all]
            options.serviceEndpoints["causeway-system/causeway-webhook:443"] = "127.0.0.1:\(port)"
        }
        defer { Task { await home.stop() } }
        try await home.admin.installEvolutionCRD()
        try await home.admin.grantClusterAdmin()
        let dir = NSTemporaryDirectory() + "governed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let certificates = try SimCertificates.generate(name: "causeway-webhook", dnsNames: ["causeway-webhook.causeway-system.svc"])
        try certificates.serverCertificatePEM.write(toFile: dir + "/tls.crt", atomically: true, encoding: .utf8)
        try certificates.serverKeyPEM.write(toFile: dir + "/tls.key", atomically: true, encoding: .utf8)
        let keyBytes = StampKey.newBytes()
        try Data(keyBytes).write(to: URL(fileURLWithPath: dir + "/stamp.key"))
        let admin = try home.writeKubeconfig(in: dir + "/admin")
        let webhook = try CausewayBinary.start(["webhook", "--host", "127.0.0.1", "--port", "\(port)", "--cert-file", dir + "/tls.crt",
                                                "--key-file", dir + "/tls.key", "--stamp-key-file", dir + "/stamp.key", "--kubeconfig", admin],
                                               log: dir + "/webhook.log")
        defer { if webhook.isRunning { kill(webhook.processIdentifier, SIGKILL) } }
        _ = try await CausewayBinary.line(in: dir + "/webhook.log", startingWith: "causeway webhook: serving https://")
        let rendered = try await Command.run(["kubectl", "kustomize", Command.repository.appendingPathComponent("Deploy/overlays/webhook").path])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        var run = try await Command.kubectl(["apply", "-f", "-"], kubeconfig: admin, stdin: rendered.stdout)
        #expect(run.status == 0, "\(run.stderr)")
        // What cert-manager's CA injector does.
        let ca = Data(certificates.caPEM.utf8).base64EncodedString()
        for configuration in ["causeway-journal", "causeway-freeze"] {
            run = try await Command.kubectl(["patch", "validatingwebhookconfiguration", configuration, "--type", "json",
                                             "-p", #"[{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"\#(ca)"}]"#], kubeconfig: admin)
            #expect(run.status == 0, "\(run.stderr)")
        }
        try await home.admin.create(yaml: Self.evolution("watched", policy: "Report", freeze: false))
        try await home.admin.create(yaml: Self.evolution("frozen", policy: "Revert", freeze: true))
        var options = EvolutionController.Options(ledger: .configMaps)
        options.stampKey = StampKey(bytes: keyBytes)
        options.admissionWebhook = true  // as the overlay runs it (--admission-webhook)
        let controller = EvolutionController(client: home.admin, options: options)
        let running = Task { await controller.run() }
        defer { running.cancel() }
        for name in ["watched", "frozen"] {
            _ = try await home.admin.waitFor(.evolutions, name) {
                $0[path: "status", "phase"] == "Converged" && $0[path: "status", "drift", "owned"]?.arrayValue?.isEmpty == false
            }
        }
        let frozenFlag = try await home.admin.get(.configMaps, name: "frozen-flag", namespace: "default")
        #expect(frozenFlag[path: "metadata", "labels", "causeway.dev/frozen"] == "true")

        // bob changes what Causeway applied: the Deviation, in status and in the ledger, names him.
        let bob = try home.writeKubeconfig(in: dir + "/bob", token: "bob-token")
        run = try await Command.kubectl(["patch", "configmap", "watched-flag", "-n", "default", "--type", "merge", "-p", #"{"data":{"mode":"bob"}}"#],
                                            kubeconfig: bob)
        #expect(run.status == 0, "\(run.stderr)")
        let watched = try await home.admin.waitFor(.evolutions, "watched") { Self.deviation($0) != nil }
        #expect(Self.deviation(watched)?["people"] == ["bob"], "\(Self.deviation(watched) ?? .null)")
        #expect(Self.deviation(watched)?["manager"] == "kubectl-patch")
        let found = try await ConfigMapLedgerStore.ledgers(client: home.admin, namespace: "default", name: "watched")
        let entries = try await ConfigMapLedgerStore(client: home.admin, evolution: try #require(found.first).evolution).load()
        #expect(entries.first { $0.event == .deviation }?.detail["people"] == ["bob"])
        // A dry run is decided but not stored (sideEffects: NoneOnDryRun); a frozen=false label hides nothing.
        run = try await Command.kubectl(["label", "configmap", "watched-flag", "-n", "default", "causeway.dev/frozen=false"], kubeconfig: bob)
        #expect(run.status == 0, "\(run.stderr)")
        run = try await Command.kubectl(["patch", "configmap", "watched-flag", "-n", "default", "--type", "merge", "-p", #"{"data":{"mode":"dry"}}"#,
                                         "--dry-run=server"], kubeconfig: bob)
        #expect(run.status == 0, "\(run.stderr)")
        run = try await Command.kubectl(["patch", "configmap", "watched-flag", "-n", "default", "--type", "merge", "-p", #"{"data":{"mode":"bob-again"}}"#],
                                        kubeconfig: bob)
        #expect(run.status == 0, "\(run.stderr)")
        let firstHash = Self.deviation(watched)?["liveHash"]
        let again = try await home.admin.waitFor(.evolutions, "watched") { Self.deviation($0)?["liveHash"] != firstHash }
        #expect(Self.deviation(again)?["people"] == ["bob"], "the write after the label is journaled: \(Self.deviation(again) ?? .null)")
        let journal = try await home.admin.get(.configMaps, name: AdmissionJournal.configMapName, namespace: "default")
        let logged = AdmissionJournal.decode(journal[path: "data", AdmissionJournal.dataKey]?.stringValue ?? "").entries
        #expect(logged.count == 2 && !logged.contains { $0.dryRun }, "\(logged)")

        // Frozen: bob is denied, with what to do; breaking the glass passes and is recorded; Causeway's revert passes.
        run = try await Command.kubectl(["patch", "configmap", "frozen-flag", "-n", "default", "--type", "merge", "-p", #"{"data":{"mode":"bob"}}"#],
                                        kubeconfig: bob)
        #expect(run.status != 0)
        #expect(run.stderr.contains(#"admission webhook "freeze.causeway.dev" denied the request: v1 ConfigMap default/frozen-flag is frozen by Evolution default/frozen"#),
                "\(run.stderr)")
        #expect(run.stderr.contains("causeway.dev/break-glass"))
        run = try await Command.kubectl(["patch", "configmap", "frozen-flag", "-n", "default", "--type", "merge", "-p",
                                         #"{"metadata":{"annotations":{"causeway.dev/break-glass":"incident 42"}},"data":{"mode":"bob"}}"#], kubeconfig: bob)
        #expect(run.status == 0, "\(run.stderr)")
        let reverted = try await home.admin.waitFor(.evolutions, "frozen") { Self.deviation($0)?["state"] == "Reverted" }
        #expect(Self.deviation(reverted)?["people"] == ["bob"] && Self.deviation(reverted)?["breakGlass"] == ["incident 42"],
                "\(Self.deviation(reverted) ?? .null)")
        try await eventually("Causeway's revert went through the freeze") {
            try await home.admin.get(.configMaps, name: "frozen-flag", namespace: "default")[path: "data", "mode"] == "causeway"
        }

        // The webhook is down: the freeze fails closed with the API server's reason; elsewhere the write
        // passes (failurePolicy Ignore) and its Deviation says the journal holds no such write.
        kill(webhook.processIdentifier, SIGKILL)
        webhook.waitUntilExit()
        run = try await Command.kubectl(["patch", "configmap", "frozen-flag", "-n", "default", "--type", "merge", "-p", #"{"data":{"mode":"bob2"}}"#],
                                        kubeconfig: bob)
        #expect(run.status != 0 && run.stderr.contains(#"failed calling webhook "freeze.causeway.dev""#), "\(run.stderr)")
        run = try await Command.kubectl(["patch", "configmap", "watched-flag", "-n", "default", "--type", "merge", "-p", #"{"data":{"mode":"bob2"}}"#],
                                        kubeconfig: bob)
        #expect(run.status == 0, "\(run.stderr)")
        let unrecorded = try await home.admin.waitFor(.evolutions, "watched") {
            ($0[path: "status", "drift", "deviations"]?.arrayValue ?? []).contains { $0["journal"] != nil }
        }
        let gap = try #require((unrecorded[path: "status", "drift", "deviations"]?.arrayValue ?? []).first { $0["journal"] != nil })
        #expect(gap["people"] == nil)
        #expect(gap["journal"]?.stringValue?.contains("holds no write that left these values") == true, "\(gap)")
    }

    /// On a target reached through a kubeconfig (no impersonation) the mark names whom that kubeconfig
    /// authenticates as (a SelfSubjectReview); turning the freeze on reaches an object already converged.
    @Test func theMarkNamesTheKubeconfigsUserAndAFreezeReachesWhatIsConverged() async throws {
        let clusters = try await HomeAndRegion.start(home: "marks-home", region: "marks-region")
        defer { Task { await clusters.stop() } }
        try await clusters.home.admin.create(yaml: """
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: regional, namespace: default}
            spec:
              targets: [{name: eu-west, kubeconfigSecretRef: {name: marks-region}}]
              steps: [{name: flag, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: regional-flag}, data: {mode: causeway}}]}}]
            """)
        let key = StampKey(bytes: StampKey.newBytes())
        var options = EvolutionController.Options(ledger: .configMaps)
        options.stampKey = key
        options.admissionWebhook = true
        let controller = EvolutionController(client: clusters.home.admin, options: options)
        let running = Task { await controller.run() }
        defer { running.cancel() }
        _ = try await clusters.home.admin.waitFor(.evolutions, "regional") { $0[path: "status", "phase"] == "Converged" }
        let flag = try await clusters.region.admin.get(.configMaps, name: "regional-flag", namespace: "default")
        let mark = try #require(GovernanceMark.read(from: flag))
        let reference = try #require(ObjectReference(manifest: flag))
        #expect(mark.applier == (try await clusters.region.admin.whoAmI()) && mark.evolution == "default/regional" && !mark.freeze)
        #expect(key.verifies(mark, object: reference))
        #expect(flag[path: "metadata", "labels", "causeway.dev/governed"] == "true" && flag[path: "metadata", "labels", "causeway.dev/frozen"] == nil)

        var evolution = try await clusters.home.admin.get(.evolutions, name: "regional", namespace: "default")
        evolution["spec"]?["drift"] = ["freeze": true]
        _ = try await clusters.home.admin.update(.evolutions, evolution)
        try await eventually("the converged object is marked frozen") {
            let now = try await clusters.region.admin.get(.configMaps, name: "regional-flag", namespace: "default")
            return now[path: "metadata", "labels", "causeway.dev/frozen"] == "true" && GovernanceMark.read(from: now)?.freeze == true
        }
        let status = try await clusters.home.admin.get(.evolutions, name: "regional", namespace: "default")
        #expect(status[path: "status", "drift", "deviations"]?.arrayValue?.isEmpty ?? true, "re-marking is not drift")
    }

    /// Without the admission webhook nothing would hold a freeze: the Evolution is refused, saying so, and nothing is marked.
    @Test func aFreezeWithoutTheWebhookIsRefusedAndNothingIsMarked() async throws {
        let home = try await SimCluster.start("unfrozen")
        defer { Task { await home.stop() } }
        try await home.admin.installEvolutionCRD()
        try await home.admin.grantClusterAdmin()
        try await home.admin.create(yaml: Self.evolution("wanted", policy: "Report", freeze: true))
        try await home.admin.create(yaml: Self.evolution("plain", policy: "Report", freeze: false))
        var options = EvolutionController.Options(ledger: .configMaps)
        options.stampKey = StampKey(bytes: StampKey.newBytes())
        let controller = EvolutionController(client: home.admin, options: options)
        let running = Task { await controller.run() }
        defer { running.cancel() }
        let refused = try await home.admin.waitFor(.evolutions, "wanted") {
            ($0[path: "status", "conditions"]?.arrayValue ?? []).contains { $0["reason"] == "FreezeUnavailable" }
        }
        let condition = try #require((refused[path: "status", "conditions"]?.arrayValue ?? []).first { $0["reason"] == "FreezeUnavailable" })
        #expect(condition["message"]?.stringValue?.contains("install Deploy/overlays/webhook (it sets the flag) or remove spec.drift.freeze") == true, "\(condition)")
        try await eventually("the refusal is told as a Warning Event") {
            try await home.admin.list(.events, namespace: "default").items.contains { $0["reason"] == "FreezeUnavailable" && $0["type"] == "Warning" }
        }
        #expect(!home.sim.writeLog.contains { $0.name == "wanted-flag" }, "nothing of a refused plan is applied")
        _ = try await home.admin.waitFor(.evolutions, "plain") { $0[path: "status", "phase"] == "Converged" }
        let plain = try await home.admin.get(.configMaps, name: "plain-flag", namespace: "default")
        #expect(GovernanceMark.read(from: plain) == nil && plain[path: "metadata", "labels", "causeway.dev/governed"] == nil)
    }
}
