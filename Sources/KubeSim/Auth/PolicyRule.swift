import KubeJSON

/// One rule of a Role or ClusterRole (rbac.authorization.k8s.io/v1 PolicyRule),
/// matched as the RBAC authorizer's evaluation helpers match it.
struct PolicyRule: Sendable, Equatable {
    var verbs: [String]
    var apiGroups: [String] = []
    var resources: [String] = []
    var resourceNames: [String] = []
    var nonResourceURLs: [String] = []

    init(verbs: [String], apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [],
         nonResourceURLs: [String] = []) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    init(json: JSON) {
        func strings(_ key: String) -> [String] { (json[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        self.init(verbs: strings("verbs"), apiGroups: strings("apiGroups"), resources: strings("resources"),
                  resourceNames: strings("resourceNames"), nonResourceURLs: strings("nonResourceURLs"))
    }

    var json: JSON {
        var o = JSONObject()
        func put(_ key: String, _ list: [String]) { if !list.isEmpty { o.set(key, .array(list.map { .string($0) })) } }
        put("verbs", verbs)
        put("apiGroups", apiGroups)
        put("resources", resources)
        put("resourceNames", resourceNames)
        put("nonResourceURLs", nonResourceURLs)
        return .object(o)
    }

    /// RuleAllows: resource rules match resource requests, URL rules match path requests.
    func allows(_ a: AuthorizationAttributes) -> Bool {
        guard verbs.contains("*") || verbs.contains(a.verb) else { return false }
        if !a.isResourceRequest { return nonResourceURLs.contains { Self.urlMatches($0, a.path) } }
        return (apiGroups.contains("*") || apiGroups.contains(a.group))
            && resourceMatches(a.combinedResource, subresource: a.subresource)
            && (resourceNames.isEmpty || resourceNames.contains(a.name))
    }

    /// "*" matches everything, "res/sub" exactly, and "*/sub" any resource's subresource.
    func resourceMatches(_ combined: String, subresource: String) -> Bool {
        resources.contains { rule in
            rule == "*" || rule == combined || (!subresource.isEmpty && rule == "*/" + subresource)
        }
    }

    static func urlMatches(_ rule: String, _ path: String) -> Bool {
        if rule == "*" || rule == path { return true }
        return rule.hasSuffix("*") && path.hasPrefix(String(rule.dropLast()))
    }
}
