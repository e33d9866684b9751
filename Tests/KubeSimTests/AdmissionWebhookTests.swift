import Foundation
import Synchronization
import Testing
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML
import TestSupport
import WebhookServer

/// KubeSim calls admission webhooks as the real API server does: an AdmissionReview over HTTPS
/// trusting the caBundle, JSONPatch mutations, the refusal text kubectl shows, failurePolicy,
/// and rules and selectors that decide who is called.
@Suite(.serialized) struct AdmissionWebhookTests {
    /// A webhook that records each AdmissionReview request and answers with `decide(request)`.
    final class Hook: Sendable {
        let server: WebhookServer
        let certificates: SimCertificates
        let recorder: Recorder

        final class Recorder: Sendable {
            let requests = Mutex<[JSON]>([])
        }

        init(server: WebhookServer, certificates: SimCertificates, recorder: Recorder) {
            self.server = server
            self.certificates = certificates
            self.recorder = recorder
        }

        var requests: [JSON] { recorder.requests.withLock { $0 } }

        static func start(_ decide: @escaping @Sendable (JSON) -> JSON) async throws -> Hook {
            let certificates = try SimCertificates.generate(name: "webhook")
            let recorder = Recorder()
            let server = try await WebhookServer.start(certificatePEM: certificates.serverCertificatePEM, keyPEM: certificates.serverKeyPEM) { _, _, body in
                guard let review = try? JSON.parse(body), let request = review["request"] else { return (400, Array("bad".utf8)) }
                recorder.requests.withLock { $0.append(request) }
                var response = decide(request)
                response["uid"] = request["uid"]
                return (200, (["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response] as JSON).serialized())
            }
            return Hook(server: server, certificates: certificates, recorder: recorder)
        }

        var url: String { "https://127.0.0.1:\(server.port)" }
        var caBundle: String { Data(certificates.caPEM.utf8).base64EncodedString() }

        func configuration(_ kind: String, name: String, path: String = "/", failurePolicy: String = "Fail", extra: String = "",
                           rules: String = "[{operations: [CREATE, UPDATE, DELETE], apiGroups: [\"\"], apiVersions: [v1], resources: [configmaps]}]") -> String {
            """
            apiVersion: admissionregistration.k8s.io/v1
            kind: \(kind)
            metadata: {name: \(name)}
            webhooks:
            - name: \(name)
              clientConfig: {url: "\(url)\(path)", caBundle: \(caBundle)}
              rules: \(rules)
              failurePolicy: \(failurePolicy)
              sideEffects: None
              admissionReviewVersions: [v1]
              timeoutSeconds: 2
            \(extra.isEmpty ? "" : "  " + extra)
            """
        }
    }

    static func configMap(_ name: String, namespace: String = "default", labels: JSON = [:]) -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
         "data": ["k": "v"]]
    }

