import Foundation
import Testing
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML
import Ledger
import TestSupport

/// Tenancy, end to end: the controller runs with exactly the rights Deploy/base
/// gives it, and every Evolution acts as an account of its own namespace. What a
/// tenant could not do herself, she cannot do through the controller.
@Suite(.serialized) struct TenancyScenarioTests {
    static let evolutions = ControllerScenarioTests.evolutions
    static let rbac = (clusterRoles: APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterroles", kind: "ClusterRole", namespaced: false),
                       roles: APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "roles", kind: "Role", namespaced: true),
                       roleBindings: APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "rolebindings", kind: "RoleBinding", namespaced: true))
    static let controllerUser = "system:serviceaccount:causeway-system:causeway-controller"

    /// A cluster with Deploy/base installed, and the controller running as its ServiceAccount.
    struct World {
        var sim: KubeSim
        var admin: KubeClient
        var controllerClient: KubeClient
        var controller: EvolutionController
        var task: Task<Void, Never>

        func stop() async {
            task.cancel()
            await task.value
            await sim.stop()
        }

        /// A user token (a human tenant), authorised by RBAC objects the test creates.
        func client(token: String) throws -> KubeClient {
            var config = admin.config
            config.credentials = .token(token)
            return try KubeClient(config: config)
        }
    }

    static func start(tenancy: TenancyPolicy = TenancyPolicy(), users: [String: String] = ["alice-token": "alice"]) async throws -> World {
        let cluster = try await SimCluster.start("tenancy") { options in
            for (token, name) in users { options.tokens[token] = SimUser(name: name) }
        }
        let sim = cluster.sim, admin = cluster.admin
        let rendered = try await Command.run(["kubectl", "kustomize", Command.repository.appendingPathComponent("Deploy/base").path])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        try await admin.create(yaml: rendered.stdout)
        let request: JSON = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": [:]]
        let response = try await admin.send("POST", "/api/v1/namespaces/causeway-system/serviceaccounts/causeway-controller/token",
                                            body: request.serialized())
        let token = try #require(try JSON.parse(response.body)[path: "status", "token"]?.stringValue)
        var config = admin.config
        config.credentials = .token(token)
        let controllerClient = try KubeClient(config: config)
        var options = EvolutionController.Options(ledger: .configMaps)
        options.tenancy = tenancy
        options.identity = "causeway-controller-0"
        let controller = EvolutionController(client: controllerClient, options: options)
        return World(sim: sim, admin: admin, controllerClient: controllerClient, controller: controller, task: Task { await controller.run() })
    }

    /// A tenant who may write Evolutions in `namespace` and nothing else.
    static func evolutionAuthor(_ world: World, user: String, namespace: String) async throws {
        try await world.admin.create(yaml: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: evolution-author, namespace: \(namespace)}
            rules: [{apiGroups: [causeway.dev], resources: [evolutions], verbs: [create, patch, get, list, watch]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: \(user)-authors, namespace: \(namespace)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: evolution-author}
            subjects: [{kind: User, name: \(user)}]
            """)
    }

    static func refusal(_ evolution: JSON) -> JSON? { evolution[path: "status", "refusal"] }

    static func ledger(_ world: World, _ evolution: JSON) async throws -> [LedgerEntry] {
        let ref = EvolutionRef(namespace: evolution[path: "metadata", "namespace"]?.stringValue ?? "",
                               name: evolution[path: "metadata", "name"]?.stringValue ?? "", uid: evolution[path: "metadata", "uid"]?.stringValue ?? "")
        return try await ConfigMapLedgerStore(client: world.admin, evolution: ref).load()
    }

    static func warnings(_ world: World, namespace: String, reason: String) async throws -> [String] {
        try await world.admin.list(.events, namespace: namespace).items
            .filter { $0["reason"]?.stringValue == reason && $0["type"] == "Warning" }
            .compactMap { $0["note"]?.stringValue }
    }

    static let escalation = """
        apiVersion: causeway.dev/v1alpha1
        kind: Evolution
        metadata: {name: grant-me, namespace: team-a}
        spec:
          steps:
            - name: grant
              apply:
                manifests:
                  - apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata: {name: secret-reader}
                    rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
                  - apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata: {name: alice-reads-secrets}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
                    subjects: [{kind: User, name: alice}]
        """

    /// The incident of the tenancy issue: a tenant's Evolution applying a ClusterRole and a
    /// binding to herself. As her namespace's default account it is refused with the API
    /// server's 403, in status, an Event and the ledger, and she still cannot read Secrets.
    /// With an account that may grant it, the same change goes through.
    @Test func aTenantCannotEscalateThroughTheController() async throws {
        let world = try await Self.start()
        defer { Task { await world.stop() } }
        try await world.admin.createNamespace("team-a")
        try await Self.evolutionAuthor(world, user: "alice", namespace: "team-a")
        let alice = try world.client(token: "alice-token")
        _ = try await alice.create(Self.evolutions, try YAML.parse(Self.escalation), namespace: "team-a")

        let refused = try await world.admin.waitFor(.evolutions, "grant-me", namespace: "team-a") { Self.refusal($0) != nil }
        let denial = #"User "system:serviceaccount:team-a:default" cannot patch resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope"#
        #expect(refused[path: "status", "phase"] == "Failed")
        #expect(Self.refusal(refused)?["reason"] == "Forbidden")
        #expect(Self.refusal(refused)?["message"]?.stringValue?.contains(denial) == true, "\(refused["status"]?.prettyString() ?? "")")
        let ready = LifecycleScenarioTests.condition(refused, "Ready")
        #expect(ready?["status"] == "False")
        #expect(ready?["reason"] == "Forbidden")
        let events = try await Self.warnings(world, namespace: "team-a", reason: "Forbidden")
        #expect(events.contains { $0.contains(denial) }, "\(events)")
        let failed = try await Self.ledger(world, refused).first { $0.event.rawValue == "StepFailed" }
        #expect(failed?.step == "grant")
        #expect(failed?.detail["message"]?.stringValue?.contains(denial) == true)

        // Nothing was applied, by anyone; alice still reads no Secrets.
        await #expect(throws: KubeClientError.self) { _ = try await world.admin.get(Self.rbac.clusterRoles, name: "secret-reader") }
        await #expect(throws: KubeClientError.self) { _ = try await alice.list(.secrets, namespace: "kube-system") }
        let granted = ["secret-reader", "alice-reads-secrets"]
        #expect(!world.sim.writeLog.contains { granted.contains($0.name) })
        #expect(!world.sim.writeLog.contains { $0.user == Self.controllerUser && !["evolutions", "configmaps", "events"].contains($0.resource) })

        // A platform admin gives team-a an account that may delegate RBAC; alice names it.
        try await world.admin.create(yaml: """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: rbac-admin, namespace: team-a}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: rbac-delegator}
            rules:
              - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles, clusterrolebindings], verbs: [get, list, watch, create, patch, update]}
              - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind, escalate]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: team-a-rbac-admin}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-delegator}
            subjects: [{kind: ServiceAccount, name: rbac-admin, namespace: team-a}]
            """)
        _ = try await alice.patch(Self.evolutions, name: "grant-me", namespace: "team-a", .merge(["spec": ["serviceAccountName": "rbac-admin"]]))
        let done = try await world.admin.waitFor(.evolutions, "grant-me", namespace: "team-a") {
            $0[path: "status", "phase"] == "Converged"
        }
        #expect(Self.refusal(done) == nil)
        _ = try await alice.list(.secrets, namespace: "kube-system")
        let grants = world.sim.writeLog.filter { granted.contains($0.name) }
        #expect(grants.filter(\.changed).map(\.name) == granted)
        #expect(grants.allSatisfy { $0.user == "system:serviceaccount:team-a:rbac-admin" && $0.fieldManager == "causeway" })
        let entries = try await Self.ledger(world, done)
        #expect(entries.contains { $0.event.rawValue == "Resumed" })
    }

    /// `--default-service-account` makes "no account" mean the named one (here: none at
    /// all); kubeconfig Secrets of other namespaces are refused; an account with rights in
    /// its own namespace only is refused anything elsewhere before anything starts.
    @Test func lockdownAndNamespacedAccounts() async throws {
        let world = try await Self.start(tenancy: TenancyPolicy(defaultServiceAccount: "causeway-nobody", controllerNamespace: "causeway-system"))
        defer { Task { await world.stop() } }
        for ns in ["team-b", "team-c"] { try await world.admin.createNamespace(ns) }
        try await world.admin.create(yaml: """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: deployer, namespace: team-b}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: configmap-editor, namespace: team-b}
            rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch, create, patch, update]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: deployer-edits, namespace: team-b}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmap-editor}
            subjects: [{kind: ServiceAccount, name: deployer}]
            """)
        func evolution(_ name: String, account: String?, configMapNamespace: String? = nil, target: String = "") -> JSON {
            let ns = configMapNamespace.map { ", namespace: \($0)" } ?? ""
            return try! YAML.parse("""
                apiVersion: causeway.dev/v1alpha1
                kind: Evolution
                metadata: {name: \(name), namespace: team-b}
                spec:
                  \(account.map { "serviceAccountName: \($0)" } ?? "")
                  \(target)
                  steps:
                    - name: settings
                      \(target.isEmpty ? "" : "targets: [remote]")
                      apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: settings\(ns)}, data: {mode: safe}}]}
                """)
        }
        _ = try await world.admin.create(Self.evolutions, evolution("no-account", account: nil), namespace: "team-b")
        _ = try await world.admin.create(Self.evolutions, evolution("elsewhere", account: "deployer", configMapNamespace: "team-c"), namespace: "team-b")
        _ = try await world.admin.create(Self.evolutions, evolution("borrowed-cluster", account: "deployer",
            target: "targets: [{name: remote, kubeconfigSecretRef: {name: prod, namespace: team-c}}]"), namespace: "team-b")
        _ = try await world.admin.create(Self.evolutions, evolution("own", account: "deployer"), namespace: "team-b")
        // An Evolution beside the controller, naming the controller's own account.
        var beside = evolution("borrow-the-controller", account: "causeway-controller")
        beside["metadata"]?["namespace"] = "causeway-system"
        _ = try await world.admin.create(Self.evolutions, beside, namespace: "causeway-system")

        let own = try await world.admin.waitFor(.evolutions, "own", namespace: "team-b") { $0[path: "status", "phase"] == "Converged" }
        #expect(Self.refusal(own) == nil)
        let written = try #require(world.sim.writeLog.last { $0.resource == "configmaps" && $0.name == "settings" })
        #expect(written.user == "system:serviceaccount:team-b:deployer")

        let nobody = try await world.admin.waitFor(.evolutions, "no-account", namespace: "team-b") { Self.refusal($0) != nil }
        #expect(Self.refusal(nobody)?["reason"] == "ServiceAccountNotFound")
        #expect(Self.refusal(nobody)?["message"]?.stringValue?.hasPrefix("ServiceAccount team-b/causeway-nobody (the controller's --default-service-account") == true)
        #expect(LifecycleScenarioTests.condition(nobody, "Ready")?["reason"] == "ServiceAccountNotFound")

        let elsewhere = try await world.admin.waitFor(.evolutions, "elsewhere", namespace: "team-b") { Self.refusal($0) != nil }
        #expect(Self.refusal(elsewhere)?["reason"] == "Forbidden")
        #expect(Self.refusal(elsewhere)?["message"]?.stringValue?.contains(
            #"configmaps "settings" is forbidden: User "system:serviceaccount:team-b:deployer" cannot patch resource "configmaps" in API group "" in the namespace "team-c""#) == true,
            "\(Self.refusal(elsewhere)?.prettyString() ?? "")")

        let borrowed = try await world.admin.waitFor(.evolutions, "borrowed-cluster", namespace: "team-b") { Self.refusal($0) != nil }
        #expect(Self.refusal(borrowed)?["reason"] == "CrossNamespaceRef")
        #expect(Self.refusal(borrowed)?["message"]?.stringValue?.contains("can't access Secret team-c/prod from namespace team-b") == true)

        #expect(!world.sim.writeLog.contains { $0.namespace == "team-c" }, "nothing reached team-c")

        let controllerOwn = try await world.admin.waitFor(.evolutions, "borrow-the-controller", namespace: "causeway-system") { Self.refusal($0) != nil }
        #expect(Self.refusal(controllerOwn)?["message"]?.stringValue?.hasPrefix("Evolutions in causeway-system, the controller's own namespace, are not run") == true)
        #expect(!world.sim.writeLog.contains { $0.user == "system:serviceaccount:causeway-system:causeway-controller" && $0.resource == "configmaps" && $0.name == "settings" })
    }

    /// A tenant's kubeconfig Secret that would run a command in the controller (exec) or make it
    /// send its own token file: refused before anything starts, and the command never runs.
    @Test func aKubeconfigThatWouldRunCodeInTheControllerIsRefused() async throws {
        let world = try await Self.start()
        defer { Task { await world.stop() } }
        try await world.admin.grantClusterAdmin()
        let marker = NSTemporaryDirectory() + "causeway-exec-\(UUID().uuidString)"
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: touch, args: ["\(marker)"]}}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """
        _ = try await world.admin.create(.secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "evil"],
                                                    "data": ["kubeconfig": .string(Data(kubeconfig.utf8).base64EncodedString())]], namespace: "default")
        _ = try await world.admin.create(Self.evolutions, try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: remote, namespace: default}
            spec:
              targets: [{name: far, kubeconfigSecretRef: {name: evil}}]
              steps: [{name: a, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}]}}]
            """), namespace: "default")
        let refused = try await world.admin.waitFor(.evolutions, "remote", namespace: "default") { Self.refusal($0) != nil }
        #expect(Self.refusal(refused)?["reason"] == "TargetUnreachable")
        #expect(Self.refusal(refused)?["message"]?.stringValue?.contains(#"user "u" uses exec, which a kubeconfig from a Secret may not"#) == true,
                "\(Self.refusal(refused)?.prettyString() ?? "")")
        #expect(!FileManager.default.fileExists(atPath: marker), "the command ran")
    }

    /// A controller whose own RBAC lost `impersonate` never falls back to acting as itself:
    /// the step fails with the API server's denial of the impersonation, and halts.
    @Test func anImpersonationDeniedHaltsAndNothingFallsBackToTheController() async throws {
        let world = try await Self.start()
        defer { Task { await world.stop() } }
        var role = try await world.admin.get(Self.rbac.clusterRoles, name: "causeway-tenant-namespace")
        role["rules"] = .array((role["rules"]?.arrayValue ?? []).map { rule in
            var r = rule
            r["verbs"] = .array((rule["verbs"]?.arrayValue ?? []).filter { $0 != "impersonate" })
            return r
        })
        _ = try await world.admin.update(Self.rbac.clusterRoles, role)
        try await world.admin.grantClusterAdmin()
        _ = try await world.admin.create(Self.evolutions, try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: plain, namespace: default}
            spec:
              steps: [{name: a, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}]}}]
            """), namespace: "default")
        let halted = try await world.admin.waitFor(.evolutions, "plain", namespace: "default") { $0[path: "status", "phase"] == "Halted" }
        let ready = LifecycleScenarioTests.condition(halted, "Ready")
        #expect(ready?["reason"] == "Forbidden")
        #expect(ready?["message"]?.stringValue?.contains(
            #"serviceaccounts "default" is forbidden: User "system:serviceaccount:causeway-system:causeway-controller" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default""#) == true,
            "\(ready?.prettyString() ?? "")")
        #expect(!world.sim.writeLog.contains { $0.resource == "configmaps" && $0.name == "a" }, "nothing applied, as anyone")
    }

    /// The controller's own rights, as `kubectl auth can-i --list` shows them once Deploy/base is
    /// applied with kubectl: no wildcard anywhere, no Secrets outside its namespace, nothing it
    /// could lend; only impersonating accounts.
    @Test func theControllersOwnRightsHoldNoWildcard() async throws {
        let cluster = try await SimCluster.start("deploy", tls: true)
        defer { Task { await cluster.stop() } }
        let kubeconfig = try cluster.writeKubeconfig(in: NSTemporaryDirectory() + "deploy-\(UUID().uuidString)")
        let rendered = try await Command.run(["kubectl", "kustomize", Command.repository.appendingPathComponent("Deploy/base").path])
        var run = try await Command.kubectl(["apply", "-f", "-"], kubeconfig: kubeconfig, stdin: rendered.stdout)
        #expect(run.status == 0, "\(run.stderr)")
        _ = try await Command.kubectl(["create", "namespace", "team-a"], kubeconfig: kubeconfig)
        let controller = "--as=\(Self.controllerUser)"
        run = try await Command.kubectl(["auth", "can-i", "--list", "-n", "team-a", controller], kubeconfig: kubeconfig)
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.count > 5, "\(run.stdout)")
        for row in rows where !row[0].hasPrefix("[") {
            #expect(!row[0].contains("*"), "wildcard resource: \(row.joined(separator: " "))")
            #expect(!row.joined(separator: " ").contains("[*]") && !row.last!.contains("*"), "wildcard verb: \(row.joined(separator: " "))")
        }
        for (args, expected) in [(["get", "secrets", "-n", "team-a"], "no"), (["create", "clusterrolebindings"], "no"),
                                 (["create", "configmaps", "-n", "team-a"], "yes"), (["impersonate", "serviceaccounts", "-n", "team-a"], "yes"),
                                 (["impersonate", "groups"], "no"), (["get", "secrets/causeway-ledger-signing-key", "-n", "causeway-system"], "yes"),
                                 (["patch", "evolutions", "-n", "team-a"], "no"), (["patch", "evolutions", "--subresource=status", "-n", "team-a"], "yes"),
                                 (["update", "evolutions", "--subresource=status", "-n", "team-a"], "no"),
                                 (["watch", "configmaps", "-n", "team-a"], "no"), (["update", "secrets/causeway-ledger-signing-key", "-n", "causeway-system"], "no")] {
            run = try await Command.kubectl(["auth", "can-i"] + args + [controller], kubeconfig: kubeconfig)
            #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == expected, "can-i \(args.joined(separator: " ")): \(run.stdout)\(run.stderr)")
        }
    }
}
