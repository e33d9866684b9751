import KubeJSON

/// The semantic rules a decoded spec must satisfy. Each issue names the
/// field, says what is wrong and how to fix it: the message ends up in the
/// `Invalid` condition, read by someone who did not write the controller.
enum SpecValidator {
    static func validate(_ spec: EvolutionSpec, declaredTargetsWereEmpty: Bool) -> [SpecIssue] {
        var issues: [SpecIssue] = []
        if declaredTargetsWereEmpty {
            issues.append(SpecIssue("spec.targets", "is empty; list at least one target, or omit the field to use the controller's own cluster (\"\(Target.localName)\")"))
        }
        var targetNames = Set<String>()
        for (i, t) in spec.targets.enumerated() {
            if let problem = dnsLabelProblem(t.name) {
                issues.append(SpecIssue("spec.targets[\(i)].name", "\"\(t.name)\" \(problem)"))
            }
            if !targetNames.insert(t.name).inserted {
                issues.append(SpecIssue("spec.targets[\(i)].name", "\"\(t.name)\" is listed twice; target names must be unique"))
            }
        }
        if spec.steps.isEmpty {
            issues.append(SpecIssue("spec.steps", "has no steps; an Evolution needs at least one step with apply.manifests"))
        }
        issues += validateSteps(spec.steps, at: "spec.steps", targets: spec.targets.map(\.name))

        let compensation = spec.onFailure.compensation
        if spec.onFailure.action == .compensate, compensation.isEmpty {
            issues.append(SpecIssue("spec.onFailure.compensation", "is empty but onFailure.action is Compensate; declare the compensation steps, or use action: Halt"))
        }
        if spec.onFailure.action == .halt, !compensation.isEmpty {
            issues.append(SpecIssue("spec.onFailure.action", "is Halt, so the declared compensation would never run; set action: Compensate, or remove onFailure.compensation"))
        }
        issues += validateSteps(compensation, at: "spec.onFailure.compensation", targets: spec.targets.map(\.name))
        let forward = Set(spec.steps.map(\.name))
        for (i, s) in compensation.enumerated() where forward.contains(s.name) {
            issues.append(SpecIssue("spec.onFailure.compensation[\(i)].name", "\"\(s.name)\" is also a forward step; compensation steps need their own names (the ledger and acknowledgments refer to steps by name)"))
        }
        return issues
    }

    static func validateSteps(_ steps: [Step], at listPath: String, targets: [String]) -> [SpecIssue] {
        var issues: [SpecIssue] = []
        var firstIndex: [String: Int] = [:]
        for (i, step) in steps.enumerated() {
            let path = "\(listPath)[\(i)]"
            if !step.name.isEmpty {
                if let problem = dnsLabelProblem(step.name) {
                    issues.append(SpecIssue(path + ".name", "\"\(step.name)\" \(problem) (it is used in the annotation ack.causeway.dev/<step>)"))
                }
                if let first = firstIndex[step.name] {
                    issues.append(SpecIssue(path + ".name", "\"\(step.name)\" is already the name of \(listPath)[\(first)]; step names must be unique"))
                } else {
                    firstIndex[step.name] = i
                }
            }
        }
        for (i, step) in steps.enumerated() {
            let path = "\(listPath)[\(i)]"
            var seenAfter = Set<String>()
            for (a, name) in step.after.enumerated() {
                if name == step.name {
                    issues.append(SpecIssue("\(path).after[\(a)]", "a step cannot come after itself; remove \"\(name)\""))
                } else if firstIndex[name] == nil {
                    let known = steps.map(\.name).filter { $0 != step.name }.joined(separator: ", ")
                    issues.append(SpecIssue("\(path).after[\(a)]", "\"\(name)\" is not a step here; use one of: \(known)"))
                } else if !seenAfter.insert(name).inserted {
                    issues.append(SpecIssue("\(path).after[\(a)]", "\"\(name)\" is listed twice; list each predecessor once"))
                }
            }
            issues += validateTargets(step, at: path, targets: targets)
            issues += validateContent(step, at: path)
        }
        if let cycle = StepGraph(steps.filter { !$0.after.contains($0.name) }).firstCycle() {
            let at = firstIndex[cycle[0]].map { "\(listPath)[\($0)].after" } ?? listPath
            issues.append(SpecIssue(at, "steps form a cycle: \(cycle.joined(separator: " → ")); remove one of these after entries so the order is a DAG"))
        }
        return issues
    }

