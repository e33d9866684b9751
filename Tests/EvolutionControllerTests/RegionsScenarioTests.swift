import Foundation
import Testing
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML

/// The essay's shape on three in-process regions: a gateway policy that eu-west
/// absorbs slowly, then a feature flag. Ordering is proven from each region's
/// own write log, not from what the controller says about itself.
@Suite(.serialized) struct RegionsScenarioTests {
    static let regions: [(String, Duration)] = [("us-east", .milliseconds(100)), ("eu-west", .milliseconds(900)), ("ap-south", .milliseconds(200))]

    struct World {
        var home: KubeClient
        var homeSim: KubeSim
        var regions: [String: KubeSim]

        func stop() async {
            await homeSim.stop()
            for sim in regions.values { await sim.stop() }
        }
    }

    /// `grant`: let the Evolutions' account (default/default) do anything on the home cluster; else only read its Secrets.
    static func world(grant: Bool = true) async throws -> World {
        let homeCluster = try await SimCluster.start("home") { $0.recordRequests = true }
        let homeSim = homeCluster.sim, home = homeCluster.admin
        try await home.installEvolutionCRD()
        if grant { try await home.grantClusterAdmin() } else {
            try await home.create(yaml: Self.secretReader)
        }
        var regions: [String: KubeSim] = [:]
        for (name, delay) in Self.regions {
            let cluster = try await SimCluster.start(name, tls: true) {
                $0.simulation.propagation = [PropagationRule(group: "gw.example", kind: "Policy", delay: delay)]
            }
            _ = try await cluster.admin.create(.customResourceDefinitions, try YAML.parse("""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: policies.gw.example}
                spec:
                  group: gw.example
                  scope: Namespaced
                  names: {plural: policies, singular: policy, kind: Policy}
                  versions:
                  - {name: v1, served: true, storage: true, subresources: {status: {}},
                     schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
                """))
            try await home.storeKubeconfig(of: cluster, secret: "region-\(name)")
            regions[name] = cluster.sim
        }
        return World(home: home, homeSim: homeSim, regions: regions)
    }

