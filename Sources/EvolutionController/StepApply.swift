import KubeClient
import KubeJSON

/// How one object of a step reaches a cluster, the same for the apply and for its dry
/// run at plan admission: server-side apply as field manager `causeway`, forced (the
/// step owns what it declares), a namespaced object without a namespace placed in the
/// Evolution's.
enum StepApply {
    static let fieldManager = "causeway"

    /// The manifest as it is sent.
    static func placed(_ manifest: JSON, resource: APIResource, evolutionNamespace: String) -> JSON {
        guard resource.namespaced, manifest[path: "metadata", "namespace"] == nil else { return manifest }
        var object = manifest
        object["metadata"]?["namespace"] = .string(evolutionNamespace)
        return object
    }

    static func apply(_ object: JSON, resource: APIResource, with client: KubeClient, dryRun: Bool = false) async throws(KubeClientError) -> JSON {
        try await client.apply(resource, object, fieldManager: fieldManager, force: true, dryRun: dryRun)
    }
}
