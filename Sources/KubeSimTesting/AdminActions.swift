import Foundation
import KubeClient
import KubeJSON
import KubeYAML
import TestSupport

/// What a test does as an administrator, against any API server (KubeSim or a real one).
extension KubeClient {
    /// Creates every object of a YAML stream as the admin, each in its own namespace (or `namespace`).
    @discardableResult
    public func create(yaml: String, namespace: String? = nil) async throws -> [JSON] {
        var created: [JSON] = []
        for object in try YAML.parseStream(Array(yaml.utf8)) { created.append(try await create(object, namespace: namespace)) }
        return created
    }

    @discardableResult
    public func create(_ object: JSON, namespace: String? = nil) async throws -> JSON {
        let resource = try await self.resource(for: object)
        let namespace = resource.namespaced ? (object[path: "metadata", "namespace"]?.stringValue ?? namespace ?? "default") : nil
        return try await self.create(resource, object, namespace: namespace)
    }

    public func createNamespace(_ name: String) async throws {
        _ = try await self.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
    }

    /// Installs the Evolution CRD from Manifests/, as shipped (or as `edit` changes it).
    public func installEvolutionCRD(edit: (inout JSON) -> Void = { _ in }) async throws {
        var definition = try Self.evolutionCRD()
        edit(&definition)
        _ = try await self.create(.customResourceDefinitions, definition)
    }

    public static func evolutionCRD() throws -> JSON {
        let path = Command.repository.appendingPathComponent("Manifests/crd/evolution.yaml").path
        guard let data = FileManager.default.contents(atPath: path), let crd = try YAML.parseStream(Array(data)).first else {
            throw SimTestingError("no CRD at \(path)")
        }
        return crd
    }

    /// Lets `account` of `namespace` (the account Evolutions there act as) do anything on this cluster,
    /// as a platform admin would bind a trusted team's deployer. Tests about tenancy grant less.
    public func grantClusterAdmin(account: String = "default", namespace: String = "default") async throws {
        try await create(yaml: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: \(namespace)-\(account)-admin}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
            subjects: [{kind: ServiceAccount, name: \(account), namespace: \(namespace)}]
            """)
    }

    /// Stores `cluster`'s admin kubeconfig in Secret `name`, for a target's `kubeconfigSecretRef`.
    public func storeKubeconfig(of cluster: SimCluster, secret name: String, namespace: String = "default") async throws {
        _ = try await create(.secrets, cluster.kubeconfigSecret(name), namespace: namespace)
    }
}
