import EvolutionAPI
import KubeJSON
import Testing

struct SpecDefaultingTests {
    static let cm = "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}"

    @Test func plainListIsAStrictSequenceOnTheLocalCluster() throws {
        let spec = try decodeSpec("""
            steps:
              - {name: a, apply: {manifests: [\(Self.cm)]}}
              - {name: b, apply: {manifests: [\(Self.cm)]}}
              - {name: c, apply: {manifests: [\(Self.cm)]}}
            """)
        #expect(spec.targets == [Target(name: "local")])
        #expect(spec.steps.map(\.after) == [[], ["a"], ["b"]])
        #expect(spec.steps.allSatisfy { $0.targets == ["local"] && !$0.targetsDeclared })
        #expect(spec.steps.allSatisfy { $0.sync == .lockstep })
        #expect(spec.steps.allSatisfy { $0.checks == [.current(nil)] })
        #expect(spec.steps.allSatisfy { $0.timeout == .minutes(10) && $0.stableFor == .zero })
        #expect(spec.onFailure == FailurePolicy(action: .halt, compensation: []))
        #expect(spec.drift == DriftPolicy(policy: .report, haltOnDrift: false))
        #expect(spec.paused == false)
    }

    @Test func emptyAfterDeclaresIndependenceAndTargetsDefaultToAll() throws {
        let spec = try decodeSpec("""
            targets:
              - {name: us-east, kubeconfigSecretRef: {name: region-us-east}}
              - {name: eu-west, kubeconfigSecretRef: {name: region-eu-west, namespace: secrets, key: config}}
            steps:
              - {name: a, apply: {manifests: [\(Self.cm)]}}
              - {name: docs, after: [], sync: Independent, targets: [eu-west], apply: {manifests: [\(Self.cm)]}}
              - {name: b, apply: {manifests: [\(Self.cm)]}, converge: {stableFor: 10s, timeout: 1h30m}, acknowledge: {required: true}}
            """)
        #expect(spec.targets[0] == Target(name: "us-east", kubeconfigSecretRef: SecretKeyReference(name: "region-us-east")))
        #expect(spec.targets[1].kubeconfigSecretRef == SecretKeyReference(name: "region-eu-west", namespace: "secrets", key: "config"))
        #expect(spec.steps[1].after == [])
        #expect(spec.steps[1].sync == .independent)
        #expect(spec.steps[1].targets == ["eu-west"] && spec.steps[1].targetsDeclared)
        // "previous step" is the previous in the list, even when that one is independent.
        #expect(spec.steps[2].after == ["docs"])
        #expect(spec.steps[2].targets == ["us-east", "eu-west"])
        #expect(spec.steps[2].stableFor == .seconds(10) && spec.steps[2].timeout == .minutes(90))
        #expect(spec.steps[2].acknowledgmentRequired)
    }

