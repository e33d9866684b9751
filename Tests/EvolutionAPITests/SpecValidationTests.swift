import EvolutionAPI
import KubeJSON
import Testing

/// Every message says where (field path), what, and how to fix it.
struct SpecValidationTests {
    static let cm = "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}"

    @Test func badDurationNamesTheFieldAndTheSyntax() throws {
        try expectIssues("""
            steps:
              - {name: a, apply: {manifests: [\(Self.cm)]}}
              - {name: b, apply: {manifests: [\(Self.cm)]}}
              - {name: c, apply: {manifests: [\(Self.cm)]}, converge: {timeout: 10x}}
            """, [#"spec.steps[2].converge.timeout: "10x" is not a duration; use Go duration syntax such as 30s, 5m, 1h30m"#])
    }

    @Test func theAccountMustBeAServiceAccountNameAndTheHomeClusterAlwaysImpersonates() throws {
        try expectIssues("""
            serviceAccountName: Deployer_1
            targets: [{name: local, impersonate: false}, {name: eu-west, kubeconfigSecretRef: {name: eu}, impersonate: false}]
            steps:
              - {name: a, apply: {manifests: [\(Self.cm)]}}
            """, [
                #"spec.targets[0].impersonate: is false, but a target without kubeconfigSecretRef is the controller's own cluster, which an Evolution only ever reaches as its ServiceAccount; remove impersonate"#,
                #"spec.serviceAccountName: "Deployer_1" is not a valid ServiceAccount name (lowercase letters, digits, '-' and '.'); name a ServiceAccount in the Evolution's namespace"#,
            ])
        let spec = try decodeSpec("""
            serviceAccountName: deployer
            targets: [{name: local}, {name: eu-west, kubeconfigSecretRef: {name: eu}}, {name: us-east, kubeconfigSecretRef: {name: us}, impersonate: true}]
            steps: [{name: a, apply: {manifests: [\(Self.cm)]}}]
            """)
        #expect(spec.serviceAccountName == "deployer")
        #expect(spec.targets.map(\.impersonates) == [true, false, true])
    }

    @Test func cycleIsNamed() throws {
        try expectIssues("""
            steps:
              - {name: a, after: [c], apply: {manifests: [\(Self.cm)]}}
              - {name: b, apply: {manifests: [\(Self.cm)]}}
              - {name: c, apply: {manifests: [\(Self.cm)]}}
            """, ["spec.steps[0].after: steps form a cycle: a → b → c → a; remove one of these after entries so the order is a DAG"])
    }

    @Test func unknownAndDuplicateAndSelfReferences() throws {
        try expectIssues("""
            steps:
              - {name: a, apply: {manifests: [\(Self.cm)]}}
              - {name: a, apply: {manifests: [\(Self.cm)]}}
              - {name: b, after: [a, a, nope, b], apply: {manifests: [\(Self.cm)]}}
            """, [
                #"spec.steps[1].name: "a" is already the name of spec.steps[0]; step names must be unique"#,
                #"spec.steps[2].after[1]: "a" is listed twice; list each predecessor once"#,
                #"spec.steps[2].after[2]: "nope" is not a step here; use one of: a"#,
                #"spec.steps[2].after[3]: a step cannot come after itself; remove "b""#,
            ])
    }

    @Test func stepTargetsMustBeEvolutionTargets() throws {
        try expectIssues("""
            targets: [{name: us-east}, {name: eu-west}, {name: us-east}]
            steps:
              - {name: a, targets: [eu-west, ap-south], apply: {manifests: [\(Self.cm)]}}
              - {name: b, targets: [], apply: {manifests: [\(Self.cm)]}}
            """, [
                #"spec.targets[2].name: "us-east" is listed twice; target names must be unique"#,
                #"spec.steps[0].targets[1]: "ap-south" is not a target of this evolution; add it to spec.targets or use one of: us-east, eu-west, us-east"#,
                "spec.steps[1].targets: is empty; list at least one target, or omit the field to run on every target",
            ])
    }

    @Test func emptyStepsAndStepsThatDoNothing() throws {
        try expectIssues("steps: []", ["spec.steps: has no steps; an Evolution needs at least one step with apply.manifests"])
        try expectIssues("targets: []\nsteps: [{name: a}]", [
            #"spec.targets: is empty; list at least one target, or omit the field to use the controller's own cluster ("local")"#,
            "spec.steps[0]: does nothing: it applies no manifests, requires no acknowledgment and checks no object; add apply.manifests, or remove the step",
        ])
        // A pure gate (acknowledgment only) is a legitimate step.
        try expectIssues("steps: [{name: gate, acknowledge: {required: true}}]", [])
    }

    @Test func unverifiableCustomResourceIsRejectedWithAFix() throws {
        let found = try issues("""
            steps:
              - name: gw
                apply: {manifests: [{apiVersion: gw.example/v1, kind: Policy, metadata: {name: roles, namespace: gateway}}]}
            """)
        #expect(found == [
            "spec.steps[0].apply.manifests[0]: gw.example/v1 Policy gateway/roles cannot be verified: Causeway does not know when a Policy is ready, "
                + "and existing is not converging; declare a check on it in spec.steps[0].converge.checks, "
                + "e.g. {condition: {object: {apiVersion: gw.example/v1, kind: Policy, name: roles, namespace: gateway}, type: Ready}} "
                + "or {jsonPath: {object: {apiVersion: gw.example/v1, kind: Policy, name: roles, namespace: gateway}, path: .status.observedGeneration, equalsField: .metadata.generation}}",
        ])
        // `current: {}` alone does not vouch for a custom resource; naming it does.
        #expect(try issues("""
            steps:
              - name: gw
                apply: {manifests: [{apiVersion: gw.example/v1, kind: Policy, metadata: {name: roles}}]}
                converge: {checks: [{current: {}}]}
            """).count == 1)
        try expectIssues("""
            steps:
              - name: gw
                apply: {manifests: [{apiVersion: gw.example/v1, kind: Policy, metadata: {name: roles}}, {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}]}
                converge: {checks: [{current: {}}, {condition: {object: {apiVersion: gw.example/v2, kind: Policy, name: roles}, type: Ready}}]}
            """, [])
        // Built-in kinds are known.
        try expectIssues("""
            steps:
              - name: core
                apply:
                  manifests:
                    - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}
                    - {apiVersion: apps/v1, kind: StatefulSet, metadata: {name: s}}
                    - {apiVersion: apps/v1, kind: DaemonSet, metadata: {name: ds}}
                    - {apiVersion: batch/v1, kind: Job, metadata: {name: j}}
                    - {apiVersion: v1, kind: Namespace, metadata: {name: ns1}}
                    - {apiVersion: v1, kind: ServiceAccount, metadata: {name: sa}}
                    - {apiVersion: v1, kind: Secret, metadata: {name: s}}
                    - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: r}}
            """, [])
    }

    @Test func typeErrorsAndUnknownFields() throws {
        try expectIssues("""
            steps:
              - name: a
                aply: {manifests: []}
                sync: lockstep
                targets: local
                acknowledge: {required: "yes"}
                apply: {manifests: [\(Self.cm), 3, {kind: ConfigMap, metadata: {generateName: x-}}]}
            paused: 1
            """, [
                "spec.steps[0].aply: unknown field; steps[0] accepts acknowledge, after, apply, converge, name, sync, targets",
                #"spec.steps[0].sync: "lockstep" is not one of Lockstep, Independent"#,
                "spec.steps[0].targets: expected a list, found string",
                "spec.steps[0].apply.manifests[1]: expected a Kubernetes object, found number",
                #"spec.steps[0].acknowledge.required: expected true or false, found string "yes""#,
                "spec.paused: expected true or false, found number 1",
                "spec.steps[0].apply.manifests[1]: missing apiVersion, metadata.name; every object needs apiVersion, kind and metadata.name (generateName is not supported: Causeway must know the name to track the object)",
            ])
    }

    @Test func checksAreWellFormed() throws {
        let ref = "{apiVersion: v1, kind: ConfigMap, name: c}"
        try expectIssues("""
            steps:
              - name: a
                apply: {manifests: [\(Self.cm)]}
                converge:
                  stableFor: 10m
                  timeout: 5m
                  checks:
                    - {}
                    - {current: {}, condition: {object: \(ref), type: Ready}}
                    - condition: {object: {kind: ConfigMap}, type: Ready}
                    - condition: {object: \(ref), type: Ready, status: yes}
                    - jsonPath: {object: \(ref), path: ".a[x]", equals: 1}
                    - jsonPath: {object: \(ref), path: .a, equals: 1, exists: true}
                    - jsonPath: {object: \(ref), path: .a, matches: "(unclosed"}
            """, [
                "spec.steps[0].converge.checks[0]: a check needs one of current, condition or jsonPath",
                "spec.steps[0].converge.checks[1]: a check has exactly one of current, condition or jsonPath; split current and condition into separate checks",
                "spec.steps[0].converge.checks[2].condition.object: missing apiVersion, name; an object reference needs apiVersion, kind and name",
                #"spec.steps[0].converge.checks[3].condition.status: expected a string, found boolean true; quote it: status: "True""#,
                #"spec.steps[0].converge.checks[4].jsonPath.path: ".a[x]" is not a supported path; use a dotted path such as .status.observedGeneration or .status.conditions[0].status"#,
                "spec.steps[0].converge.checks[5].jsonPath: has equals and exists; use exactly one, or one check each",
                #"spec.steps[0].converge.checks[6].jsonPath.matches: "(unclosed" is not a valid regular expression"#,
                "spec.steps[0].converge.stableFor: 10m0s is not shorter than timeout 5m0s, so the step could never converge; lengthen converge.timeout or shorten stableFor",
            ])
    }

    @Test func compensationRules() throws {
        try expectIssues("""
            steps: [{name: a, apply: {manifests: [\(Self.cm)]}}]
            onFailure: {action: Compensate}
            """, ["spec.onFailure.compensation: is empty but onFailure.action is Compensate; declare the compensation steps, or use action: Halt"])
        try expectIssues("""
            steps: [{name: a, apply: {manifests: [\(Self.cm)]}}]
            onFailure:
              compensation: [{name: a, after: [zz], apply: {manifests: [\(Self.cm)]}}]
            """, [
                "spec.onFailure.action: is Halt, so the declared compensation would never run; set action: Compensate, or remove onFailure.compensation",
                #"spec.onFailure.compensation[0].after[0]: "zz" is not a step here; there is no other step to come after: remove it"#,
                #"spec.onFailure.compensation[0].name: "a" is also a forward step; compensation steps need their own names (the ledger and acknowledgments refer to steps by name)"#,
            ])
    }

    @Test func namesMustBeDNSLabels() throws {
        try expectIssues("steps: [{name: Gateway_Policy, apply: {manifests: [\(Self.cm)]}}]", [
            #"spec.steps[0].name: "Gateway_Policy" is not a valid name; use lowercase letters, digits and '-', starting and ending with a letter or digit (it is used in the annotation ack.causeway.dev/<step>)"#,
        ])
        try expectIssues("{}", ["spec.steps: has no steps; an Evolution needs at least one step with apply.manifests"])
        try expectIssues("null", ["spec: required; an Evolution needs spec.steps"])
    }
}