    /// What the Evolutions' account needs on the home cluster to reach the regions: their kubeconfigs.
    static let secretReader = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: region-kubeconfigs, namespace: default}
        rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: default-reads-region-kubeconfigs, namespace: default}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: region-kubeconfigs}
        subjects: [{kind: ServiceAccount, name: default, namespace: default}]
        """

    static func evolution(sync: String) throws -> JSON {
        try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: rollout, namespace: default}
            spec:
              targets:
                - {name: us-east, kubeconfigSecretRef: {name: region-us-east}}
                - {name: eu-west, kubeconfigSecretRef: {name: region-eu-west}}
                - {name: ap-south, kubeconfigSecretRef: {name: region-ap-south}}
              steps:
                - name: gateway-policy
                  sync: \(sync)
                  apply: {manifests: [{apiVersion: gw.example/v1, kind: Policy, metadata: {name: roles}, spec: {allow: [auditor]}}]}
                  converge:
                    checks:
                      - jsonPath:
                          object: {apiVersion: gw.example/v1, kind: Policy, name: roles}
                          path: .status.observedGeneration
                          equalsField: .metadata.generation
                - name: feature-flag
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: features}, data: {roles-v2: "true"}}]}
            """)
    }

    /// When each region received the policy and the flag, from its own write log.
    static func writes(_ world: World) -> [String: (policy: Date, flag: Date)] {
        var result: [String: (Date, Date)] = [:]
        for (name, sim) in world.regions {
            let log = sim.writeLog
            guard let policy = log.first(where: { $0.resource == "policies" && $0.name == "roles" })?.time,
                  let flag = log.first(where: { $0.resource == "configmaps" && $0.name == "features" })?.time else { continue }
            result[name] = (policy, flag)
        }
        return result
    }

    func run(sync: String) async throws -> [String: (policy: Date, flag: Date)] {
        let world = try await Self.world()
        _ = try await world.home.create(ControllerScenarioTests.evolutions, try Self.evolution(sync: sync), namespace: "default")
        let controller = EvolutionController(client: world.home, options: .init(ledgerDirectory: NSTemporaryDirectory() + "causeway-ledger-\(UUID().uuidString)"))
        let running = Task { await controller.run() }
        let final = try await world.home.waitFor(.evolutions, "rollout", namespace: "default") { $0[path: "status", "phase"] == "Converged" }
        running.cancel()
        await running.value
        #expect(final[path: "status", "phase"] == "Converged")
        let writes = Self.writes(world)
        await world.stop()
        #expect(writes.count == 3)
        return writes
    }

    @Test func lockstepTurnsTheFlagOnNowhereBeforeEveryRegionAbsorbedThePolicy() async throws {
        let writes = try await run(sync: "Lockstep")
        let euWestAbsorbed = try #require(writes["eu-west"]).policy.addingTimeInterval(0.9)
        for (region, w) in writes {
            #expect(w.flag >= euWestAbsorbed, "\(region)'s flag came \(euWestAbsorbed.timeIntervalSince(w.flag))s before eu-west absorbed the policy")
        }
    }

    @Test func independentLetsEachRegionGoWhenItsOwnPolicyIsAbsorbed() async throws {
        let writes = try await run(sync: "Independent")
        let usEast = try #require(writes["us-east"])
        let euWest = try #require(writes["eu-west"])
        #expect(usEast.flag >= usEast.policy.addingTimeInterval(0.1))
        #expect(usEast.flag < euWest.policy.addingTimeInterval(0.9), "us-east waited for eu-west although the step is Independent")
        #expect(euWest.flag >= euWest.policy.addingTimeInterval(0.9))
    }

    /// A region's kubeconfig Secret is read as the Evolution's account before it acts there
    /// (once per reconcile that acts, never per check of what it applied), so an account that
    /// loses the Secret acts no more: the next step is refused, in no region.
    @Test func kubeconfigSecretsAreReadToActNotToLookAndARevokedReadStopsTheNextStep() async throws {
        let world = try await Self.world(grant: false)
        defer { Task { await world.stop() } }
        _ = try await world.home.create(ControllerScenarioTests.evolutions, try Self.evolution(sync: "Lockstep"), namespace: "default")
        let controller = EvolutionController(client: world.home, options: .init(ledgerDirectory: NSTemporaryDirectory() + "causeway-ledger-\(UUID().uuidString)"))
        let running = Task { await controller.run() }
        defer { running.cancel() }
        // The policy is in every region; eu-west takes 0.9 s to absorb it: revoke the read meanwhile.
        try await eventually("the policy is in every region") {
            world.regions.values.allSatisfy { $0.writeLog.contains { $0.resource == "policies" } }
        }
        let secretReads = world.homeSim.requestLog.filter { $0.resource == "secrets" && $0.verb == "get" }
        #expect(secretReads.allSatisfy { $0.impersonating == "system:serviceaccount:default:default" && $0.code == 200 })
        // Three regions acted on once: three reads, however many checks of the policy came in between.
        #expect(secretReads.count == 3, "\(secretReads.count) Secret reads for 3 applies")
        _ = try await world.home.send("DELETE", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/default-reads-region-kubeconfigs")
        let refused = try await world.home.waitFor(.evolutions, "rollout", namespace: "default") { $0[path: "status", "refusal"] != nil }
        #expect(refused[path: "status", "refusal", "reason"] == "Forbidden", "\(refused["status"]?.prettyString() ?? "")")
        #expect(refused[path: "status", "refusal", "message"]?.stringValue?.contains("cannot read Secret default/region-") == true)
        try await Task.sleep(for: .milliseconds(300))
        #expect(world.regions.values.allSatisfy { !$0.writeLog.contains { $0.resource == "configmaps" && $0.name == "features" } },
                "a region got the flag after the account lost its kubeconfig")
    }
}