    static func validateTargets(_ step: Step, at path: String, targets: [String]) -> [SpecIssue] {
        guard step.targetsDeclared else { return [] }
        if step.targets.isEmpty {
            return [SpecIssue(path + ".targets", "is empty; list at least one target, or omit the field to run on every target")]
        }
        var issues: [SpecIssue] = []
        var seen = Set<String>()
        for (t, name) in step.targets.enumerated() {
            if !targets.contains(name) {
                issues.append(SpecIssue("\(path).targets[\(t)]", "\"\(name)\" is not a target of this evolution; add it to spec.targets or use one of: \(targets.joined(separator: ", "))"))
            } else if !seen.insert(name).inserted {
                issues.append(SpecIssue("\(path).targets[\(t)]", "\"\(name)\" is listed twice"))
            }
        }
        return issues
    }

    static func validateContent(_ step: Step, at path: String) -> [SpecIssue] {
        var issues: [SpecIssue] = []
        var seenObjects: [ObjectKey: Int] = [:]
        for (m, manifest) in step.manifests.enumerated() {
            let at = "\(path).apply.manifests[\(m)]"
            guard let key = ObjectKey(manifest: manifest) else {
                let missing = [("apiVersion", manifest["apiVersion"]?.stringValue), ("kind", manifest["kind"]?.stringValue),
                               ("metadata.name", manifest[path: "metadata", "name"]?.stringValue)]
                    .filter { $0.1 == nil }.map(\.0)
                let hint = manifest[path: "metadata", "generateName"] != nil
                    ? " (generateName is not supported: Causeway must know the name to track the object)" : ""
                issues.append(SpecIssue(at, "missing \(missing.joined(separator: ", ")); every object needs apiVersion, kind and metadata.name\(hint)"))
                continue
            }
            if let first = seenObjects[key] {
                issues.append(SpecIssue(at, "\(key) is already applied by manifests[\(first)] of this step; apply each object once"))
            } else {
                seenObjects[key] = m
            }
        }
        if step.manifests.isEmpty, !step.acknowledgmentRequired, !step.checks.contains(where: { $0.object != nil }) {
            issues.append(SpecIssue(path, "does nothing: it applies no manifests, requires no acknowledgment and checks no object; add apply.manifests, or remove the step"))
        }
        if step.timeout.nanoseconds <= 0 {
            issues.append(SpecIssue(path + ".converge.timeout", "must be positive, e.g. 10m"))
        }
        if step.stableFor.nanoseconds < 0 {
            issues.append(SpecIssue(path + ".converge.stableFor", "must not be negative; use 0s to converge as soon as the checks hold"))
        } else if step.timeout.nanoseconds > 0, step.stableFor >= step.timeout {
            issues.append(SpecIssue(path + ".converge.stableFor", "\(step.stableFor) is not shorter than timeout \(step.timeout), so the step could never converge; lengthen converge.timeout or shorten stableFor"))
        }
        issues += unverifiable(step, at: path)
        return issues
    }

    /// A custom resource is verifiable only when a check names it: `current`
    /// with an explicit object (the user vouches it publishes status), or a
    /// condition or jsonPath check on it.
    static func unverifiable(_ step: Step, at path: String) -> [SpecIssue] {
        let named = step.checks.compactMap(\.object)
        var issues: [SpecIssue] = []
        for (m, manifest) in step.manifests.enumerated() {
            guard let key = ObjectKey(manifest: manifest), !ReadinessCatalog.knowsReadiness(of: key),
                  !named.contains(where: { $0.sameObject(as: key) }) else { continue }
            let ref = "{apiVersion: \(key.apiVersion), kind: \(key.kind), name: \(key.name)\(key.namespace.map { ", namespace: \($0)" } ?? "")}"
            issues.append(SpecIssue("\(path).apply.manifests[\(m)]",
                "\(key) cannot be verified: Causeway does not know when a \(key.kind) is ready, and existing is not converging; "
                + "declare a check on it in \(path).converge.checks, e.g. {condition: {object: \(ref), type: Ready}} "
                + "or {jsonPath: {object: \(ref), path: .status.observedGeneration, equalsField: .metadata.generation}}"))
        }
        return issues
    }

    /// RFC 1123 label rules, as Kubernetes names use.
    static func dnsLabelProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty; use a short lowercase name such as eu-west" }
        if name.utf8.count > 63 { return "is longer than 63 characters" }
        let ok = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        if !ok || name.hasPrefix("-") || name.hasSuffix("-") {
            return "is not a valid name; use lowercase letters, digits and '-', starting and ending with a letter or digit"
        }
        return nil
    }
}
