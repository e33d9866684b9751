import EvolutionAPI
import KubeJSON
import KubeYAML
import Testing

struct ExampleTests {
    /// The essay's example is valid and says what DESIGN §1 promises.
    @Test func essayExampleIsValid() throws {
        let documents = try YAML.parseStream(Array(try readFile("Manifests/examples/essay.yaml").utf8))
        let evolution = try Evolution(json: try #require(documents.first { $0["kind"] == "Evolution" }))
        let spec = evolution.spec
        // It acts as an account of its own namespace, which the example declares with the one right it needs.
        #expect(spec.serviceAccountName == "roles-v2-deployer")
        #expect(documents.map { $0["kind"]?.stringValue ?? "" } == ["ServiceAccount", "Role", "RoleBinding", "Evolution"])
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
