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
            if t.kubeconfigSecretRef == nil, t.impersonate == false {
                issues.append(SpecIssue("spec.targets[\(i)].impersonate", "is false, but a target without kubeconfigSecretRef is the controller's own cluster, which an Evolution only ever reaches as its ServiceAccount; remove impersonate"))
            }
        }
        if let account = spec.serviceAccountName, let problem = ServiceAccountNames.problem(account) {
            issues.append(SpecIssue("spec.serviceAccountName", "\"\(account)\" \(problem); name a ServiceAccount in the Evolution's namespace"))
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
                    let known = Array(Set(steps.map(\.name).filter { $0 != step.name })).sorted()
                    issues.append(SpecIssue("\(path).after[\(a)]", "\"\(name)\" is not a step here; "
                        + (known.isEmpty ? "there is no other step to come after: remove it" : "use one of: \(known.joined(separator: ", "))")))
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
}
