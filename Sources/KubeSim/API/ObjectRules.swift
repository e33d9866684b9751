import Foundation
import KubeJSON
import KubeSemantics

/// Validation the real server applies to every write, before storage: names,
/// labels and annotations, and the per-kind rules KUBE-API.md records.
enum ObjectRules {
    static func validateMetadata(_ object: JSON, type: ResourceType) -> [FieldError] {
        var causes: [FieldError] = []
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let nameProblems = type.plural == "namespaces" ? NameValidation.dns1123Label(name) : NameValidation.dns1123Subdomain(name)
        for problem in nameProblems { causes.append(.invalid("metadata.name", .string(name), problem)) }
        let labels = (object[path: "metadata", "labels"]?.objectValue ?? [:]).map { (key: $0.0, value: $0.1.stringValue ?? "") }
        causes += NameValidation.labels(labels)
        for (key, _) in object[path: "metadata", "annotations"]?.objectValue ?? [:] {
            for problem in NameValidation.qualifiedName(key) {
                causes.append(.invalid("metadata.annotations", .string(key), problem))
            }
        }
        return causes
    }

    /// Per-kind checks of built-in types.
    static func validateKind(_ object: JSON, type: ResourceType) -> [FieldError] {
        switch (type.group, type.kind) {
        case ("", "ConfigMap"): return configMap(object)
        case ("coordination.k8s.io", "Lease"): return lease(object)
        case ("", "Event"): return coreEvent(object)
        case ("events.k8s.io", "Event"): return eventsEvent(object)
        case ("rbac.authorization.k8s.io", "RoleBinding"): return roleRef(object, kinds: ["Role", "ClusterRole"])
        case ("rbac.authorization.k8s.io", "ClusterRoleBinding"): return roleRef(object, kinds: ["ClusterRole"])
        case ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
             ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): return webhooks(object)
        default: return []
        }
    }

    /// Each webhook is reached by exactly one of `url` (https only) or `service`, declares its side
    /// effects and the AdmissionReview versions it speaks, and waits at most 30 s.
    static func webhooks(_ object: JSON) -> [FieldError] {
        var causes: [FieldError] = []
        for (i, hook) in (object["webhooks"]?.arrayValue ?? []).enumerated() {
            let at = "webhooks[\(i)]"
            let client = hook["clientConfig"] ?? [:]
            let url = client["url"]?.stringValue
            if (url == nil) == (client["service"] == nil) {
                causes.append(.required("\(at).clientConfig", "exactly one of url or service is required"))
            }
            if let url, !url.hasPrefix("https://") {
                causes.append(.invalid("\(at).clientConfig.url", .string(url), "'https' is the only allowed URL scheme"))
            }
            if let effects = hook["sideEffects"]?.stringValue {
                if !["None", "NoneOnDryRun"].contains(effects) {
                    causes.append(.notSupported("\(at).sideEffects", .string(effects), supported: ["None", "NoneOnDryRun"]))
                }
            } else {
                causes.append(.required("\(at).sideEffects", "must specify one of None, NoneOnDryRun"))
            }
            if (hook["admissionReviewVersions"]?.arrayValue ?? []).isEmpty {
                causes.append(.required("\(at).admissionReviewVersions", "must specify one of v1, v1beta1"))
            }
            if let policy = hook["failurePolicy"]?.stringValue, !["Fail", "Ignore"].contains(policy) {
                causes.append(.notSupported("\(at).failurePolicy", .string(policy), supported: ["Fail", "Ignore"]))
            }
            if let timeout = hook["timeoutSeconds"]?.intValue, !(1...30).contains(timeout) {
                causes.append(.invalid("\(at).timeoutSeconds", .int(timeout), "the timeout value must be between 1 and 30 seconds"))
            }
        }
        return causes
    }

    /// A binding names a role of a kind it may bind, in the RBAC group.
    static func roleRef(_ object: JSON, kinds: [String]) -> [FieldError] {
        var causes: [FieldError] = []
        let kind = object[path: "roleRef", "kind"]?.stringValue ?? ""
        if !kinds.contains(kind) { causes.append(.notSupported("roleRef.kind", .string(kind), supported: kinds)) }
        let group = object[path: "roleRef", "apiGroup"]?.stringValue ?? ""
        if group != "rbac.authorization.k8s.io" { causes.append(.notSupported("roleRef.apiGroup", .string(group), supported: ["rbac.authorization.k8s.io"])) }
        if (object[path: "roleRef", "name"]?.stringValue ?? "").isEmpty { causes.append(.required("roleRef.name")) }
        return causes
    }

    static let configMapLimit = 1_048_576

    static func configMap(_ object: JSON) -> [FieldError] {
        var causes: [FieldError] = []
        var total = 0
        for section in ["data", "binaryData"] {
            for (key, value) in object[section]?.objectValue ?? [:] {
                if key.isEmpty || !key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) {
                    causes.append(.invalid("\(section)[\(key)]", .string(key),
                                           "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"))
                }
                let valueSize = section == "binaryData"
                    ? (Data(base64Encoded: value.stringValue ?? "")?.count ?? 0) : (value.stringValue?.utf8.count ?? 0)
                total += key.utf8.count + valueSize
            }
        }
        if total > configMapLimit {
            causes.append(FieldError(reason: "FieldValueTooLong", field: "[]", message: "Too long: must have at most \(configMapLimit) bytes"))
        }
        return causes
    }

    static func lease(_ object: JSON) -> [FieldError] {
        var causes: [FieldError] = []
        if let d = object[path: "spec", "leaseDurationSeconds"]?.intValue, d <= 0 {
            causes.append(.invalid("spec.leaseDurationSeconds", .int(d), "must be greater than 0"))
        }
        if let t = object[path: "spec", "leaseTransitions"]?.intValue, t < 0 {
            causes.append(.invalid("spec.leaseTransitions", .int(t), "must be greater than or equal to 0"))
        }
        return causes
    }

    /// MicroTime fields must carry exactly six fractional digits; the real server rejects others with 400.
    static func leaseTimeProblem(_ object: JSON) -> String? {
        for field in ["acquireTime", "renewTime"] {
            guard let value = object[path: "spec", field]?.stringValue else { continue }
            let pattern = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$"#
            if value.range(of: pattern, options: .regularExpression) == nil {
                return "Lease in version \"v1\" cannot be handled as a Lease: parsing time \"\(value)\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"\(value.suffix(1))\" as \".000000\""
            }
        }
        return nil
    }

    static func coreEvent(_ object: JSON) -> [FieldError] {
        let ns = object[path: "metadata", "namespace"]?.stringValue ?? ""
        let involved = object[path: "involvedObject", "namespace"]?.stringValue ?? ""
        return involved == ns ? [] : [.invalid("involvedObject.namespace", .string(involved), "does not match event.namespace")]
    }

    static func eventsEvent(_ object: JSON) -> [FieldError] {
        var causes: [FieldError] = []
        let ns = object[path: "metadata", "namespace"]?.stringValue ?? ""
        if (object[path: "regarding", "namespace"]?.stringValue ?? "") != ns {
            causes.append(.invalid("involvedObject.namespace", .string(object[path: "regarding", "namespace"]?.stringValue ?? ""),
                                   "does not match event.namespace"))
        }
        if object["eventTime"]?.stringValue == nil { causes.append(.required("eventTime")) }
        let type = object["type"]?.stringValue ?? ""
        if type != "Normal" && type != "Warning" { causes.append(.invalid("type", "", "has invalid value: \(type)")) }
        return causes
    }

    /// Five lowercase alphanumerics, as generateName gets.
    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}
