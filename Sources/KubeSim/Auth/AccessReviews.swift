import KubeJSON

/// `kubectl auth can-i`, `kubectl auth can-i --list` and `kubectl auth whoami`: SelfSubjectAccessReview
/// and SelfSubjectRulesReview (authorization.k8s.io/v1) and SelfSubjectReview (authentication.k8s.io/v1),
/// answered 201 for the requester after impersonation, by the same authorizer every request meets.
extension APIServer {
    static let selfSubjectAccessReviews = TypeKey(group: "authorization.k8s.io", plural: "selfsubjectaccessreviews")
    static let selfSubjectRulesReviews = TypeKey(group: "authorization.k8s.io", plural: "selfsubjectrulesreviews")
    static let selfSubjectReviews = TypeKey(group: "authentication.k8s.io", plural: "selfsubjectreviews")

    func review(_ c: RequestContext) throws -> APIResponse {
        var review = try c.body(c.type.kind)
        try checkTypeMeta(review, c)
        switch c.type.key {
        case Self.selfSubjectAccessReviews:
            review["status"] = try accessReviewStatus(review["spec"] ?? [:], user: c.user)
            if review["metadata"] == nil { review["metadata"] = ["creationTimestamp": .null] }
            return .object(status: 201, body: review)
        case Self.selfSubjectReviews:
            return .object(status: 201, body: [
                "kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1", "metadata": ["creationTimestamp": .null],
                "status": ["userInfo": ["username": .string(c.user.name), "groups": .array(c.user.groups.map { .string($0) })]],
            ])
        default:
            guard let namespace = review[path: "spec", "namespace"]?.stringValue, !namespace.isEmpty else {
                throw APIError.badRequest("no namespace on request")
            }
            return .object(status: 201, body: [
                "kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1", "metadata": ["creationTimestamp": .null],
                "spec": [:], "status": rulesReviewStatus(user: c.user, namespace: namespace),
            ])
        }
    }

    private func accessReviewStatus(_ spec: JSON, user: SimUser) throws -> JSON {
        let attributes: AuthorizationAttributes
        switch (spec["resourceAttributes"], spec["nonResourceAttributes"]) {
        case (let r?, nil):
            func field(_ key: String) -> String { r[key]?.stringValue ?? "" }
            let version = field("version")
            attributes = AuthorizationAttributes(user: user, verb: field("verb"), group: field("group"), version: version.isEmpty ? "*" : version,
                                                 resource: field("resource"), subresource: field("subresource"),
                                                 namespace: field("namespace"), name: field("name"))
        case (nil, let n?):
            attributes = AuthorizationAttributes(user: user, verb: n["verb"]?.stringValue ?? "", isResourceRequest: false,
                                                 path: n["path"]?.stringValue ?? "")
        default:
            let type = store.types[Self.selfSubjectAccessReviews]!
            let both = spec["resourceAttributes"] != nil
            throw APIError.invalid(type, "", [both
                ? .invalid("spec.nonResourceAttributes", spec["nonResourceAttributes"] ?? .null, "cannot be specified in combination with resourceAttributes")
                : .required("spec.resourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified")])
        }
        let decision = authorize(attributes)
        var status: JSONObject = ["allowed": .bool(decision.allowed)]
        if !decision.reason.isEmpty { status.set("reason", .string(decision.reason)) }
        return .object(status)
    }

    private func rulesReviewStatus(user: SimUser, namespace: String) -> JSON {
        let held = rules(for: user, namespace: namespace)
        var resourceRules: [JSON] = []
        var nonResourceRules: [JSON] = []
        for rule in held.rules {
            if !rule.resources.isEmpty {
                var o: JSONObject = ["verbs": .array(rule.verbs.map { .string($0) })]
                o.set("apiGroups", .array(rule.apiGroups.map { .string($0) }))
                o.set("resources", .array(rule.resources.map { .string($0) }))
                if !rule.resourceNames.isEmpty { o.set("resourceNames", .array(rule.resourceNames.map { .string($0) })) }
                resourceRules.append(.object(o))
            }
            if !rule.nonResourceURLs.isEmpty {
                nonResourceRules.append(["verbs": .array(rule.verbs.map { .string($0) }),
                                         "nonResourceURLs": .array(rule.nonResourceURLs.map { .string($0) })])
            }
        }
        var status: JSONObject = ["resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules), "incomplete": false]
        if !held.errors.isEmpty { status.set("evaluationError", .string(RBACPolicy.reason(held.errors))) }
        return .object(status)
    }
}
