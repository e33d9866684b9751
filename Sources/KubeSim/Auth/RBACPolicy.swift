import KubeJSON
import KubeSemantics

/// The RBAC objects of one store, parsed: what the real RBAC authorizer reads
/// from its informers. Rebuilt when any of the four kinds changes.
struct RBACPolicy: Sendable {
    static let group = "rbac.authorization.k8s.io"
    static let roles = TypeKey(group: group, plural: "roles")
    static let clusterRoles = TypeKey(group: group, plural: "clusterroles")
    static let roleBindings = TypeKey(group: group, plural: "rolebindings")
    static let clusterRoleBindings = TypeKey(group: group, plural: "clusterrolebindings")
    static let kinds = [roles, clusterRoles, roleBindings, clusterRoleBindings]

    struct Subject: Sendable, Equatable {
        var kind: String
        var name: String
        var namespace: String

        /// appliesToUser: a ServiceAccount subject's namespace defaults to the binding's.
        func applies(to user: SimUser, bindingNamespace: String) -> Bool {
            switch kind {
            case "User": return user.name == name
            case "Group": return user.groups.contains(name)
            case "ServiceAccount":
                let ns = namespace.isEmpty ? bindingNamespace : namespace
                return !ns.isEmpty && user.name == ServiceAccountName.username(namespace: ns, name: name)
            default: return false
            }
        }
    }

    struct RoleRef: Sendable, Equatable {
        var kind: String
        var name: String
    }

    struct Binding: Sendable {
        var name: String
        /// Empty for a ClusterRoleBinding.
        var namespace: String
        var roleRef: RoleRef
        var subjects: [Subject]

        init(json: JSON) {
            name = json[path: "metadata", "name"]?.stringValue ?? ""
            namespace = json[path: "metadata", "namespace"]?.stringValue ?? ""
            roleRef = RoleRef(kind: json[path: "roleRef", "kind"]?.stringValue ?? "", name: json[path: "roleRef", "name"]?.stringValue ?? "")
            subjects = (json["subjects"]?.arrayValue ?? []).map {
                Subject(kind: $0["kind"]?.stringValue ?? "", name: $0["name"]?.stringValue ?? "",
                        namespace: $0["namespace"]?.stringValue ?? "")
            }
        }

        /// `ClusterRoleBinding "b" of ClusterRole "r" to Group "g"`; role bindings are named `"b/ns"`.
        func describe(_ subject: Subject) -> String {
            let who: String
            if subject.kind == "ServiceAccount" {
                who = "ServiceAccount \"\(subject.name)/\(subject.namespace.isEmpty ? namespace : subject.namespace)\""
            } else {
                who = "\(subject.kind) \"\(subject.name)\""
            }
            let kind = namespace.isEmpty ? "ClusterRoleBinding \"\(name)\"" : "RoleBinding \"\(name)/\(namespace)\""
            return "\(kind) of \(roleRef.kind) \"\(roleRef.name)\" to \(who)"
        }
    }

    var clusterRoles: [String: [PolicyRule]] = [:]
    /// namespace → name → rules
    var roles: [String: [String: [PolicyRule]]] = [:]
    var clusterRoleBindings: [Binding] = []
    /// namespace → bindings
    var roleBindings: [String: [Binding]] = [:]

    init(store: Store) {
        func rules(_ object: JSON) -> [PolicyRule] { (object["rules"]?.arrayValue ?? []).map(PolicyRule.init(json:)) }
        for (_, role) in store.list(Self.clusterRoles, namespace: nil) {
            clusterRoles[role[path: "metadata", "name"]?.stringValue ?? ""] = rules(role)
        }
        for (_, role) in store.list(Self.roles, namespace: nil) {
            let ns = role[path: "metadata", "namespace"]?.stringValue ?? ""
            roles[ns, default: [:]][role[path: "metadata", "name"]?.stringValue ?? ""] = rules(role)
        }
        clusterRoleBindings = store.list(Self.clusterRoleBindings, namespace: nil).map { Binding(json: $0.object) }
        for (_, binding) in store.list(Self.roleBindings, namespace: nil) {
            let b = Binding(json: binding)
            roleBindings[b.namespace, default: []].append(b)
        }
    }

