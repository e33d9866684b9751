import Foundation
import Testing
import KubeClient
import KubeJSON
import KubeYAML
@testable import KubeSim
import KubeSimTesting

/// KubeSim authorises with the RBAC objects it stores, as the real RBAC
/// authorizer does, and words every denial as the real server words it.
struct RBACTests {
    static func yaml(_ text: String) -> JSON { try! YAML.parse(text) }

    static func role(_ name: String, namespace: String? = nil, _ rules: String) -> JSON {
        yaml("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: \(namespace == nil ? "ClusterRole" : "Role")
            metadata: {name: \(name)\(namespace.map { ", namespace: \($0)" } ?? "")}
            rules: \(rules)
            """)
    }

    static func binding(_ name: String, namespace: String? = nil, role: String, roleKind: String = "ClusterRole", subject: String) -> JSON {
        yaml("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: \(namespace == nil ? "ClusterRoleBinding" : "RoleBinding")
            metadata: {name: \(name)\(namespace.map { ", namespace: \($0)" } ?? "")}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: \(roleKind), name: \(role)}
            subjects: [\(subject)]
            """)
    }

    static let roles = APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "roles", kind: "Role", namespaced: true)
    static let clusterRoles = APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterroles", kind: "ClusterRole", namespaced: false)
    static let roleBindings = APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "rolebindings", kind: "RoleBinding", namespaced: true)
    static let clusterRoleBindings = APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterrolebindings",
                                                 kind: "ClusterRoleBinding", namespaced: false)
    static let serviceAccounts = APIResource(group: "", version: "v1", name: "serviceaccounts", kind: "ServiceAccount", namespaced: true)

    func namespace(_ h: SimCluster, _ name: String) async throws {
        _ = try await h.admin.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
    }

    func message(_ error: any Error) -> String {
        if case .api(let status)? = error as? KubeClientError { return status.message }
        return "\(error)"
    }

    @Test func rolesAndBindingsGrantWhereTheyApplyAndNowhereElse() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await namespace(h, "team-a")
        let alice = try h.client(token: "alice-token")
        await #expect(throws: KubeClientError.self) { _ = try await alice.list(.configMaps, namespace: "team-a") }

        _ = try await h.admin.create(Self.clusterRoles, Self.role("cm-reader", #"[{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]"#))
        // A RoleBinding to a ClusterRole grants it in the binding's namespace only.
        _ = try await h.admin.create(Self.roleBindings, Self.binding("alice-reads", namespace: "team-a", role: "cm-reader",
                                                                       subject: "{kind: User, name: alice}"))
        _ = try await alice.list(.configMaps, namespace: "team-a")
        do {
            _ = try await alice.list(.configMaps, namespace: "default")
            Issue.record("alice listed another namespace")
        } catch {
            #expect(message(error) == #"configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default""#)
        }

        // resourceNames narrow a rule to named objects; a list has no name, so it never matches.
        _ = try await h.admin.create(Self.roles, Self.role("one-secret", namespace: "team-a",
            #"[{apiGroups: [""], resources: [secrets], resourceNames: [app-token], verbs: [get, list]}]"#))
        _ = try await h.admin.create(Self.roleBindings, Self.binding("alice-one-secret", namespace: "team-a", role: "one-secret",
                                                                       roleKind: "Role", subject: "{kind: Group, name: system:authenticated}"))
        await #expect(throws: KubeClientError.self) { _ = try await alice.list(.secrets, namespace: "team-a") }
        do {
            _ = try await alice.get(.secrets, name: "app-token", namespace: "team-a")
        } catch {
            #expect(error.statusCode == 404, "authorised, then not found: \(error)")
        }
    }

    @Test func aMissingRoleIsTheDenialsReason() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        _ = try await h.admin.create(Self.clusterRoleBindings, Self.binding("ghost", role: "does-not-exist", subject: "{kind: User, name: alice}"))
        do {
            _ = try await h.client(token: "alice-token").list(.configMaps, namespace: "default")
            Issue.record("allowed")
        } catch {
            #expect(message(error) == #"configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default": RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found"#)
        }
    }

    @Test func serviceAccountTokensAuthenticateUntilTheAccountGoes() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await namespace(h, "team-a")
        // The ServiceAccount controller's "default" account appears with the namespace.
        let fallback = try await h.admin.get(Self.serviceAccounts, name: "default", namespace: "team-a")
        #expect(fallback[path: "metadata", "uid"] != nil)

        _ = try await h.admin.create(Self.serviceAccounts, ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "deployer"]],
                                      namespace: "team-a")
        let request: JSON = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 3600]]
        let response = try await h.admin.send("POST", "/api/v1/namespaces/team-a/serviceaccounts/deployer/token", body: request.serialized())
        #expect(response.status == 201)
        let token = try #require(try JSON.parse(response.body)[path: "status", "token"]?.stringValue)
        _ = try await h.admin.create(Self.roleBindings, Self.binding("deployer-edits", namespace: "team-a", role: "cluster-admin",
                                                                       subject: "{kind: ServiceAccount, name: deployer}"))
        let deployer = try h.client(token: token)
        _ = try await deployer.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "made-by-sa"]], namespace: "team-a")
        #expect(h.sim.writeLog.last?.user == "system:serviceaccount:team-a:deployer")

        do {
            _ = try await h.admin.send("POST", "/api/v1/namespaces/team-a/serviceaccounts/nobody/token", body: request.serialized())
            Issue.record("a token for a missing account")
        } catch {
            #expect(error.statusCode == 404)
            #expect(message(error) == #"serviceaccounts "nobody" not found"#)
        }
        try await h.admin.delete(Self.serviceAccounts, name: "deployer", namespace: "team-a")
        await #expect(throws: KubeClientError.self) { _ = try await deployer.list(.configMaps, namespace: "team-a") }
    }

    @Test func impersonationNeedsTheImpersonateVerbAndActsWithTheTargetsRightsOnly() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await namespace(h, "team-a")
        let alice = try h.client(token: "alice-token")
        let asDeployer = alice.impersonating(.serviceAccount(namespace: "team-a", name: "deployer"))
        do {
            _ = try await asDeployer.list(.configMaps, namespace: "team-a")
            Issue.record("impersonated without the verb")
        } catch {
            #expect(error.statusCode == 403)
            #expect(message(error) == #"serviceaccounts "deployer" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team-a""#)
        }
        _ = try await h.admin.create(Self.clusterRoles, Self.role("impersonator",
            #"[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}]"#))
        _ = try await h.admin.create(Self.clusterRoleBindings, Self.binding("alice-impersonates", role: "impersonator",
                                                                              subject: "{kind: User, name: alice}"))
        // Allowed to impersonate, but the account itself may do nothing yet: the denial names the account.
        do {
            _ = try await asDeployer.list(.configMaps, namespace: "team-a")
            Issue.record("the account has no rights")
        } catch {
            #expect(message(error) == #"configmaps is forbidden: User "system:serviceaccount:team-a:deployer" cannot list resource "configmaps" in API group "" in the namespace "team-a""#)
        }
        // Its groups come from the server: a binding to system:serviceaccounts:team-a applies.
        _ = try await h.admin.create(Self.roleBindings, Self.binding("team-sas", namespace: "team-a", role: "cluster-admin",
                                                                       subject: "{kind: Group, name: \"system:serviceaccounts:team-a\"}"))
        _ = try await asDeployer.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"]], namespace: "team-a")
        #expect(h.sim.writeLog.last?.user == "system:serviceaccount:team-a:deployer")
        // Groups without a user are refused.
        do {
            _ = try await alice.impersonating(Impersonation(user: "", groups: ["system:masters"])).list(.configMaps, namespace: "team-a")
            Issue.record("groups without a user")
        } catch {
            #expect(error.statusCode == 400)
        }
        // Naming a group needs `impersonate` on groups, which alice lacks.
        do {
            _ = try await alice.impersonating(Impersonation(user: "system:serviceaccount:team-a:deployer", groups: ["system:masters"]))
                .list(.secrets, namespace: "kube-system")
            Issue.record("impersonated system:masters")
        } catch {
            #expect(message(error) == #"groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope"#)
        }
    }

    @Test func nobodyGrantsWhatTheyDoNotHold() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await namespace(h, "team-a")
        _ = try await h.admin.create(Self.clusterRoles, Self.role("rbac-writer",
            #"[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles, clusterrolebindings, roles, rolebindings], verbs: [create, patch, update, get]}]"#))
        _ = try await h.admin.create(Self.clusterRoleBindings, Self.binding("alice-writes-rbac", role: "rbac-writer",
                                                                              subject: "{kind: User, name: alice}"))
        let alice = try h.client(token: "alice-token")
        let secretReader = Self.role("secret-reader", #"[{apiGroups: [""], resources: [secrets], verbs: [get, list]}]"#)
        let expected = """
            clusterroles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
            {APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}
            """
        for dryRun in [true, false] {
            do {
                _ = try await alice.create(Self.clusterRoles, secretReader, options: WriteOptions(dryRun: dryRun))
                Issue.record("alice granted what she does not hold (dryRun: \(dryRun))")
            } catch {
                #expect(error.statusCode == 403)
                #expect(message(error) == expected)
            }
        }
        // Server-side apply meets the same check.
        await #expect(throws: KubeClientError.self) { _ = try await alice.apply(Self.clusterRoles, secretReader, fieldManager: "kubectl") }

        // An admin makes the role; binding it still needs what it grants, or `bind` on it.
        _ = try await h.admin.create(Self.clusterRoles, secretReader)
        let grant = Self.binding("alice-reads-secrets", role: "secret-reader", subject: "{kind: User, name: alice}")
        do {
            _ = try await alice.create(Self.clusterRoleBindings, grant)
            Issue.record("alice bound a role she does not hold")
        } catch {
            #expect(message(error).hasPrefix(#"clusterrolebindings.rbac.authorization.k8s.io "alice-reads-secrets" is forbidden: user "alice""#))
        }
        do {
            _ = try await alice.create(Self.clusterRoleBindings, Self.binding("to-nothing", role: "missing", subject: "{kind: User, name: alice}"))
            Issue.record("bound a missing role")
        } catch {
            #expect(error.statusCode == 404)
            #expect(message(error) == #"clusterroles.rbac.authorization.k8s.io "missing" not found"#)
        }
        _ = try await h.admin.create(Self.clusterRoles, Self.role("binder",
            #"[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [secret-reader], verbs: [bind]}]"#))
        _ = try await h.admin.create(Self.clusterRoleBindings, Self.binding("alice-binds", role: "binder", subject: "{kind: User, name: alice}"))
        _ = try await alice.create(Self.clusterRoleBindings, grant)
        _ = try await alice.list(.secrets, namespace: "kube-system")
    }

    @Test func anApplyThatCreatesNeedsCreate() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        _ = try await h.admin.create(Self.roles, Self.role("patcher", namespace: "default",
            #"[{apiGroups: [""], resources: [configmaps], verbs: [get, patch]}]"#))
        _ = try await h.admin.create(Self.roleBindings, Self.binding("alice-patches", namespace: "default", role: "patcher",
                                                                       roleKind: "Role", subject: "{kind: User, name: alice}"))
        let cm: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "new", "namespace": "default"], "data": ["a": "1"]]
        let alice = try h.client(token: "alice-token")
        do {
            _ = try await alice.apply(.configMaps, cm, fieldManager: "alice")
            Issue.record("created without create")
        } catch {
            #expect(error.statusCode == 403)
            #expect(message(error) == #"configmaps "new" is forbidden: "#)
        }
        _ = try await h.admin.create(.configMaps, cm)
        _ = try await alice.apply(.configMaps, cm, fieldManager: "alice")
    }

    @Test func accessReviewsAnswerForTheRequesterAfterImpersonation() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        func review(_ client: KubeClient, _ attributes: JSON) async throws -> JSON {
            let body: JSON = ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": ["resourceAttributes": attributes]]
            let response = try await client.send("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body: body.serialized())
            #expect(response.status == 201)
            return try JSON.parse(response.body)
        }
        let admin = try await review(h.admin, ["verb": "delete", "resource": "nodes"])
        #expect(admin[path: "status", "allowed"] == true)
        #expect(admin[path: "status", "reason"] == #"RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters""#
            || admin[path: "status", "reason"] == nil)
        let sa = try await review(h.admin.impersonating(.serviceAccount(namespace: "default", name: "default")),
                                  ["verb": "list", "resource": "secrets", "namespace": "default"])
        #expect(sa[path: "status", "allowed"] == false)
        #expect(sa[path: "spec", "resourceAttributes", "verb"] == "list", "the spec is echoed")

        let rules: JSON = ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": ["namespace": "default"]]
        let response = try await h.client(token: "alice-token").send("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                                                                    body: rules.serialized())
        let status = try JSON.parse(response.body)["status"]
        let resources = (status?["resourceRules"]?.arrayValue ?? []).flatMap { ($0["resources"]?.arrayValue ?? []).compactMap(\.stringValue) }
        #expect(resources.sorted() == ["selfsubjectaccessreviews", "selfsubjectreviews", "selfsubjectrulesreviews"])
        #expect(status?["incomplete"] == false)
    }

    @Test func fidelityCornersOfImpersonationBindingsAndPaths() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        // A malformed ServiceAccount username is a plain user: impersonating it needs `impersonate` on users.
        _ = try await h.admin.create(Self.clusterRoles, Self.role("sa-impersonator", #"[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}]"#))
        _ = try await h.admin.create(Self.clusterRoleBindings, Self.binding("alice-sa", role: "sa-impersonator", subject: "{kind: User, name: alice}"))
        let alice = try h.client(token: "alice-token")
        do {
            _ = try await alice.impersonating(Impersonation(user: "system:serviceaccount:Team_A:x")).list(.configMaps, namespace: "default")
            Issue.record("a malformed account name was impersonated as an account")
        } catch {
            #expect(message(error).contains(#"cannot impersonate resource "users""#), "\(message(error))")
        }
        // Bindings: only Role or ClusterRole, and a roleRef never changes.
        do {
            _ = try await h.admin.create(Self.roleBindings, Self.binding("odd", namespace: "default", role: "x", roleKind: "Group", subject: "{kind: User, name: alice}"))
            Issue.record("a binding to a Group kind")
        } catch {
            #expect(error.statusCode == 422)
            #expect(message(error).contains(#"roleRef.kind: Unsupported value: "Group": supported values: "Role", "ClusterRole""#), "\(message(error))")
        }
        var binding = try await h.admin.get(Self.clusterRoleBindings, name: "alice-sa")
        binding["roleRef"]?["name"] = "cluster-admin"
        do {
            _ = try await h.admin.update(Self.clusterRoleBindings, binding)
            Issue.record("roleRef changed")
        } catch {
            #expect(message(error).contains("roleRef: Invalid value"), "\(message(error))")
            #expect(message(error).hasSuffix("cannot change roleRef"))
        }
        // An aggregation rule gathers anything: only a cluster admin may write one.
        _ = try await h.admin.create(Self.clusterRoles, Self.role("role-writer",
            #"[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [create]}, {apiGroups: [""], resources: [configmaps], verbs: [get]}]"#))
        _ = try await h.admin.create(Self.clusterRoleBindings, Self.binding("alice-writes-roles", role: "role-writer", subject: "{kind: User, name: alice}"))
        var aggregated = Self.role("gatherer", #"[{apiGroups: [""], resources: [configmaps], verbs: [get]}]"#)
        aggregated["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": ["gather": "true"]]]]
        do {
            _ = try await alice.create(Self.clusterRoles, aggregated)
            Issue.record("an aggregation rule from a non-admin")
        } catch {
            #expect(message(error) == #"clusterroles.rbac.authorization.k8s.io "gatherer" is forbidden: must have cluster-admin privileges to use the aggregationRule"#)
        }
        // /version and /version/ are different URLs to RBAC; discovery is open to the authenticated only.
        let anonymous = try h.client(token: nil)
        #expect(try await anonymous.send("GET", "/version/").status == 200)
        await #expect(throws: KubeClientError.self) { _ = try await anonymous.send("GET", "/apis/") }
    }
}
