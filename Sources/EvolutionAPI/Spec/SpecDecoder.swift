import KubeJSON

/// Turns `spec` JSON into an `EvolutionSpec`, applying defaults. Type errors
/// are collected in the reader; semantic rules live in `SpecValidator`.
enum SpecDecoder {
    static func decode(_ json: JSON?, reader: inout FieldReader) -> (spec: EvolutionSpec, emptyTargets: Bool) {
        let shape = FieldShape.evolutionSpec
        guard let json, !json.isNull else {
            reader.fail("spec", "required; an Evolution needs spec.steps")
            return (EvolutionSpec(steps: []), false)
        }
        let spec = reader.object(json, at: "spec", shape: shape) ?? [:]
        let fields = shape.fields!

        var targets: [Target] = []
        let targetItems = reader.array(spec["targets"], at: "spec.targets")
        for (i, item) in (targetItems ?? []).enumerated() {
            let path = "spec.targets[\(i)]"
            guard let t = reader.object(item, at: path, shape: elementShape(fields["targets"]!)) else { continue }
            guard let name = reader.string(t["name"], at: path + ".name") else {
                reader.fail(path + ".name", "required; name the target, e.g. eu-west")
                continue
            }
            var ref: SecretKeyReference?
            let refShape = elementShape(fields["targets"]!).fields!["kubeconfigSecretRef"]!
            if let r = reader.object(t["kubeconfigSecretRef"], at: path + ".kubeconfigSecretRef", shape: refShape) {
                if let secret = reader.string(r["name"], at: path + ".kubeconfigSecretRef.name"), !secret.isEmpty {
                    // An empty namespace means the Evolution's, as an omitted one does.
                    let namespace = reader.string(r["namespace"], at: path + ".kubeconfigSecretRef.namespace").flatMap { $0.isEmpty ? nil : $0 }
                    ref = SecretKeyReference(
                        name: secret, namespace: namespace,
                        key: reader.string(r["key"], at: path + ".kubeconfigSecretRef.key") ?? SecretKeyReference.defaultKey)
                } else {
                    reader.fail(path + ".kubeconfigSecretRef.name", "required; name the Secret holding the kubeconfig (key \"kubeconfig\")")
                }
            }
            targets.append(Target(name: name, kubeconfigSecretRef: ref, impersonate: reader.bool(t["impersonate"], at: path + ".impersonate")))
        }
        let emptyTargets = targetItems?.isEmpty == true
        if targetItems == nil || emptyTargets { targets = [Target(name: Target.localName)] }
        let targetNames = targets.map(\.name)

        let steps = decodeSteps(spec["steps"], at: "spec.steps", targets: targetNames, reader: &reader)

        var onFailure = FailurePolicy()
        if let f = reader.object(spec["onFailure"], at: "spec.onFailure", shape: fields["onFailure"]!) {
            onFailure.action = reader.enumeration(f["action"], at: "spec.onFailure.action", as: FailureAction.self) ?? .halt
            onFailure.compensation = decodeSteps(f["compensation"], at: "spec.onFailure.compensation", targets: targetNames, reader: &reader)
        }
        var drift = DriftPolicy()
        if let d = reader.object(spec["drift"], at: "spec.drift", shape: fields["drift"]!) {
            drift.policy = reader.enumeration(d["policy"], at: "spec.drift.policy", as: DriftPolicy.Mode.self) ?? .report
            drift.haltOnDrift = reader.bool(d["haltOnDrift"], at: "spec.drift.haltOnDrift") ?? false
            drift.freeze = reader.bool(d["freeze"], at: "spec.drift.freeze") ?? false
        }
        let paused = reader.bool(spec["paused"], at: "spec.paused") ?? false
        let account = reader.string(spec["serviceAccountName"], at: "spec.serviceAccountName")
        return (EvolutionSpec(targets: targets, steps: steps, onFailure: onFailure, drift: drift, paused: paused,
                              serviceAccountName: account), emptyTargets)
    }

    static func elementShape(_ shape: FieldShape) -> FieldShape {
        if case .array(let element) = shape { return element }
        return shape
    }

    static func decodeSteps(_ json: JSON?, at listPath: String, targets: [String], reader: inout FieldReader) -> [Step] {
        let shape = FieldShape.step
        var steps: [Step] = []
        for (i, item) in (reader.array(json, at: listPath) ?? []).enumerated() {
            let path = "\(listPath)[\(i)]"
            guard let s = reader.object(item, at: path, shape: shape) else { continue }
            let fields = shape.fields!
            // Fields gathered first, the step made once: its content hash is computed on construction.
            var name = ""
            if let given = reader.string(s["name"], at: path + ".name") {
                name = given
            } else if s["name"] == nil {
                reader.fail(path + ".name", "required; give every step a unique name such as gateway-policy")
            }
            // Omitted `after` means "after the previous step": a plain list is a sequence.
            let after: [String]
            if s["after"] != nil {
                after = reader.strings(s["after"], at: path + ".after") ?? []
            } else {
                after = steps.last.map { [$0.name] }?.filter { $0 != name } ?? []
            }
            let sync = reader.enumeration(s["sync"], at: path + ".sync", as: SyncMode.self) ?? .lockstep
            let declared = reader.strings(s["targets"], at: path + ".targets")
            var manifests: [JSON] = []
            if let apply = reader.object(s["apply"], at: path + ".apply", shape: fields["apply"]!) {
                let items = reader.array(apply["manifests"], at: path + ".apply.manifests") ?? []
                for (m, manifest) in items.enumerated() {
                    guard case .object = manifest else {
                        reader.fail("\(path).apply.manifests[\(m)]", "expected a Kubernetes object, found \(manifest.typeName)")
                        continue
                    }
                    manifests.append(manifest)
                }
            }
            var checks: [ConvergenceCheck] = [.current(nil)]
            var stableFor = Step.defaultStableFor, timeout = Step.defaultTimeout
            if let converge = reader.object(s["converge"], at: path + ".converge", shape: fields["converge"]!) {
                if let declaredChecks = reader.array(converge["checks"], at: path + ".converge.checks") {
                    checks = declaredChecks.enumerated().compactMap { decodeCheck($1, at: "\(path).converge.checks[\($0)]", reader: &reader) }
                }
                stableFor = reader.duration(converge["stableFor"], at: path + ".converge.stableFor") ?? Step.defaultStableFor
                timeout = reader.duration(converge["timeout"], at: path + ".converge.timeout") ?? Step.defaultTimeout
            }
            var acknowledgmentRequired = false
            if let ack = reader.object(s["acknowledge"], at: path + ".acknowledge", shape: fields["acknowledge"]!) {
                acknowledgmentRequired = reader.bool(ack["required"], at: path + ".acknowledge.required") ?? false
            }
            let step = Step(name: name, after: after, sync: sync, targets: declared ?? targets, targetsDeclared: declared != nil,
                            manifests: manifests, checks: checks, stableFor: stableFor, timeout: timeout,
                            acknowledgmentRequired: acknowledgmentRequired)
            steps.append(step)
        }
        return steps
    }
}
