import KubeJSON
import KubeSemantics

/// One kind the simulated server serves, with the rules that differ between kinds.
struct ResourceType: Sendable {
    var group: String
    var version: String
    var plural: String
    var singular: String
    var kind: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []
    /// Has a /status subresource: status is split from the main endpoint (KUBE-API.md §4).
    var hasStatus = false
    /// A custom resource: 422 on update without resourceVersion, 415 for strategic merge, sorted keys.
    var isCustom = false
    /// Spec changes bump metadata.generation (CRs and workloads; not ConfigMaps, Leases...).
    var tracksGeneration = false
    /// The CRD version's openAPIV3Schema (validated, defaulted and pruned through KubeSemantics).
    var schema: JSON?
    /// The same schema, parsed once at registration.
    var structuralSchema: StructuralSchema?
    /// CRD additionalPrinterColumns as (name, type, jsonPath); empty means Name + Age.
    var printerColumns: [PrinterColumn] = []
    /// The resourceVersion at which this type started: watches from before it are "too old".
    var registeredAt: Int64 = 0
    var crdName: String?
    /// Virtual kinds that are only ever created and never stored (access reviews) answer nothing else.
    var createOnly = false

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var key: TypeKey { TypeKey(group: group, plural: plural) }
    /// "configmaps" or "evolutions.causeway.dev", as messages name resources.
    var qualifiedResource: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// How lists at `path` merge and own their items (CRD x-kubernetes-list-type; built-ins by convention).
    func listSemantics(_ path: [String]) -> ListSemantics? {
        if let structuralSchema { return structuralSchema.listSemantics(at: path) }
        switch path.last {
        case "containers", "initContainers", "volumes", "env", "volumeMounts", "imagePullSecrets": return .map(keys: ["name"])
        case "ports": return .map(keys: ["containerPort"])
        case "conditions": return .map(keys: ["type"])
        case "finalizers": return .set
        default: return nil
        }
    }
}

struct TypeKey: Hashable, Sendable {
    var group: String
    var plural: String
}

extension ResourceType {
    static let builtIns: [ResourceType] = [
        ResourceType(group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false,
                     shortNames: ["ns"], hasStatus: true),
        ResourceType(group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true,
                     shortNames: ["cm"]),
        ResourceType(group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true),
        // Stored only: no cluster IPs or endpoints (admission webhooks reach a Service through `KubeSimOptions.serviceEndpoints`).
        ResourceType(group: "", version: "v1", plural: "services", singular: "service", kind: "Service", namespaced: true,
                     shortNames: ["svc"], categories: ["all"], hasStatus: true),
        ResourceType(group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount",
                     namespaced: true, shortNames: ["sa"]),
        ResourceType(group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"]),
        ResourceType(group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true,
                     shortNames: ["ev"]),
        ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease", namespaced: true),
        ResourceType(group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment", namespaced: true,
                     shortNames: ["deploy"], categories: ["all"], hasStatus: true, tracksGeneration: true),
        ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
                     singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
                     shortNames: ["crd", "crds"], hasStatus: true, tracksGeneration: true),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", singular: "role", kind: "Role", namespaced: true),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", singular: "clusterrole",
                     kind: "ClusterRole", namespaced: false),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", singular: "rolebinding",
                     kind: "RoleBinding", namespaced: true),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings", singular: "clusterrolebinding",
                     kind: "ClusterRoleBinding", namespaced: false),
        ResourceType(group: "policy", version: "v1", plural: "poddisruptionbudgets", singular: "poddisruptionbudget",
                     kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], hasStatus: true, tracksGeneration: true),
        ResourceType(group: "admissionregistration.k8s.io", version: "v1", plural: "mutatingwebhookconfigurations",
                     singular: "mutatingwebhookconfiguration", kind: "MutatingWebhookConfiguration", namespaced: false, tracksGeneration: true),
        ResourceType(group: "admissionregistration.k8s.io", version: "v1", plural: "validatingwebhookconfigurations",
                     singular: "validatingwebhookconfiguration", kind: "ValidatingWebhookConfiguration", namespaced: false, tracksGeneration: true),
        ResourceType(group: "authorization.k8s.io", version: "v1", plural: "selfsubjectaccessreviews", singular: "selfsubjectaccessreview",
                     kind: "SelfSubjectAccessReview", namespaced: false, createOnly: true),
        ResourceType(group: "authorization.k8s.io", version: "v1", plural: "selfsubjectrulesreviews", singular: "selfsubjectrulesreview",
                     kind: "SelfSubjectRulesReview", namespaced: false, createOnly: true),
        ResourceType(group: "authentication.k8s.io", version: "v1", plural: "selfsubjectreviews", singular: "selfsubjectreview",
                     kind: "SelfSubjectReview", namespaced: false, createOnly: true),
    ]
}

/// A CRD additionalPrinterColumns entry; priority > 0 shows only with `-o wide`.
struct PrinterColumn: Sendable {
    var name: String
    var type: String
    var jsonPath: String
    var priority: Int64 = 0
    var description: String?
}
