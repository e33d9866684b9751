/// A boundary the evolution crosses: one cluster (region, environment).
public struct Target: Sendable, Hashable {
    /// The target used when the spec names none: the controller's own cluster.
    public static let localName = "local"

    public var name: String
    /// Where the kubeconfig for this cluster lives; `nil` means the
    /// controller's own cluster (in-cluster config or its own kubeconfig).
    public var kubeconfigSecretRef: SecretKeyReference?
    /// Whether requests on this target impersonate the Evolution's ServiceAccount on
    /// top of the identity that reaches it. Always true for the controller's own
    /// cluster (the controller's identity is never lent to an Evolution); for a
    /// kubeconfig target, `nil` means false: the kubeconfig's identity is the tenant's.
    public var impersonate: Bool?

    public init(name: String, kubeconfigSecretRef: SecretKeyReference? = nil, impersonate: Bool? = nil) {
        self.name = name
        self.kubeconfigSecretRef = kubeconfigSecretRef
        self.impersonate = impersonate
    }

    /// Whether requests on this target carry the Evolution's ServiceAccount.
    public var impersonates: Bool { kubeconfigSecretRef == nil || impersonate == true }
}

/// A key of a Secret; the namespace defaults to the Evolution's own.
public struct SecretKeyReference: Sendable, Hashable {
    public static let defaultKey = "kubeconfig"
    public var name: String
    public var namespace: String?
    public var key: String

    public init(name: String, namespace: String? = nil, key: String = SecretKeyReference.defaultKey) {
        self.name = name
        self.namespace = namespace
        self.key = key
    }
}
