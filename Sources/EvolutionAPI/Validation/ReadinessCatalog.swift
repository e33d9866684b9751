/// The kinds whose readiness Causeway can judge without being told how.
///
/// Built-in kinds either have kstatus rules (Deployment rollout complete, Job
/// complete, Pod ready, PVC bound...) or are "current" as soon as they exist
/// (ConfigMap, Secret, RBAC...). A custom resource is different: it may
/// publish neither `status.observedGeneration` nor conditions, and then
/// existing says nothing about being absorbed (Argo CD #4669; a kstatus false
/// positive). So a step that applies a custom resource must declare a check
/// that names it.
public enum ReadinessCatalog {
    /// Group → kinds. The core group is "".
    static let known: [String: Set<String>] = [
        "": ["ConfigMap", "Secret", "Namespace", "ServiceAccount", "Service", "Pod", "PersistentVolumeClaim",
             "PersistentVolume", "ReplicationController", "LimitRange", "ResourceQuota", "Endpoints"],
        "apps": ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
        "batch": ["Job", "CronJob"],
        "rbac.authorization.k8s.io": ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
        "networking.k8s.io": ["Ingress", "IngressClass", "NetworkPolicy"],
        "policy": ["PodDisruptionBudget"],
        "autoscaling": ["HorizontalPodAutoscaler"],
        "apiextensions.k8s.io": ["CustomResourceDefinition"],
        "storage.k8s.io": ["StorageClass", "CSIDriver"],
        "scheduling.k8s.io": ["PriorityClass"],
        "coordination.k8s.io": ["Lease"],
        "admissionregistration.k8s.io": ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
                                         "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
        "discovery.k8s.io": ["EndpointSlice"],
    ]

    /// Whether `current` can judge this kind on its own.
    public static func knowsReadiness(of object: ObjectKey) -> Bool {
        known[object.group]?.contains(object.kind) == true
    }
}
