import ControllerRuntime
import Foundation
import EvolutionAPI
import KubeClient
import KubeJSON
import Synchronization

/// Who an Evolution acts as: a ServiceAccount in its own namespace, never the
/// controller. `spec.serviceAccountName`, else the controller's
/// `--default-service-account` ("default", as for Pods).
struct EvolutionAccount: Sendable, Hashable, CustomStringConvertible {
    var namespace: String
    var name: String

    var impersonation: Impersonation { .serviceAccount(namespace: namespace, name: name) }
    var description: String { "system:serviceaccount:\(namespace):\(name)" }
}

/// The controller's rules for what Evolutions may reference.
public struct TenancyPolicy: Sendable, Equatable {
    /// The account of an Evolution without `spec.serviceAccountName` (Flux's `--default-service-account`).
    public var defaultServiceAccount: String
    /// Allow kubeconfig Secrets outside the Evolution's namespace (they are still read as the Evolution's account).
    public var allowCrossNamespaceRefs: Bool
    /// The controller's own namespace: Evolutions there are refused, since their accounts
    /// live beside the controller's own (whose rights, and signing key, they could borrow).
    public var controllerNamespace: String?

    public init(defaultServiceAccount: String = "default", allowCrossNamespaceRefs: Bool = false, controllerNamespace: String? = nil) {
        self.defaultServiceAccount = defaultServiceAccount
        self.allowCrossNamespaceRefs = allowCrossNamespaceRefs
        self.controllerNamespace = controllerNamespace
    }

    func account(of spec: EvolutionSpec, namespace: String) -> EvolutionAccount {
        EvolutionAccount(namespace: namespace, name: spec.serviceAccountName ?? defaultServiceAccount)
    }
}

/// A target as one Evolution reaches it: the client (acting as the account where
/// the target impersonates) and a key naming the cluster and the identity, so
/// watches are shared only between Evolutions that see the same things.
struct TargetConnection: Sendable {
    var client: KubeClient
    var key: String
    /// Whom it writes as, when known without asking (an impersonated account).
    var identity: String?
}

/// Why a target cannot be used, with the reason status, Events and metrics use.
struct TargetAccessError: Error, CustomStringConvertible {
    var reason: FailureReason
    var description: String
    /// The home cluster could not answer (transport, 5xx, 429): worth retrying, not a verdict.
    var transient = false
}

/// One client per target cluster. The controller's own cluster is always reached
/// as the Evolution's account (impersonated); another cluster through the
/// kubeconfig in the referenced Secret, which is read as the Evolution's
/// account too, so an Evolution can use only the Secrets its account may read.
/// Clients built from a Secret are kept until the Secret changes.
final class TargetClients: Sendable {
    let home: KubeClient
    let policy: TenancyPolicy
    private struct Built {
        var resourceVersion: String
        var client: KubeClient
        /// The Evolutions that reached a target through it: it lives while one does.
        var users: Set<ControllerRuntime.ObjectKey>
    }
    private let built = Mutex<[String: Built]>([:])
    /// Who reached which target how, last time: the connection an Evolution's watches run through.
    private struct Reach: Hashable {
        var evolution: ControllerRuntime.ObjectKey
        var target: Target
        var account: EvolutionAccount
    }
    private let reached = Mutex<[Reach: (connection: TargetConnection, readAt: ContinuousClock.Instant)]>([:])
    /// Whom each kubeconfig connection authenticates as, asked once (by connection key).
    private let identities = Mutex<[String: String]>([:])

    init(home: KubeClient, policy: TenancyPolicy) {
        self.home = home
        self.policy = policy
    }

    /// The Secret a target's kubeconfig lives in, refused when it is in another
    /// namespace and cross-namespace references are blocked.
    func secretLocation(of target: Target, account: EvolutionAccount) throws(TargetAccessError) -> (namespace: String, ref: SecretKeyReference)? {
        guard let ref = target.kubeconfigSecretRef else { return nil }
        let namespace = ref.namespace ?? account.namespace
        if namespace != account.namespace, !policy.allowCrossNamespaceRefs {
            throw TargetAccessError(reason: .crossNamespaceRef, description:
                "target \(target.name): can't access Secret \(namespace)/\(ref.name) from namespace \(account.namespace): cross-namespace references are blocked (--no-cross-namespace-refs); put the kubeconfig Secret in \(account.namespace)")
        }
        return (namespace, ref)
    }

    /// Kubeconfig clients (one transfer thread each) and remembered connections kept, for tests.
    var keptClients: Int { built.withLock { $0.count } + reached.withLock { $0.count } }

    /// The Evolution is gone: clients only it used go (their threads end with their last watch).
    func forget(_ evolution: ControllerRuntime.ObjectKey) {
        let keys = reached.withLock { table in
            table = table.filter { $0.key.evolution != evolution }
            return Set(table.values.map(\.connection.key))
        }
        identities.withLock { table in table = table.filter { keys.contains($0.key) } }
        built.withLock { table in
            for key in Array(table.keys) {
                table[key]?.users.remove(evolution)
                if table[key]?.users.isEmpty == true { table[key] = nil }
            }
        }
    }

    /// Whom a connection writes as: the impersonated account, else whom its kubeconfig
    /// authenticates as (a SelfSubjectReview, asked once per connection).
    func identity(of connection: TargetConnection) async throws(KubeClientError) -> String {
        if let known = connection.identity { return known }
        if let asked = identities.withLock({ $0[connection.key] }) { return asked }
        let name = try await connection.client.whoAmI()
        identities.withLock { $0[connection.key] = name }
        return name
    }

