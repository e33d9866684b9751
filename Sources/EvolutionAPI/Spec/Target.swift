/// A boundary the evolution crosses: one cluster (region, environment).
public struct Target: Sendable, Hashable {
    /// The target used when the spec names none: the controller's own cluster.
    public static let localName = "local"

    public var name: String
    /// Where the kubeconfig for this cluster lives; `nil` means the
    /// controller's own cluster (in-cluster config or its own kubeconfig).
    public var kubeconfigSecretRef: SecretKeyReference?

    public init(name: String, kubeconfigSecretRef: SecretKeyReference? = nil) {
        self.name = name
        self.kubeconfigSecretRef = kubeconfigSecretRef
    }
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
