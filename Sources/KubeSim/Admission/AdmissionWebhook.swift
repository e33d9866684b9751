import Foundation
import KubeJSON
import KubeSemantics

/// One webhook of a Mutating- or ValidatingWebhookConfiguration, as the API server reads it
/// (admissionregistration.k8s.io/v1), with the defaults the server fills in.
struct AdmissionWebhook: Sendable {
    enum Kind: Sendable { case mutating, validating }

    struct Rule: Sendable {
        var operations: [String]
        var apiGroups: [String]
        var apiVersions: [String]
        var resources: [String]
        /// `*`, `Cluster` or `Namespaced`.
        var scope: String
    }

    var kind: Kind
    var configuration: String
    var name: String
    /// `url`, or a Service's endpoint as `KubeSimOptions.serviceEndpoints` resolves it.
    var url: String?
    /// Why there is no URL (an unknown Service), said when the call fails.
    var unreachable: String?
    /// The name the serving certificate must carry: a Service's `NAME.NAMESPACE.svc`, as the
    /// real server checks it, whatever address the endpoint has; nil for a `url` (its host).
    var serverName: String?
    var caBundle: [UInt8]?
    var rules: [Rule]
    /// `Fail` (the default) or `Ignore`.
    var failurePolicy: String
    var timeoutSeconds: Int
    var namespaceSelector: LabelSelector
    var objectSelector: LabelSelector

    /// Every webhook of a configuration object; `endpoints` maps `namespace/name:port` of a Service to `host:port`.
    static func all(in configuration: JSON, kind: Kind, endpoints: [String: String]) -> [AdmissionWebhook] {
        let configName = configuration[path: "metadata", "name"]?.stringValue ?? ""
        return (configuration["webhooks"]?.arrayValue ?? []).compactMap { hook in
            guard let name = hook["name"]?.stringValue else { return nil }
            let client = hook["clientConfig"] ?? [:]
            var url = client["url"]?.stringValue
            var unreachable: String?
            var serverName: String?
            if url == nil, let service = client["service"] {
                let namespace = service["namespace"]?.stringValue ?? "", serviceName = service["name"]?.stringValue ?? ""
                let port = service["port"]?.intValue ?? 443
                serverName = "\(serviceName).\(namespace).svc"
                if let endpoint = endpoints["\(namespace)/\(serviceName):\(port)"] {
                    url = "https://\(endpoint)\(service["path"]?.stringValue ?? "")"
                } else {
                    unreachable = "service \"\(serviceName)\" not found"
                }
            }
            let rules = (hook["rules"]?.arrayValue ?? []).map { rule in
                Rule(operations: strings(rule["operations"]), apiGroups: strings(rule["apiGroups"]), apiVersions: strings(rule["apiVersions"]),
                     resources: strings(rule["resources"]), scope: rule["scope"]?.stringValue ?? "*")
            }
            return AdmissionWebhook(
                kind: kind, configuration: configName, name: name, url: url, unreachable: unreachable, serverName: serverName,
                caBundle: client["caBundle"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { Array($0) },
                rules: rules, failurePolicy: hook["failurePolicy"]?.stringValue ?? "Fail",
                timeoutSeconds: Int(hook["timeoutSeconds"]?.intValue ?? 10),
                namespaceSelector: (try? hook["namespaceSelector"].map(LabelSelector.init(object:))) ?? .everything,
                objectSelector: (try? hook["objectSelector"].map(LabelSelector.init(object:))) ?? .everything)
        }
    }

    private static func strings(_ value: JSON?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }

    /// Whether this webhook is called for the request: a rule matches its operation, group,
    /// version, resource (`plural`, `plural/sub`, `*`, `*/*`, `plural/*`) and scope, the
    /// namespace's labels match `namespaceSelector` (a Namespace matches on its own), and the
    /// object's labels (new, else old) match `objectSelector`.
    func applies(to a: AdmissionAttributes, namespaceLabels: [String: String]?) -> Bool {
        let resource = a.subresource.map { "\(a.resource)/\($0)" } ?? a.resource
        let ruled = rules.contains { rule in
            func has(_ list: [String], _ value: String) -> Bool { list.contains("*") || list.contains(value) }
            let resourceMatches = rule.resources.contains { pattern in
                pattern == resource || pattern == "*/*" || (pattern == "*" && a.subresource == nil)
                    || (pattern.hasSuffix("/*") && a.subresource != nil && pattern.dropLast(2) == a.resource)
                    || (pattern.hasPrefix("*/") && a.subresource != nil && pattern.dropFirst(2) == a.subresource!)
            }
            let scoped = rule.scope == "*" || (rule.scope == "Namespaced") == (a.namespace != nil)
            return has(rule.operations, a.operation) && has(rule.apiGroups, a.group) && has(rule.apiVersions, a.version) && resourceMatches && scoped
        }
        guard ruled else { return false }
        if let namespaceLabels, !namespaceSelector.matches(namespaceLabels) { return false }
        // Called when the new object or the old one matches (a write that removes the label still is).
        return objectSelector.matches(labels(of: a.object)) || a.oldObject.map { objectSelector.matches(labels(of: $0)) } == true
    }

    private func labels(of object: JSON) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in object[path: "metadata", "labels"]?.objectValue ?? JSONObject() { out[key] = value.stringValue }
        return out
    }
}

/// What an admission webhook is told about a request (the `request` of an AdmissionReview).
struct AdmissionAttributes: Sendable {
    /// `CREATE`, `UPDATE` or `DELETE`.
    var operation: String
    var group: String
    var version: String
    var resource: String
    var subresource: String?
    var kind: String
    var namespace: String?
    var name: String
    var user: SimUser
    var object: JSON
    var oldObject: JSON?
    var dryRun: Bool
    var fieldManager: String
    /// Made by a PATCH (`options` are then PatchOptions, whatever the operation).
    var patch = false
}
