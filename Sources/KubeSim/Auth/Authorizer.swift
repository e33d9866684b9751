/// A small RBAC-style rule: verbs × API groups × resources × namespaces ("*" matches all).
public struct AccessRule: Sendable, Equatable {
    public var verbs: [String]
    public var apiGroups: [String]
    /// Plural resource names, with subresources as "evolutions/status".
    public var resources: [String]
    /// nil: every namespace and cluster scope.
    public var namespaces: [String]?

    public init(verbs: [String], apiGroups: [String] = ["*"], resources: [String] = ["*"], namespaces: [String]? = nil) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.namespaces = namespaces
    }

    public static let all = AccessRule(verbs: ["*"])

    func allows(verb: String, group: String, resource: String, namespace: String?) -> Bool {
        (verbs.contains("*") || verbs.contains(verb))
            && (apiGroups.contains("*") || apiGroups.contains(group))
            && (resources.contains("*") || resources.contains(resource))
            && (namespaces == nil || namespace.map { namespaces!.contains($0) } == true)
    }
}

/// Decides whether a user may act, and words the 403 as the real server does (KUBE-API.md §8.1).
struct Authorizer: Sendable {
    var rules: [String: [AccessRule]]

    func allows(_ user: SimUser, _ info: RequestInfo) -> Bool {
        let resource = info.subresource.map { "\(info.resource)/\($0)" } ?? info.resource
        let granted = (rules[user.name] ?? []) + user.groups.flatMap { rules["group:" + $0] ?? [] }
        return granted.contains { $0.allows(verb: info.verb, group: info.group, resource: resource, namespace: info.namespace) }
    }

    func forbidden(_ user: SimUser, _ info: RequestInfo) -> APIError {
        let resource = info.subresource.map { "\(info.resource)/\($0)" } ?? info.resource
        let qualified = info.group.isEmpty ? info.resource : "\(info.resource).\(info.group)"
        let subject = info.name.map { "\(qualified) \"\($0)\"" } ?? qualified
        let scope = info.namespace.map { " in the namespace \"\($0)\"" } ?? " at the cluster scope"
        let message = "\(subject) is forbidden: User \"\(user.name)\" cannot \(info.verb) resource \"\(resource)\" in API group \"\(info.group)\"\(scope)"
        return APIError(code: 403, reason: "Forbidden", message: message,
                        details: APIError.details(name: info.name, group: info.group, kind: info.resource),
                        headers: [("X-Content-Type-Options", "nosniff")])
    }
}