    /// The rules a role reference grants in `namespace`, or the lister's not-found error text.
    func rules(of ref: RoleRef, namespace: String) -> Result<[PolicyRule], RoleNotFound> {
        switch ref.kind {
        case "ClusterRole":
            guard let found = clusterRoles[ref.name] else { return .failure(RoleNotFound(kind: "clusterrole", name: ref.name)) }
            return .success(found)
        case "Role":
            guard let found = roles[namespace]?[ref.name] else { return .failure(RoleNotFound(kind: "role", name: ref.name)) }
            return .success(found)
        default:
            return .failure(RoleNotFound(kind: ref.kind.lowercased(), name: ref.name))
        }
    }

    /// A bound role that does not exist. The authorizer's informer lister names the
    /// kind in the singular (`clusterrole.rbac.authorization.k8s.io "x" not found`),
    /// the registry the escalation check reads in the plural.
    struct RoleNotFound: Error, Sendable, CustomStringConvertible {
        /// "clusterrole" or "role".
        var kind: String
        var name: String
        var description: String { "\(kind).\(RBACPolicy.group) \"\(name)\" not found" }
        var registryDescription: String { "\(kind)s.\(RBACPolicy.group) \"\(name)\" not found" }
    }

    /// Visits every rule bound to `user` that applies in `namespace` (cluster bindings
    /// first, then the namespace's role bindings), as the rule resolver does, with
    /// the binding and subject that grant it. Stops when `visit` returns false;
    /// collects the resolution errors on the way.
    func visitRules(for user: SimUser, namespace: String, _ visit: (PolicyRule, Binding, Subject) -> Bool) -> [RoleNotFound] {
        var errors: [RoleNotFound] = []
        let scopes: [(bindings: [Binding], namespace: String)] =
            namespace.isEmpty ? [(clusterRoleBindings, "")] : [(clusterRoleBindings, ""), (roleBindings[namespace] ?? [], namespace)]
        for scope in scopes {
            for binding in scope.bindings {
                guard let subject = binding.subjects.first(where: { $0.applies(to: user, bindingNamespace: scope.namespace) }) else { continue }
                switch rules(of: binding.roleRef, namespace: scope.namespace) {
                case .success(let rules): for rule in rules where !visit(rule, binding, subject) { return errors }
                case .failure(let e): errors.append(e)
                }
            }
        }
        return errors
    }

    /// Every rule `user` holds in `namespace`, with the resolution errors.
    func rules(for user: SimUser, namespace: String) -> (rules: [PolicyRule], errors: [RoleNotFound]) {
        var all: [PolicyRule] = []
        let errors = visitRules(for: user, namespace: namespace) { rule, _, _ in all.append(rule); return true }
        return (all, errors)
    }

    /// Allowed (reason: `RBAC: allowed by …`), or denied (reason: `RBAC: …` when a bound
    /// role is missing, else empty), worded as the RBAC authorizer words them.
    func authorize(_ attributes: AuthorizationAttributes) -> (allowed: Bool, reason: String) {
        var allowedBy: String?
        let errors = visitRules(for: attributes.user, namespace: attributes.namespace) { rule, binding, subject in
            guard rule.allows(attributes) else { return true }
            allowedBy = binding.describe(subject)
            return false
        }
        if let allowedBy { return (true, "RBAC: allowed by \(allowedBy)") }
        return (false, Self.reason(errors))
    }

    /// utilerrors.NewAggregate's text: one error alone, several in brackets.
    static func reason(_ errors: [RoleNotFound]) -> String {
        switch errors.count {
        case 0: return ""
        case 1: return "RBAC: \(errors[0])"
        default: return "RBAC: [" + errors.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// `system:serviceaccount:NS:NAME`, the user a ServiceAccount's token authenticates as.
enum ServiceAccountName {
    static let prefix = "system:serviceaccount:"

    static func username(namespace: String, name: String) -> String { "\(prefix)\(namespace):\(name)" }

    /// (namespace, name) of a ServiceAccount username, nil for any other user (SplitUsername:
    /// a namespace that is no DNS label or a name that is no DNS subdomain makes it a plain user).
    static func split(_ username: String) -> (namespace: String, name: String)? {
        guard username.hasPrefix(prefix) else { return nil }
        let parts = username.dropFirst(prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let namespace = String(parts[0]), name = String(parts[1])
        guard NameValidation.dns1123Label(namespace).isEmpty, NameValidation.dns1123Subdomain(name).isEmpty else { return nil }
        return (namespace, name)
    }

    /// The groups every ServiceAccount of `namespace` is in.
    static func groups(namespace: String) -> [String] { ["system:serviceaccounts", "system:serviceaccounts:\(namespace)"] }
}
