import KubeJSON

/// The RBAC objects a real cluster starts with (the apiserver's bootstrap
/// policy), reduced to what every client relies on: `cluster-admin` for
/// system:masters, discovery and health paths for everyone, and access reviews
/// (`kubectl auth can-i`) for every authenticated user.
enum BootstrapPolicy {
    /// Everything: what cluster-admin holds, and what using an aggregationRule takes.
    static let fullAuthority = [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])]

    static let clusterRoles: [(name: String, rules: [PolicyRule])] = [
        ("cluster-admin", fullAuthority),
        ("system:discovery", [PolicyRule(verbs: ["get"], nonResourceURLs: [
            "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])]),
        ("system:public-info-viewer", [PolicyRule(verbs: ["get"], nonResourceURLs: [
            "/healthz", "/livez", "/readyz", "/version", "/version/"])]),
        ("system:basic-user", [PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"],
                                          resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
                                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"])]),
    ]

    static let clusterRoleBindings: [(name: String, role: String, groups: [String])] = [
        ("cluster-admin", "cluster-admin", ["system:masters"]),
        ("system:discovery", "system:discovery", ["system:authenticated"]),
        ("system:public-info-viewer", "system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]),
        ("system:basic-user", "system:basic-user", ["system:authenticated"]),
    ]

    static func install(into server: APIServer) {
        let labels: JSON = ["kubernetes.io/bootstrapping": "rbac-defaults"]
        let annotations: JSON = ["rbac.authorization.kubernetes.io/autoupdate": "true"]
        func metadata(_ name: String) -> JSON {
            ["name": .string(name), "uid": .string(RandomUUID.make()), "creationTimestamp": .string(server.timestamp()),
             "labels": labels, "annotations": annotations]
        }
        for role in clusterRoles {
            server.store.put(RBACPolicy.clusterRoles, namespace: nil, name: role.name, [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": metadata(role.name),
                "rules": .array(role.rules.map(\.json)),
            ])
        }
        for binding in clusterRoleBindings {
            server.store.put(RBACPolicy.clusterRoleBindings, namespace: nil, name: binding.name, [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": metadata(binding.name),
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(binding.role)],
                "subjects": .array(binding.groups.map { ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string($0)] }),
            ])
        }
    }
}
