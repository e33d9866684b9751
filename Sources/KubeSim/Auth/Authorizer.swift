/// A static access rule: verbs × API groups × resources × namespaces ("*" matches all).
/// The bootstrap for users that exist before any RBAC object (the admin), as a
/// real cluster's system:masters group is authorised without RBAC objects.
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

    /// The same grant as an RBAC rule, when it applies in `namespace` ("" is the cluster scope).
    func policyRule(in namespace: String) -> PolicyRule? {
        if let namespaces, !namespaces.contains(namespace) { return nil }
        return PolicyRule(verbs: verbs, apiGroups: apiGroups, resources: resources,
                          nonResourceURLs: resources.contains("*") ? ["*"] : [])
    }
}

/// Decides whether a user may act: the static bootstrap rules first, then the
/// RBAC objects in the store, as the real server's union authorizer asks
/// each authorizer in turn (KUBE-API.md §8).
struct Authorizer: Sendable {
    /// By user name, or "group:NAME" for a group.
    var rules: [String: [AccessRule]]

    /// The static rules `user` holds in `namespace`, as RBAC rules.
    func staticRules(for user: SimUser, namespace: String) -> [PolicyRule] {
        let granted = (rules[user.name] ?? []) + user.groups.flatMap { rules["group:" + $0] ?? [] }
        return granted.compactMap { $0.policyRule(in: namespace) }
    }

    /// The superuser group: never subject to RBAC's escalation checks (EscalationAllowed).
    static func isSuperuser(_ user: SimUser) -> Bool { user.groups.contains("system:masters") }
}

extension APIServer {
    /// The RBAC objects as of now, parsed again only after one of them changed.
    var rbac: RBACPolicy {
        let stamp = RBACPolicy.kinds.map { store.lastEventRevision[$0] ?? 0 }
        if let cached = rbacCache, cached.stamp == stamp { return cached.policy }
        let policy = RBACPolicy(store: store)
        rbacCache = (stamp, policy)
        return policy
    }

    func authorize(_ attributes: AuthorizationAttributes) -> (allowed: Bool, reason: String) {
        let namespace = attributes.namespace
        if authorizer.staticRules(for: attributes.user, namespace: namespace).contains(where: { $0.allows(attributes) }) {
            return (true, "")
        }
        return rbac.authorize(attributes)
    }

    /// Throws the real server's 403 unless `attributes` are allowed.
    func requireAuthorized(_ attributes: AuthorizationAttributes) throws {
        let decision = authorize(attributes)
        if !decision.allowed { throw attributes.forbidden(reason: decision.reason) }
    }

    /// Every rule `user` holds in `namespace`: static and RBAC, with RBAC's resolution errors.
    func rules(for user: SimUser, namespace: String) -> (rules: [PolicyRule], errors: [RBACPolicy.RoleNotFound]) {
        let resolved = rbac.rules(for: user, namespace: namespace)
        return (authorizer.staticRules(for: user, namespace: namespace) + resolved.rules, resolved.errors)
    }
}
