import Foundation
import Testing
import KubeClient
import KubeJSON
import TestSupport
@testable import KubeSim
import KubeSimTesting

/// Real kubectl drives KubeSim over HTTPS (hack/test.sh installs kubectl when absent).
@Suite(.serialized) struct KubectlTests {
    /// Runs real kubectl against `kubeconfig` (a fresh discovery cache each time).
    static func kubectl(_ arguments: [String], kubeconfig: String, stdin: String? = nil, timeout: Int = 30) async throws -> CommandRun {
        try await Command.kubectl(arguments, kubeconfig: kubeconfig, stdin: stdin, timeout: timeout)
    }

    static let crdYAML = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: gadgets.probe.dev}
        spec:
          group: probe.dev
          scope: Namespaced
          names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd]}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            additionalPrinterColumns:
            - {name: Size, type: integer, jsonPath: .spec.size}
            - {name: Phase, type: string, jsonPath: .status.phase}
            - {name: Note, type: string, jsonPath: .status.phase, priority: 1}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, properties: {size: {type: integer, maximum: 10}}}
                  status:
                    type: object
                    properties:
                      phase: {type: string}
                      conditions: {type: array, items: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        """

    func withSim(_ body: (SimCluster, String) async throws -> Void) async throws {
        let h = try await SimCluster.start(tls: true)
        let path = NSTemporaryDirectory() + "kubesim-\(UUID().uuidString).kubeconfig"
        try h.sim.writeKubeconfig(to: path)
        do { try await body(h, path) } catch {
            await h.stop()
            throw error
        }
        await h.stop()
    }

    @Test func applyGetPatchWaitDelete() async throws {
        try await withSim { h, kc in
            var r = try await Self.kubectl(["apply", "-f", "-"], kubeconfig: kc, stdin: Self.crdYAML)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("customresourcedefinition.apiextensions.k8s.io/gadgets.probe.dev created"))

            r = try await Self.kubectl(["apply", "-f", "-"], kubeconfig: kc,
                                       stdin: "apiVersion: probe.dev/v1\nkind: Gadget\nmetadata: {name: g1, namespace: default}\nspec: {size: 3}\n")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("gadget.probe.dev/g1 created"))

            r = try await Self.kubectl(["apply", "--server-side", "-f", "-"], kubeconfig: kc,
                                       stdin: "apiVersion: probe.dev/v1\nkind: Gadget\nmetadata: {name: g2, namespace: default}\nspec: {size: 4}\n")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("gadget.probe.dev/g2 serverside-applied"))

            r = try await Self.kubectl(["apply", "-f", "-"], kubeconfig: kc,
                                       stdin: "apiVersion: probe.dev/v1\nkind: Gadget\nmetadata: {name: g3, namespace: default}\nspec: {size: 30}\n")
            #expect(r.status != 0)
            #expect(r.stderr.contains("should be less than or equal to 10"), "\(r.stderr)")

            r = try await Self.kubectl(["get", "gadgets"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            let header = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect(header.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "SIZE", "PHASE"], "\(r.stdout)")
            #expect(r.stdout.contains("g1") && r.stdout.contains("g2"))
            r = try await Self.kubectl(["get", "gadgets", "-o", "wide"], kubeconfig: kc)
            let wide = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect(wide.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "SIZE", "PHASE", "NOTE"], "\(r.stdout)")

            r = try await Self.kubectl(["get", "gd", "g1", "-o", "yaml"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("size: 3") && r.stdout.contains("uid:"))

            r = try await Self.kubectl(["patch", "gadget", "g1", "--subresource=status", "--type=merge",
                                        "-p", #"{"status":{"phase":"Ready","conditions":[{"type":"Ready","status":"True"}]}}"#], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            r = try await Self.kubectl(["wait", "--for=condition=Ready", "gadget/g1", "--timeout=10s"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("condition met"))

            // A pending finalizer keeps the object after delete; removing it completes the delete.
            _ = try await h.admin.patch(APIResource(group: "probe.dev", version: "v1", name: "gadgets", kind: "Gadget", namespaced: true),
                                         name: "g2", namespace: "default", .merge(["metadata": ["finalizers": ["probe.dev/hold"]]]))
            r = try await Self.kubectl(["delete", "gadget", "g2", "--wait=false"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            r = try await Self.kubectl(["get", "gadget", "g2", "-o", "jsonpath={.metadata.deletionTimestamp}"], kubeconfig: kc)
            #expect(!r.stdout.isEmpty)
            r = try await Self.kubectl(["patch", "gadget", "g2", "--type=merge", "-p", #"{"metadata":{"finalizers":null}}"#], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            r = try await Self.kubectl(["get", "gadget", "g2"], kubeconfig: kc)
            #expect(r.status != 0)
            #expect(r.stderr.contains("NotFound") || r.stderr.contains("not found"))
        }
    }

    @Test func imperativeCreatesSendProtobufAndWork() async throws {
        try await withSim { h, kc in
            var r = try await Self.kubectl(["create", "namespace", "team"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            r = try await Self.kubectl(["create", "configmap", "cfg", "-n", "team", "--from-literal=a=1", "--from-literal=b=two"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            r = try await Self.kubectl(["create", "secret", "generic", "s", "-n", "team", "--from-literal=pw=hunter2"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            let cm = try await h.admin.get(.configMaps, name: "cfg", namespace: "team")
            #expect(cm["data"] == ["a": "1", "b": "two"])
            let secret = try await h.admin.get(.secrets, name: "s", namespace: "team")
            #expect(secret[path: "data", "pw"] == .string(Data("hunter2".utf8).base64EncodedString()))
            r = try await Self.kubectl(["create", "deployment", "d", "--image=nginx"], kubeconfig: kc)
            #expect(r.status != 0)
            #expect(r.stderr.contains("send JSON (kubectl apply)"), "\(r.stderr)")
        }
    }

    @Test func getEventsShowsWhatHappenedToWhichObject() async throws {
        try await withSim { h, kc in
            _ = try await h.admin.create(.events, EventViewsTests.newEvent, namespace: "default")
            let r = try await Self.kubectl(["get", "events"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(lines.first == "LAST SEEN TYPE REASON OBJECT MESSAGE", "\(r.stdout)")
            #expect(lines.dropFirst().first?.hasSuffix("Normal StepStarted evolution/evo step gateway-policy started on eu-west") == true, "\(r.stdout)")
        }
    }

    @Test func getWatchSeesChanges() async throws {
        try await withSim { h, kc in
            let client = h.admin
            let writer = Task {
                try await Task.sleep(for: .milliseconds(1500))
                _ = try await client.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "watched"]], namespace: "default")
            }
            let r = try await Self.kubectl(["get", "configmaps", "-w", "--request-timeout=4s"], kubeconfig: kc)
            try await writer.value
            #expect(r.stdout.contains("watched"), "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        }
    }

    /// The tenancy workflow a platform admin runs, with kubectl's own typed clients
    /// (protobuf bodies): accounts, tokens, roles, bindings, `auth can-i` and `--as`.
    @Test func serviceAccountsTokensRolesAndCanI() async throws {
        try await withSim { h, kc in
            for args in [["create", "namespace", "team-a"], ["create", "serviceaccount", "deployer", "-n", "team-a"],
                         ["create", "role", "secret-reader", "--verb=get,list", "--resource=secrets", "-n", "team-a"]] {
                let r = try await Self.kubectl(args, kubeconfig: kc)
                #expect(r.status == 0, "\(args): \(r.stderr)")
            }
            var r = try await Self.kubectl(["auth", "can-i", "list", "secrets", "-n", "team-a", "--as=system:serviceaccount:team-a:deployer"], kubeconfig: kc)
            #expect(r.status == 1)
            #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "no")
            r = try await Self.kubectl(["create", "rolebinding", "deployer-reads", "--role=secret-reader", "--serviceaccount=team-a:deployer",
                                        "-n", "team-a"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            r = try await Self.kubectl(["auth", "can-i", "list", "secrets", "-n", "team-a", "--as=system:serviceaccount:team-a:deployer"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "yes")
            r = try await Self.kubectl(["auth", "can-i", "--list", "-n", "team-a", "--as=system:serviceaccount:team-a:deployer"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(rows.first == "Resources Non-Resource URLs Resource Names Verbs", "\(r.stdout)")
            #expect(rows.contains("secrets [] [] [get list]"), "\(r.stdout)")

            // A token for the account acts with exactly its rights.
            r = try await Self.kubectl(["create", "token", "deployer", "-n", "team-a"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            let token = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!token.isEmpty)
            r = try await Self.kubectl(["--token", token, "get", "secrets", "-n", "team-a"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            r = try await Self.kubectl(["--token", token, "create", "clusterrolebinding", "mine", "--clusterrole=cluster-admin",
                                        "--serviceaccount=team-a:deployer"], kubeconfig: kc)
            #expect(r.status != 0)
            #expect(r.stderr.contains(#"User "system:serviceaccount:team-a:deployer" cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope"#), "\(r.stderr)")

            // Whom a token authenticates as (a SelfSubjectReview, which every authenticated user may create).
            r = try await Self.kubectl(["--token", token, "auth", "whoami", "-o", "json"], kubeconfig: kc)
            #expect(r.status == 0, "\(r.stderr)")
            let review = try JSON.parse(Array(r.stdout.utf8))
            #expect(review["kind"] == "SelfSubjectReview" && review[path: "status", "userInfo", "username"] == "system:serviceaccount:team-a:deployer")
            #expect(review[path: "status", "userInfo", "groups"]?.arrayValue?.contains("system:authenticated") == true, "\(r.stdout)")
            r = try await Self.kubectl(["auth", "whoami", "--as=system:serviceaccount:team-a:deployer"], kubeconfig: kc)
            #expect(r.status == 0 && r.stdout.contains("system:serviceaccount:team-a:deployer"), "\(r.stdout) \(r.stderr)")
            _ = h
        }
    }
}
