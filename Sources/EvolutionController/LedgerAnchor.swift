import EvolutionAPI
import Foundation
import KubeClient
import Ledger

/// The status anchor (`status.ledger`) is a signed ledger checkpoint: written
/// here by the controller, read back by `causeway ledger verify` and `audit`.
extension LedgerSummary {
    public init(checkpoint: LedgerCheckpoint, backend: LedgerBackend, segment: String?) {
        self.init(backend: backend.name, entries: Int64(checkpoint.seq), headHash: checkpoint.hash.hex, segment: segment,
                  keyID: checkpoint.keyID, signature: Data(checkpoint.signature).base64EncodedString())
    }

    /// The anchored head; its signature is empty when the controller that wrote it did not sign
    /// (a keyring then reports it unsigned). Nil when the head hash is unreadable.
    public var checkpoint: LedgerCheckpoint? {
        guard let hash = LedgerHash(hex: headHash), entries >= 0, entries <= Int64(Int32.max) else { return nil }
        return LedgerCheckpoint(seq: Int(entries), hash: hash, keyID: keyID ?? "",
                                signature: signature.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? [])
    }
}

extension LedgerBackend {
    /// How `status.ledger.backend` names it.
    public var name: String {
        switch self {
        case .directory: return "file"
        case .configMaps: return "configmap"
        }
    }
}

extension APIResource {
    /// `causeway.dev/v1alpha1` Evolutions, where the controller, the CLI and the benchmarks find them.
    public static let evolutions = APIResource(group: "causeway.dev", version: "v1alpha1", name: "evolutions", kind: "Evolution", namespaced: true)
}
