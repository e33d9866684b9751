import Foundation
import KubeClient
import KubeJSON

/// Where the controller's checkpoint key lives on its own cluster: the private
/// half in a Secret of the controller's namespace (created on first start, by
/// whichever replica gets there first), the public halves in a ConfigMap beside
/// it that auditors may read (`causeway ledger verify` fetches it). Tenants can
/// reach neither.
public enum LedgerSigningKeys {
    public static let secretName = "causeway-ledger-signing-key"
    public static let secretKey = "ed25519.key"
    public static let publicKeysConfigMap = "causeway-ledger-keys"

    /// The key in the Secret, or a new one stored there; its public half is published.
    public static func loadOrCreate(client: KubeClient, namespace: String) async throws -> LedgerSigner {
        let signer = try await storedOrNewKey(client: client, namespace: namespace)
        try await publish(signer.publicKey, client: client, namespace: namespace)
        return signer
    }

    /// The public keys checkpoints may be signed with.
    public static func keyring(client: KubeClient, namespace: String) async throws -> LedgerKeyring {
        let map = try await client.get(.configMaps, name: publicKeysConfigMap, namespace: namespace)
        var keyring = LedgerKeyring()
        for (_, value) in map["data"]?.objectValue ?? [:] {
            if let text = value.stringValue, let key = Data(base64Encoded: text) { keyring.add(Array(key)) }
        }
        return keyring
    }

    private static func storedOrNewKey(client: KubeClient, namespace: String) async throws -> LedgerSigner {
        let raw = try await SecretKeys.storedOrNew(client: client, namespace: namespace, name: secretName, field: secretKey,
                                                   make: { LedgerSigner().rawRepresentation }) { raw in
            (try? LedgerSigner(rawRepresentation: raw)) == nil ? "holds no Ed25519 key under \(secretKey) (32 raw bytes, base64)" : nil
        }
        return try LedgerSigner(rawRepresentation: raw)
    }

    private static func publish(_ publicKey: [UInt8], client: KubeClient, namespace: String) async throws {
        let keyID = LedgerKeyring.keyID(of: publicKey)
        let value = JSON.string(Data(publicKey).base64EncodedString())
        for _ in 0..<5 {
            let written: Result<JSON, KubeClientError>
            switch await result({ () async throws(KubeClientError) -> JSON in try await client.get(.configMaps, name: publicKeysConfigMap, namespace: namespace) }) {
            case .success(var map):
                if map[path: "data", keyID] == value { return }
                if map["data"] == nil || map["data"]?.isNull == true { map["data"] = [:] }
                map["data"]?[keyID] = value
                written = await result({ () async throws(KubeClientError) -> JSON in try await client.update(.configMaps, map, namespace: namespace) })
            case .failure(let error) where error.isNotFound:
                let map: JSON = ["apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": ["name": .string(publicKeysConfigMap), "labels": ["app.kubernetes.io/name": "causeway"]],
                                 "data": [.init(stringLiteral: keyID): value]]
                written = await result({ () async throws(KubeClientError) -> JSON in try await client.create(.configMaps, map, namespace: namespace) })
            case .failure(let error):
                throw error
            }
            switch written {
            case .success: return
            case .failure(let error) where error.isConflict || error.isAlreadyExists: continue  // another replica wrote first
            case .failure(let error): throw error
            }
        }
        throw LedgerKeyError("could not publish the ledger key \(keyID) in ConfigMap \(namespace)/\(publicKeysConfigMap): it kept changing")
    }

    static func result(_ request: () async throws(KubeClientError) -> JSON) async -> Result<JSON, KubeClientError> {
        do { return .success(try await request()) } catch { return .failure(error) }
    }
}

/// The signing key cannot be read, made or published; says which object and what to do.
public struct LedgerKeyError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