    /// The connection this Evolution last reached the target through, without reading its
    /// Secret again: enough to *look* (its watches already run through it), never to act.
    /// Acting reads the Secret as the account (`connection`), which refreshes or clears this.
    func lastConnection(for target: Target, account: EvolutionAccount, evolution: ControllerRuntime.ObjectKey) -> TargetConnection? {
        reached.withLock { $0[Reach(evolution: evolution, target: target, account: account)]?.connection }
    }

    /// The target as the account reaches it now: its kubeconfig Secret read as the account,
    /// unless it was already read since `readSince` (earlier in the same reconcile).
    func connection(for target: Target, account: EvolutionAccount, evolution: ControllerRuntime.ObjectKey,
                    readSince: ContinuousClock.Instant? = nil) async throws(TargetAccessError) -> TargetConnection {
        let reach = Reach(evolution: evolution, target: target, account: account)
        if let readSince, let fresh = reached.withLock({ $0[reach] }), fresh.readAt >= readSince { return fresh.connection }
        do {
            let readAt = ContinuousClock.now
            let connection = try await read(target, account: account, evolution: evolution)
            reached.withLock { $0[reach] = (connection, readAt) }
            return connection
        } catch {
            reached.withLock { $0[reach] = nil }
            throw error
        }
    }

    private func read(_ target: Target, account: EvolutionAccount, evolution: ControllerRuntime.ObjectKey) async throws(TargetAccessError) -> TargetConnection {
        let acting = account.impersonation
        guard let (secretNamespace, ref) = try secretLocation(of: target, account: account) else {
            return TargetConnection(client: home.impersonating(acting), key: "home as \(account)", identity: account.description)
        }
        let secret: JSON
        do { secret = try await home.impersonating(acting).get(.secrets, name: ref.name, namespace: secretNamespace) } catch {
            let reason: FailureReason = error.statusCode == 403 ? .forbidden : .targetUnreachable
            let hint = error.statusCode == 403 ? "; grant \(account) get on this Secret" : ""
            let answered = error.statusCode.map { $0 < 500 && $0 != 429 } ?? false
            throw TargetAccessError(reason: reason, description:
                "target \(target.name): cannot read Secret \(secretNamespace)/\(ref.name) as \(account): \(Self.text(error))\(hint)",
                transient: !answered)
        }
        let rv = secret[path: "metadata", "resourceVersion"]?.stringValue ?? ""
        let cacheKey = "\(secretNamespace)/\(ref.name)#\(ref.key)"
        // Watches follow the Secret: a rotated kubeconfig (another cluster, a revoked token) gets new ones.
        let connectionKey = "\(cacheKey)@\(rv)"
        let base: KubeClient
        let cached: KubeClient? = built.withLock { table in
            guard table[cacheKey]?.resourceVersion == rv else { return nil }
            table[cacheKey]?.users.insert(evolution)
            return table[cacheKey]?.client
        }
        if let cached {
            base = cached
        } else {
            base = try TargetAccess.kubeconfigClient(secret, target: target, ref: ref, secretNamespace: secretNamespace)
            built.withLock { table in
                let users = (table[cacheKey]?.users ?? []).union([evolution])
                table[cacheKey] = Built(resourceVersion: rv, client: base, users: users)
            }
        }
        let acts = target.impersonates ? acting : nil
        return TargetConnection(client: acts.map { base.impersonating($0) } ?? base,
                                key: "secret \(connectionKey) as \(acts.map(\.user) ?? "the kubeconfig's identity")",
                                identity: acts == nil ? nil : account.description)
    }

    /// The API server's message for an API error, else the error itself.
    static func text(_ error: KubeClientError) -> String {
        if case .api(let status) = error { return status.message }
        return "\(error)"
    }
}

/// Reaching a target through its kubeconfig Secret: the controller reads it as the Evolution's
/// account (`TargetClients`), `causeway drift` as the user running it, and both build the client so.
public enum TargetAccess {
    /// A client for `target` of an Evolution in `namespace`, its Secret read with `reader` (and
    /// `reader` itself for the cluster the Evolution lives in).
    public static func client(for target: Target, namespace: String, reader: KubeClient) async throws -> KubeClient {
        guard let ref = target.kubeconfigSecretRef else { return reader }
        let secretNamespace = ref.namespace ?? namespace
        let secret: JSON
        do { secret = try await reader.get(.secrets, name: ref.name, namespace: secretNamespace) } catch {
            throw TargetAccessError(reason: error.statusCode == 403 ? .forbidden : .targetUnreachable,
                                    description: "target \(target.name): cannot read Secret \(secretNamespace)/\(ref.name): \(TargetClients.text(error))")
        }
        return try kubeconfigClient(secret, target: target, ref: ref, secretNamespace: secretNamespace)
    }

    /// The client the kubeconfig in `secret` describes; it must be self-contained (no exec
    /// plugin, no files), since it is a tenant's and the reader runs with other rights.
    static func kubeconfigClient(_ secret: JSON, target: Target, ref: SecretKeyReference, secretNamespace: String) throws(TargetAccessError) -> KubeClient {
        guard let encoded = secret[path: "data", ref.key]?.stringValue, let data = Data(base64Encoded: encoded) else {
            throw TargetAccessError(reason: .targetUnreachable, description:
                "target \(target.name): Secret \(secretNamespace)/\(ref.name) has no key \"\(ref.key)\"; store the kubeconfig under that key")
        }
        do {
            var config = try KubeConfig.parseSelfContained(String(decoding: data, as: UTF8.self), file: "secret \(secretNamespace)/\(ref.name)").restConfig()
            // A tenant's server must not park a reconcile worker for long.
            config.retry.maxRetryAfter = .seconds(10)
            return try KubeClient(config: config)
        } catch {
            throw TargetAccessError(reason: .targetUnreachable, description:
                "target \(target.name): the kubeconfig in Secret \(secretNamespace)/\(ref.name) is unusable: \(error)")
        }
    }
}
