import Foundation
import KubeClient
import KubeJSON

/// A key the controller keeps in a Secret of its own namespace: read, or made and stored on
/// first start by whichever replica gets there first (the others then read that one).
public enum SecretKeys {
    /// The bytes under `field` of Secret `name`, or `make()`'s, stored there. `problem` says why
    /// stored bytes are unusable (nil when they are fine).
    public static func storedOrNew(client: KubeClient, namespace: String, name: String, field: String,
                                   make: () -> [UInt8], problem: ([UInt8]) -> String? = { _ in nil }) async throws -> [UInt8] {
        for _ in 0..<3 {
            switch await LedgerSigningKeys.result({ () async throws(KubeClientError) -> JSON in try await client.get(.secrets, name: name, namespace: namespace) }) {
            case .success(let secret):
                guard let text = secret[path: "data", field]?.stringValue, let raw = Data(base64Encoded: text) else {
                    throw LedgerKeyError("Secret \(namespace)/\(name) has no \(field); delete it to have a new key made, or restore the key")
                }
                if let problem = problem(Array(raw)) { throw LedgerKeyError("Secret \(namespace)/\(name) \(problem)") }
                return Array(raw)
            case .failure(let error) where error.isNotFound:
                let bytes = make()
                let secret: JSON = [
                    "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": ["name": .string(name), "labels": ["app.kubernetes.io/name": "causeway"]],
                    "data": [.init(stringLiteral: field): .string(Data(bytes).base64EncodedString())],
                ]
                switch await LedgerSigningKeys.result({ () async throws(KubeClientError) -> JSON in try await client.create(.secrets, secret, namespace: namespace) }) {
                case .success: return bytes
                case .failure(let error) where error.isAlreadyExists: continue  // another replica made one first: use that
                case .failure(let error): throw error
                }
            case .failure(let error):
                throw error
            }
        }
        throw LedgerKeyError("the Secret \(namespace)/\(name) kept appearing and disappearing; check who deletes it")
    }
}
