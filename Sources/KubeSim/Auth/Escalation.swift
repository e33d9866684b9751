import KubeJSON

/// RBAC's escalation prevention (the policy-based role and binding storage): a
/// user may write a Role or ClusterRole only with rules it already holds (or
/// the verb `escalate` on the kind), and a binding only to a role whose rules it
/// holds (or the verb `bind` on that role). system:masters is exempt. The
/// check runs on dry runs too, so a dry-run apply answers "may I grant this?".
extension APIServer {
    func checkEscalation(_ c: RequestContext, name: String, object: JSON, existing: JSON?) throws {
        guard c.type.group == RBACPolicy.group, c.info.subresource == nil, !Authorizer.isSuperuser(c.user) else { return }
        if let existing, onlyGarbageCollectionFields(existing, object) { return }
        let namespace = c.namespace ?? ""
        let grants: [PolicyRule]
        switch c.type.plural {
        case "roles", "clusterroles":
            // The request's own name: empty for a POST, so a resourceNames-limited `escalate` never covers a create.
            let escalate = AuthorizationAttributes(user: c.user, verb: "escalate", group: RBACPolicy.group, version: "*",
                                                   resource: c.type.plural, namespace: namespace, name: c.info.name ?? "")
            if authorize(escalate).allowed { return }
            grants = (object["rules"]?.arrayValue ?? []).map(PolicyRule.init(json:))
        case "rolebindings", "clusterrolebindings":
            let ref = RBACPolicy.RoleRef(kind: object[path: "roleRef", "kind"]?.stringValue ?? "",
                                         name: object[path: "roleRef", "name"]?.stringValue ?? "")
            // Any other kind is invalid: validation refuses it next.
            guard ["Role", "ClusterRole"].contains(ref.kind) else { return }
            let bind = AuthorizationAttributes(user: c.user, verb: "bind", group: object[path: "roleRef", "apiGroup"]?.stringValue ?? "",
                                               version: "*", resource: ref.kind == "Role" ? "roles" : "clusterroles",
                                               namespace: namespace, name: ref.name)
            if authorize(bind).allowed { return }
            switch rbac.rules(of: ref, namespace: namespace) {
            case .success(let rules): grants = rules
            case .failure(let missing):
                throw APIError(code: 404, reason: "NotFound", message: missing.registryDescription,
                               details: APIError.details(name: ref.name, group: RBACPolicy.group, kind: missing.kind + "s"))
            }
        default:
            return
        }
        let held = rules(for: c.user, namespace: namespace)
        let missing = Self.uncovered(grants, by: held.rules)
        guard !missing.isEmpty else {
            // An aggregation rule can gather anything, so it takes full authority (* on *.* and every URL).
            if c.type.plural == "clusterroles", let aggregation = object["aggregationRule"], !aggregation.isNull,
               !Self.uncovered(BootstrapPolicy.fullAuthority, by: held.rules).isEmpty {
                throw AuthorizationAttributes.forbidden(group: RBACPolicy.group, resource: c.type.plural, name: name,
                                                        because: "must have cluster-admin privileges to use the aggregationRule")
            }
            return
        }
        let groups = "[" + c.user.groups.map { "\"\($0)\"" }.joined(separator: " ") + "]"
        var message = "user \"\(c.user.name)\" (groups=\(groups)) is attempting to grant RBAC permissions not currently held:\n"
            + Set(Self.compact(missing).map(Self.compactString)).sorted().joined(separator: "\n")
        if !held.errors.isEmpty {
            message += "; resolution errors: [" + held.errors.map(\.registryDescription).joined(separator: ", ") + "]"
        }
        throw AuthorizationAttributes.forbidden(group: RBACPolicy.group, resource: c.type.plural, name: name, because: message)
    }

    /// Metadata-only changes that the garbage collector needs never count as granting.
    private func onlyGarbageCollectionFields(_ old: JSON, _ new: JSON) -> Bool {
        var a = old, b = new
        for field in ["ownerReferences", "finalizers", "resourceVersion", "managedFields", "generation"] {
            a["metadata"]?[field] = nil
            b["metadata"]?[field] = nil
        }
        return a == b
    }

    /// The single-verb, single-resource pieces of `servant` no rule of `owner` covers (rbac Covers).
    static func uncovered(_ servant: [PolicyRule], by owner: [PolicyRule]) -> [PolicyRule] {
        servant.flatMap(breakdown).filter { piece in !owner.contains { covers($0, piece) } }
    }

    static func breakdown(_ rule: PolicyRule) -> [PolicyRule] {
        var pieces: [PolicyRule] = []
        for group in rule.apiGroups {
            for resource in rule.resources {
                for verb in rule.verbs {
                    if rule.resourceNames.isEmpty {
                        pieces.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource]))
                    } else {
                        for name in rule.resourceNames {
                            pieces.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name]))
                        }
                    }
                }
            }
        }
        for url in rule.nonResourceURLs {
            for verb in rule.verbs { pieces.append(PolicyRule(verbs: [verb], nonResourceURLs: [url])) }
        }
        return pieces
    }

    static func covers(_ owner: PolicyRule, _ piece: PolicyRule) -> Bool {
        let verbs = owner.verbs.contains("*") || piece.verbs.allSatisfy(owner.verbs.contains)
        let groups = owner.apiGroups.contains("*") || piece.apiGroups.allSatisfy(owner.apiGroups.contains)
        let resources = owner.resources.contains("*") || piece.resources.allSatisfy { resource in
            if owner.resources.contains(resource) { return true }
            guard let slash = resource.firstIndex(of: "/") else { return false }
            return owner.resources.contains("*" + resource[slash...])
        }
        let urls = piece.nonResourceURLs.allSatisfy { url in owner.nonResourceURLs.contains { PolicyRule.urlMatches($0, url) } }
        let names = owner.resourceNames.isEmpty || (!piece.resourceNames.isEmpty && piece.resourceNames.allSatisfy(owner.resourceNames.contains))
        return verbs && groups && resources && urls && names
    }

    /// CompactRules: single-group, single-resource rules merge their verbs.
    static func compact(_ rules: [PolicyRule]) -> [PolicyRule] {
        var compacted: [PolicyRule] = []
        var simple: [String: Int] = [:]
        for rule in rules {
            let isSimple = rule.resourceNames.count <= 1 && rule.nonResourceURLs.isEmpty && rule.apiGroups.count == 1 && rule.resources.count == 1
            guard isSimple else { compacted.append(rule); continue }
            let key = "\(rule.apiGroups[0])|\(rule.resources[0])|\(rule.resourceNames.first.map { "1" + $0 } ?? "0")"
            if let i = simple[key] { compacted[i].verbs += rule.verbs } else {
                simple[key] = compacted.count
                compacted.append(rule)
            }
        }
        return compacted
    }

    /// rbacv1helpers.CompactString: `{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}`.
    static func compactString(_ rule: PolicyRule) -> String {
        func quoted(_ list: [String]) -> String { "[" + list.map { "\"\($0)\"" }.joined(separator: " ") + "]" }
        var parts: [String] = []
        if !rule.apiGroups.isEmpty { parts.append("APIGroups:" + quoted(rule.apiGroups)) }
        if !rule.resources.isEmpty { parts.append("Resources:" + quoted(rule.resources)) }
        if !rule.nonResourceURLs.isEmpty { parts.append("NonResourceURLs:" + quoted(rule.nonResourceURLs)) }
        if !rule.resourceNames.isEmpty { parts.append("ResourceNames:" + quoted(rule.resourceNames)) }
        if !rule.verbs.isEmpty { parts.append("Verbs:" + quoted(rule.verbs)) }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
