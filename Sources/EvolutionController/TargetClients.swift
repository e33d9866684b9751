import Foundation
import EvolutionAPI
import KubeClient
import KubeJSON
import Synchronization

/// One client per target cluster: the controller's own for targets without a
/// kubeconfigSecretRef, otherwise one built from the referenced Secret's
/// kubeconfig (re-built when the Secret changes).
final class TargetClients: Sendable {
    let home: KubeClient
    private let cache = Mutex<[String: (resourceVersion: String, client: KubeClient)]>([:])

    init(home: KubeClient) {
        self.home = home
    }

    struct Unreachable: Error, CustomStringConvertible {
        var description: String
    }

    /// The client for `target` of an Evolution in `namespace`.
    func client(for target: Target, evolutionNamespace namespace: String) async throws -> KubeClient {
        guard let ref = target.kubeconfigSecretRef else { return home }
        let secretNamespace = ref.namespace ?? namespace
        let secret: JSON
        do { secret = try await home.get(.secrets, name: ref.name, namespace: secretNamespace) } catch {
            throw Unreachable(description: "target \(target.name): cannot read Secret \(secretNamespace)/\(ref.name): \(error)")
        }
        let rv = secret[path: "metadata", "resourceVersion"]?.stringValue ?? ""
        let cacheKey = "\(secretNamespace)/\(ref.name)/\(ref.key)"
        if let cached = cache.withLock({ $0[cacheKey] }), cached.resourceVersion == rv { return cached.client }
        guard let encoded = secret[path: "data", ref.key]?.stringValue, let data = Data(base64Encoded: encoded) else {
            throw Unreachable(description: "target \(target.name): Secret \(secretNamespace)/\(ref.name) has no key \"\(ref.key)\"")
        }
        do {
            let config = try KubeConfig.parse(String(decoding: data, as: UTF8.self), file: "secret \(secretNamespace)/\(ref.name)").restConfig()
            let client = try KubeClient(config: config)
            cache.withLock { $0[cacheKey] = (rv, client) }
            return client
        } catch {
            throw Unreachable(description: "target \(target.name): the kubeconfig in Secret \(secretNamespace)/\(ref.name) is unusable: \(error)")
        }
    }
}