    @Test func decodesEveryCheckKind() throws {
        let spec = try decodeSpec("""
            steps:
              - name: a
                apply: {manifests: [{apiVersion: gw.example/v1, kind: Policy, metadata: {name: p, namespace: gw}}]}
                converge:
                  checks:
                    - current: {}
                    - current: {object: {apiVersion: gw.example/v1, kind: Policy, name: p, namespace: gw}}
                    - condition: {object: {apiVersion: gw.example/v1, kind: Policy, name: p}, type: Ready}
                    - condition: {object: {apiVersion: gw.example/v1, kind: Policy, name: p}, type: Degraded, status: "False"}
                    - jsonPath: {object: {apiVersion: gw.example/v1, kind: Policy, name: p}, path: .status.observedGeneration, equalsField: .metadata.generation}
                    - jsonPath: {object: {apiVersion: gw.example/v1, kind: Policy, name: p}, path: .status.phase, in: [Active, Ready]}
                    - jsonPath: {object: {apiVersion: gw.example/v1, kind: Policy, name: p}, path: .status.url, matches: "^https://"}
                    - jsonPath: {object: {apiVersion: gw.example/v1, kind: Policy, name: p}, path: .status.ok, equals: true}
                    - jsonPath: {object: {apiVersion: gw.example/v1, kind: Policy, name: p}, path: .status.error, exists: false}
            """)
        let p = ObjectKey(apiVersion: "gw.example/v1", kind: "Policy", name: "p")
        let checks = spec.steps[0].checks
        #expect(checks.count == 9)
        #expect(checks[0] == .current(nil))
        #expect(checks[1] == .current(ObjectKey(apiVersion: "gw.example/v1", kind: "Policy", namespace: "gw", name: "p")))
        #expect(checks[2] == .condition(ConditionCheck(object: p, type: "Ready", status: "True")))
        #expect(checks[3] == .condition(ConditionCheck(object: p, type: "Degraded", status: "False")))
        #expect(checks[4] == .jsonPath(JSONPathCheck(object: p, path: JSONPath(".status.observedGeneration")!,
                                                     predicate: .equalsField(JSONPath(".metadata.generation")!))))
        #expect(checks[5] == .jsonPath(JSONPathCheck(object: p, path: JSONPath(".status.phase")!, predicate: .oneOf(["Active", "Ready"]))))
        #expect(checks[6] == .jsonPath(JSONPathCheck(object: p, path: JSONPath(".status.url")!, predicate: .matches("^https://"))))
        #expect(checks[7] == .jsonPath(JSONPathCheck(object: p, path: JSONPath(".status.ok")!, predicate: .equals(true))))
        #expect(checks[8] == .jsonPath(JSONPathCheck(object: p, path: JSONPath(".status.error")!, predicate: .exists(false))))
        #expect(spec.steps[0].observedObjects == [ObjectKey(apiVersion: "gw.example/v1", kind: "Policy", namespace: "gw", name: "p"), p])
    }

    @Test func contentHashIgnoresWiringButNotContent() throws {
        let one = try decodeSpec("""
            targets: [{name: east}, {name: west}]
            steps:
              - {name: a, apply: {manifests: [\(Self.cm)]}}
              - {name: b, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {k: v}}]}}
            """)
        let rewired = try decodeSpec("""
            targets: [{name: east}, {name: west}]
            steps:
              - {name: a, targets: [east], sync: Independent, apply: {manifests: [\(Self.cm)]}, converge: {timeout: 10m}}
              - {name: b, after: [], apply: {manifests: [{apiVersion: v1, data: {k: v}, metadata: {name: c}, kind: ConfigMap}]}}
            """)
        let edited = try decodeSpec("""
            targets: [{name: east}, {name: west}]
            steps:
              - {name: a, apply: {manifests: [\(Self.cm)]}, converge: {stableFor: 1s}}
              - {name: b, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {k: w}}]}}
            """)
        #expect(one.steps.map(\.contentHash) == rewired.steps.map(\.contentHash))
        #expect(one.steps[0].contentHash != edited.steps[0].contentHash)
        #expect(one.steps[1].contentHash != edited.steps[1].contentHash)
    }

    @Test func decodesTheWholeObjectWithMetadata() throws {
        let evolution = try Evolution(json: [
            "apiVersion": "causeway.dev/v1alpha1", "kind": "Evolution",
            "metadata": ["name": "e", "namespace": "platform", "uid": "u-1", "generation": 7,
                         "annotations": ["ack.causeway.dev/a": "yes"]],
            "spec": ["steps": [["name": "a", "apply": ["manifests": [["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"]]]]]]],
        ])
        #expect(evolution.name == "e" && evolution.namespace == "platform" && evolution.uid == "u-1")
        #expect(evolution.generation == 7)
        #expect(evolution.annotations == ["ack.causeway.dev/a": "yes"])
        #expect(evolution.spec.steps.map(\.name) == ["a"])
    }
}
