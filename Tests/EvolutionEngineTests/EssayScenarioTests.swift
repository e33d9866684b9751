import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

/// The essay's incident, replayed through the engine: the gateway policy is
/// accepted in all three regions, but EU-West has not absorbed it yet. The
/// flag must not go on anywhere, and status must say why.
struct EssayScenarioTests {
    static let regions = ["us-east", "eu-west", "ap-south"]
    static let policyKey = ObjectKey(apiVersion: "gw.example/v1", kind: "Policy", namespace: "gateway", name: "roles")
    static let policy: JSON = ["apiVersion": "gw.example/v1", "kind": "Policy", "metadata": ["name": "roles", "namespace": "gateway"]]

    static var spec: EvolutionSpec {
        let absorbed = ConvergenceCheck.jsonPath(JSONPathCheck(object: policyKey, path: JSONPath(".status.observedGeneration")!,
                                                               predicate: .equalsField(JSONPath(".metadata.generation")!)))
        return EvolutionSpec(targets: targets(regions), steps: [
            step("idp-roles", targets: regions),
            step("app", after: ["idp-roles"], targets: regions),
            step("gateway-policy", after: ["app"], sync: .lockstep, targets: regions, manifests: [policy], checks: [absorbed]),
            step("feature-flag", after: ["gateway-policy"], targets: regions, ack: true),
        ])
    }

    func livePolicy(generation: Int64, observed: Int64) -> JSON {
        ["apiVersion": "gw.example/v1", "kind": "Policy", "metadata": ["name": "roles", "namespace": "gateway", "generation": .int(generation)],
         "status": ["observedGeneration": .int(observed)]]
    }

    @Test func theFlagWaitsForEveryRegionToAbsorbThePolicy() {
        var d = Driver(Self.spec)
        d.acknowledgments = [Acknowledgment(step: "feature-flag", by: "release-manager", at: t0)]
        d.tick()
        d.tick(at: at(1))  // idp-roles converged everywhere, app starts
        d.tick(at: at(2))  // app converged everywhere, gateway-policy starts
        #expect(d.status.currentSteps == "gateway-policy")
        // Accepted everywhere; absorbed in two regions only.
        d.objects["us-east"]?[Self.policyKey] = livePolicy(generation: 4, observed: 4)
        d.objects["eu-west"]?[Self.policyKey] = livePolicy(generation: 4, observed: 3)
        d.objects["ap-south"]?[Self.policyKey] = livePolicy(generation: 4, observed: 4)
        let waiting = d.tick(at: at(3))
        #expect(waiting.applies.isEmpty)
        #expect(d.status.message.hasPrefix("gateway-policy waits for eu-west: Policy roles: observedGeneration 3 < generation 4"))
        #expect(d.status.progress == "2/4")
        #expect(d.status.step("feature-flag")?.message.hasPrefix("on us-east waits for gateway-policy to converge on every target (Lockstep); eu-west is Converging") == true)
        #expect(EvolutionEngine.observedObjects(spec: d.spec, status: d.status)["eu-west"]?.contains(Self.policyKey) == true)
        // EU-West catches up: the flag goes on in every region, in region order.
        d.objects["eu-west"]?[Self.policyKey] = livePolicy(generation: 4, observed: 4)
        let release = d.tick(at: at(30))
        #expect(release.applies.map { "\($0.step)@\($0.target)" } == ["feature-flag@us-east", "feature-flag@eu-west", "feature-flag@ap-south"])
        d.settle()
        #expect(d.status.phase == .converged)
        // The ledger shows the policy converged in all three regions before the flag started anywhere.
        let order = d.log.filter { $0.hasPrefix("ledger StepConverged gateway-policy") || $0.hasPrefix("ledger StepStarted feature-flag") }
        #expect(order == [
            "ledger StepConverged gateway-policy@us-east", "ledger StepConverged gateway-policy@ap-south",
            "ledger StepConverged gateway-policy@eu-west", "ledger StepConverged gateway-policy",
            "ledger StepStarted feature-flag@us-east", "ledger StepStarted feature-flag@eu-west", "ledger StepStarted feature-flag@ap-south",
        ])
        #expect(d.log.contains("ledger Acknowledged feature-flag by release-manager"))
    }
}
