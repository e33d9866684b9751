import Foundation
import KubeClient
import KubeJSON
import KubeSim
import Ledger

/// What tenancy costs: KubeSim's RBAC evaluation per request (as the admin, and as a
/// ServiceAccount found among many bindings, impersonated), a dry-run apply as the
/// account (what admitting a plan costs per cluster-scoped object), and the
/// signatures on ledger checkpoints (in memory, and on ConfigMap appends).
func tenancyBenchmarks() async throws -> [Row] {
    var options = KubeSimOptions(name: "tenancy")
    options.tls = false
    options.historyWindow = 100_000
    let sim = try await KubeSim.start(options)
    defer { Task { await sim.stop() } }
    let admin = try KubeClient(config: try KubeConfig.parse(sim.kubeconfig()).restConfig())
    let roles = APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "roles", kind: "Role", namespaced: true)
    let roleBindings = APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "rolebindings", kind: "RoleBinding", namespaced: true)
    let clusterRoles = APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterroles", kind: "ClusterRole", namespaced: false)
    let clusterRoleBindings = APIResource(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterrolebindings",
                                          kind: "ClusterRoleBinding", namespaced: false)
    // 1,000 tenant namespaces, each with an account, a Role and a RoleBinding; 100 ClusterRoleBindings besides.
    let tenants = 1_000
    for t in 0..<tenants {
        let ns = "team-\(t)"
        _ = try await admin.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        _ = try await admin.create(roles, ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "deployer"],
                                           "rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch", "create", "patch"]]]],
                                   namespace: ns)
        _ = try await admin.create(roleBindings, ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "deployer"],
                                                  "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"],
                                                  "subjects": [["kind": "ServiceAccount", "name": "default", "namespace": .string(ns)]]],
                                   namespace: ns)
    }
    _ = try await admin.create(clusterRoles, ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "viewer"],
                                              "rules": [["apiGroups": ["*"], "resources": ["configmaps"], "verbs": ["get"]]]])
    for i in 0..<100 {
        _ = try await admin.create(clusterRoleBindings, ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                                                         "metadata": ["name": .string("viewer-\(i)")],
                                                         "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "viewer"],
                                                         "subjects": [["kind": "User", "name": .string("auditor-\(i)")]]])
    }
    let ns = "team-\(tenants / 2)"
    _ = try await admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "probe"]], namespace: ns)
    let tenant = admin.impersonating(.serviceAccount(namespace: ns, name: "default"))

    func requestsPerSecond(_ client: KubeClient) async throws -> Double {
        var best = 0.0
        for _ in 0..<3 {
            let start = ContinuousClock.now
            var n = 0
            while ContinuousClock.now - start < .milliseconds(600) {
                _ = try await client.get(.configMaps, name: "probe", namespace: ns)
                n += 1
            }
            best = max(best, Double(n) / (ContinuousClock.now - start).seconds)
        }
        return best
    }
    var rows: [Row] = []
    rows.append(Row(benchmark: "GET as admin (system:masters, static rule)", subject: "KubeSim authorizer", value: try await requestsPerSecond(admin),
                    unit: "req/s", target: ""))
    rows.append(Row(benchmark: "GET as an impersonated ServiceAccount, RBAC over \(tenants) RoleBindings + 100 ClusterRoleBindings",
                    subject: "KubeSim authorizer", value: try await requestsPerSecond(tenant), unit: "req/s", target: ""))

    // Admission: one dry-run server-side apply as the account per object beyond its namespace.
    let probe: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "planned", "namespace": .string(ns)], "data": ["k": "v"]]
    var latencies: [Double] = []
    for _ in 0..<200 {
        let start = ContinuousClock.now
        _ = try await tenant.apply(.configMaps, probe, fieldManager: "causeway", force: true, dryRun: true)
        latencies.append((ContinuousClock.now - start).seconds * 1000)
    }
    latencies.sort()
    rows.append(Row(benchmark: "dry-run apply as the account (admission, per object), p50", subject: "KubeSim + KubeClient",
                    value: latencies[latencies.count / 2], unit: "ms", target: ""))
    rows.append(Row(benchmark: "dry-run apply as the account (admission, per object), p99", subject: "KubeSim + KubeClient",
                    value: latencies[latencies.count * 99 / 100], unit: "ms", target: ""))

    // Checkpoint signatures.
    let signer = LedgerSigner()
    let keyring = LedgerKeyring(publicKeys: [signer.publicKey])
    let evolution = EvolutionRef(namespace: ns, name: "bench", uid: "0b7d4c1e-9a55-4f6f-8e2d-1c3b5a7d9e0f")
    let head = LedgerHead(seq: 1234, hash: .zero)
    rows.append(Row(benchmark: "Ed25519 checkpoint signatures", subject: "LedgerSigner (swift-crypto)",
                    value: try throughput { _ = try signer.sign(evolution, head: head) }, unit: "signatures/s", target: ""))
    let checkpoint = try signer.sign(evolution, head: head)
    rows.append(Row(benchmark: "Ed25519 checkpoint verifications", subject: "LedgerKeyring (swift-crypto)",
                    value: throughput { precondition(keyring.problem(with: checkpoint, of: evolution) == nil) }, unit: "verifications/s", target: ""))
    for (label, key) in [("unsigned", nil as LedgerSigner?), ("signed", signer)] {
        let ref = EvolutionRef(namespace: ns, name: "ledger-\(label)", uid: "uid-\(label)")
        let ledger = try await Ledger(evolution: ref, store: ConfigMapLedgerStore(client: admin, evolution: ref), signer: key)
        var n = 0
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(1) {
            _ = try await ledger.append((0..<5).map { i in
                EntryDraft(id: "\(n)-\(i)", event: .stepConverged, generation: 1, step: "s\(i)", target: "t", actor: "causeway-controller")
            })
            n += 1
        }
        rows.append(Row(benchmark: "ConfigMap ledger append, batches of 5, \(label)", subject: "Ledger + ConfigMapLedgerStore",
                        value: Double(n) / (ContinuousClock.now - start).seconds, unit: "batches/s", target: ""))
    }
    return rows
}