    @Test func aMutatingWebhookPatchesWhatIsStoredAndIsToldWhoAsked() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let patch = Data(#"[{"op":"add","path":"/metadata/annotations","value":{"stamped-by":"webhook"}}]"#.utf8).base64EncodedString()
        let hook = try await Hook.start { _ in ["allowed": true, "patchType": "JSONPatch", "patch": .string(patch)] }
        defer { Task { await hook.server.stop() } }
        try await h.admin.create(yaml: hook.configuration("MutatingWebhookConfiguration", name: "stamp.probe.dev"))
        let alice = try h.client(token: "alice-token")
        try await h.admin.create(yaml: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: configmap-editor, namespace: default}
            rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, create, patch, update, delete]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: alice-edits, namespace: default}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmap-editor}
            subjects: [{kind: User, name: alice}]
            """)
        let created = try await alice.create(.configMaps, Self.configMap("stamped"), namespace: "default")
        #expect(created[path: "metadata", "annotations", "stamped-by"] == "webhook")
        let stored = try await h.admin.get(.configMaps, name: "stamped", namespace: "default")
        #expect(stored[path: "metadata", "annotations", "stamped-by"] == "webhook")
        let request = try #require(hook.requests.last)
        #expect(request["operation"] == "CREATE" && request[path: "userInfo", "username"] == "alice")
        #expect(request["kind"] == ["group": "", "version": "v1", "kind": "ConfigMap"])
        #expect(request["resource"] == ["group": "", "version": "v1", "resource": "configmaps"])
        #expect(request["name"] == "stamped" && request["namespace"] == "default" && request["dryRun"] == false)
        #expect(request[path: "options", "kind"] == "CreateOptions" && request["oldObject"] == .null)
        #expect(request[path: "object", "data", "k"] == "v")

        _ = try await alice.patch(.configMaps, name: "stamped", namespace: "default", .merge(["data": ["k": "w"]]))
        let update = try #require(hook.requests.last)
        #expect(update["operation"] == "UPDATE" && update[path: "oldObject", "data", "k"] == "v" && update[path: "object", "data", "k"] == "w")
        // The request's own options: a PATCH's are PatchOptions (with its field manager), a PUT's UpdateOptions.
        #expect(update[path: "options", "kind"] == "PatchOptions", "\(update["options"] ?? .null)")
        var replaced = try await alice.get(.configMaps, name: "stamped", namespace: "default")
        replaced["data"] = ["k": "x"]
        _ = try await alice.update(.configMaps, replaced, namespace: "default", options: WriteOptions(fieldManager: "editor"))
        let put = try #require(hook.requests.last)
        #expect(put[path: "options", "kind"] == "UpdateOptions" && put[path: "options", "fieldManager"] == "editor")
    }

    @Test func aRefusalReadsAsTheRealServerWordsItInKubectl() async throws {
        let h = try await SimCluster.start(tls: true)
        defer { Task { await h.stop() } }
        let hook = try await Hook.start { request in
            request["operation"] == "DELETE" ? ["allowed": false, "status": ["code": 403, "reason": "Forbidden", "message": "frozen"]]
                : request[path: "object", "data", "k"] == "bad" ? ["allowed": false, "status": ["message": "no thanks"]] : ["allowed": true]
        }
        defer { Task { await hook.server.stop() } }
        try await h.admin.create(yaml: hook.configuration("ValidatingWebhookConfiguration", name: "deny.probe.dev"))
        let kubeconfig = try h.writeKubeconfig(in: NSTemporaryDirectory() + "admission-\(UUID().uuidString)")
        var run = try await Command.kubectl(["apply", "-f", "-"], kubeconfig: kubeconfig,
                                            stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\ndata: {k: bad}\n")
        #expect(run.status == 1)
        #expect(run.stderr.contains(#"Error from server: error when creating "STDIN": admission webhook "deny.probe.dev" denied the request: no thanks"#),
                "\(run.stderr)")
        run = try await Command.kubectl(["create", "configmap", "c", "-n", "default", "--from-literal=k=good"], kubeconfig: kubeconfig)
        #expect(run.status == 0, "\(run.stderr)")
        run = try await Command.kubectl(["delete", "configmap", "c", "-n", "default"], kubeconfig: kubeconfig)
        #expect(run.status == 1)
        #expect(run.stderr.contains(#"Error from server (Forbidden): admission webhook "deny.probe.dev" denied the request: frozen"#), "\(run.stderr)")
        #expect(hook.requests.last?["operation"] == "DELETE" && hook.requests.last?[path: "oldObject", "data", "k"] == "good")
        _ = try await h.admin.get(.configMaps, name: "c", namespace: "default")
    }

    @Test func aWebhookThatCannotBeReachedFailsOrIsIgnoredAsItsPolicySays() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let hook = try await Hook.start { _ in ["allowed": true] }
        let url = hook.url
        await hook.server.stop()
        try await h.admin.create(yaml: hook.configuration("ValidatingWebhookConfiguration", name: "down.probe.dev"))
        let error = await #expect(throws: KubeClientError.self) { try await h.admin.create(.configMaps, Self.configMap("a"), namespace: "default") }
        #expect(error?.statusCode == 500)
        guard case .api(let status)? = error else { return }
        #expect(status.reason == "InternalError")
        #expect(status.message.hasPrefix(#"Internal error occurred: failed calling webhook "down.probe.dev": failed to call webhook: Post "\#(url)/": "#), "\(status.message)")
        try await h.admin.delete(APIResource(group: "admissionregistration.k8s.io", version: "v1", name: "validatingwebhookconfigurations",
                                             kind: "ValidatingWebhookConfiguration", namespaced: false), name: "down.probe.dev")
        try await h.admin.create(yaml: hook.configuration("ValidatingWebhookConfiguration", name: "down.probe.dev", failurePolicy: "Ignore"))
        _ = try await h.admin.create(.configMaps, Self.configMap("b"), namespace: "default")
    }

    @Test func rulesAndSelectorsDecideWhoIsCalled() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let hook = try await Hook.start { _ in ["allowed": true] }
        defer { Task { await hook.server.stop() } }
        try await h.admin.create(yaml: hook.configuration("ValidatingWebhookConfiguration", name: "governed.probe.dev",
            extra: "namespaceSelector: {matchLabels: {governed: \"true\"}}\n  objectSelector: {matchExpressions: [{key: skip, operator: DoesNotExist}]}"))
        try await h.admin.create(yaml: """
            apiVersion: v1
            kind: Namespace
            metadata: {name: governed, labels: {governed: "true"}}
            """)
        _ = try await h.admin.create(.configMaps, Self.configMap("outside"), namespace: "default")
        _ = try await h.admin.create(.configMaps, Self.configMap("skipped", namespace: "governed", labels: ["skip": "yes"]), namespace: "governed")
        _ = try await h.admin.create(.secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"]], namespace: "governed")
        #expect(hook.requests.isEmpty, "\(hook.requests.map { $0["name"] ?? .null })")
        _ = try await h.admin.create(.configMaps, Self.configMap("inside", namespace: "governed"), namespace: "governed")
        #expect(hook.requests.map { $0["name"] } == ["inside"])
    }

    @Test func configurationsAreValidatedAsTheRealServerDoes() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let error = await #expect(throws: KubeClientError.self) {
            try await h.admin.create(yaml: """
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                metadata: {name: plain}
                webhooks:
                - name: plain.probe.dev
                  clientConfig: {url: "http://127.0.0.1:1/"}
                  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps]}]
                """)
        }
        #expect(error?.statusCode == 422)
        guard case .api(let status)? = error else { return }
        #expect(status.message.contains(#"webhooks[0].clientConfig.url: Invalid value: "http://127.0.0.1:1/": 'https' is the only allowed URL scheme"#), "\(status.message)")
        #expect(status.message.contains("webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun"))
        #expect(status.message.contains("webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1"))
    }

    /// Replays under admission keep what the request made once: a generated name is stored under
    /// itself; a collection delete deletes the collection; a down webhook never guards its own configuration.
    @Test func generatedNamesCollectionDeletesAndConfigurationsSurviveAdmission() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let patch = Data(#"[{"op":"add","path":"/metadata/labels","value":{"seen":"yes"}}]"#.utf8).base64EncodedString()
        let hook = try await Hook.start { _ in ["allowed": true, "patchType": "JSONPatch", "patch": .string(patch)] }
        try await h.admin.create(yaml: hook.configuration("MutatingWebhookConfiguration", name: "label.probe.dev"))
        var generated = Self.configMap("")
        generated["metadata"] = ["generateName": "gen-", "namespace": "default"]
        let created = try await h.admin.create(.configMaps, generated, namespace: "default")
        let name = try #require(created[path: "metadata", "name"]?.stringValue)
        let stored = try await h.admin.get(.configMaps, name: name, namespace: "default")
        #expect(stored[path: "metadata", "name"]?.stringValue == name && stored[path: "metadata", "labels", "seen"] == "yes")
        for i in 0..<5 { _ = try await h.admin.create(.configMaps, Self.configMap("many-\(i)"), namespace: "default") }
        _ = try await h.admin.send("DELETE", "/api/v1/namespaces/default/configmaps")
        #expect(try await h.admin.list(.configMaps, namespace: "default").items.isEmpty)
        // The webhook goes down with failurePolicy Fail on everything: its configuration can still be removed.
        await hook.server.stop()
        _ = try await h.admin.send("DELETE", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/label.probe.dev")
        _ = try await h.admin.create(.configMaps, Self.configMap("after"), namespace: "default")
    }
}
