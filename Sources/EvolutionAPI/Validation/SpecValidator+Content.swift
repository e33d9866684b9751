import KubeJSON

// What a step applies and how it is verified: trackable objects, bounded
// timings, and no custom resource that nothing can show converged.

extension SpecValidator {
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

/// What makes a ServiceAccount name valid, for the spec and for the controller's flag alike.
public enum ServiceAccountNames {
    /// ServiceAccount names are DNS subdomains (RFC 1123): up to 253 characters, dot-separated
    /// labels. Anything else (a ':' above all) would make `system:serviceaccount:NS:NAME` name
    /// something other than an account of NS.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.utf8.count > 253 { return "is longer than 253 characters" }
        let ok = name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        }
        return ok ? nil : "is not a valid ServiceAccount name (lowercase letters, digits, '-' and '.')"
    }
}
