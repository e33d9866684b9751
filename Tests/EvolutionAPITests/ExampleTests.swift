import EvolutionAPI
import KubeJSON
import KubeYAML
import Testing

struct ExampleTests {
    /// The essay's example is valid and says what DESIGN §1 promises.
    @Test func essayExampleIsValid() throws {
        let object = try YAML.parse(try readFile("Manifests/examples/essay.yaml"))
        let evolution = try Evolution(json: object)
        let spec = evolution.spec
        #expect(spec.targets.map(\.name) == ["us-east", "eu-west", "ap-south"])
        #expect(spec.targets.allSatisfy { $0.kubeconfigSecretRef?.key == "kubeconfig" })
        #expect(spec.steps.map(\.name) == ["idp-roles", "app", "gateway-policy", "feature-flag"])
        #expect(spec.steps.map(\.after) == [[], ["idp-roles"], ["app"], ["gateway-policy"]])
        #expect(spec.steps[2].sync == .lockstep)
        #expect(spec.steps[2].checks.count == 1)
        if case .jsonPath(let check) = spec.steps[2].checks[0] {
            #expect(check.predicate == .equalsField(JSONPath(".metadata.generation")!))
        } else {
            Issue.record("gateway-policy should check observedGeneration with jsonPath")
        }
        #expect(spec.steps[3].acknowledgmentRequired)
        #expect(spec.onFailure.action == .compensate)
        #expect(spec.onFailure.compensation.map(\.name) == ["flag-off"])
    }
}
