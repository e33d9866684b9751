import Foundation
import KubeJSON

/// A ledger's head, signed by the controller: "this evolution's chain had
/// `seq` entries ending in `hash`". Written where a tenant cannot write it
/// (the Evolution's status, which only the controller's account may update)
/// and beside the entries (each ConfigMap segment's annotation, in the same
/// write as the entries), so `causeway ledger verify` can tell a chain the
/// controller wrote from one rewritten consistently afterwards.
///
/// The signature is Ed25519 over `message(for:)`; `keyID` names the public key
/// (`LedgerKeyring`). One definition for the writer (controller) and the
/// readers (verify, audit), round-trip tested.
public struct LedgerCheckpoint: Sendable, Hashable {
    public var seq: Int
    public var hash: LedgerHash
    public var keyID: String
    public var signature: [UInt8]

    public init(seq: Int, hash: LedgerHash, keyID: String, signature: [UInt8]) {
        self.seq = seq
        self.hash = hash
        self.keyID = keyID
        self.signature = signature
    }

    public var head: LedgerHead { LedgerHead(seq: seq, hash: hash) }

    /// The signed bytes: a version line, the evolution (namespace/name and uid), the seq and the hash.
    public static func message(for evolution: EvolutionRef, head: LedgerHead) -> [UInt8] {
        Array("causeway.dev/ledger-checkpoint/v1\n\(evolution.namespace)/\(evolution.name)\n\(evolution.uid)\n\(head.seq)\n\(head.hash.hex)\n".utf8)
    }

    /// `{"seq":…,"hash":"…","keyID":"…","signature":"<base64>"}`.
    public var json: JSON {
        ["seq": .int(Int64(seq)), "hash": .string(hash.hex), "keyID": .string(keyID),
         "signature": .string(Data(signature).base64EncodedString())]
    }

    /// Nil when a field is missing or malformed: a checkpoint that cannot be read is no checkpoint.
    public init?(json: JSON) {
        guard let seq = json["seq"]?.intValue, let hash = json["hash"]?.stringValue.flatMap(LedgerHash.init(hex:)),
              let keyID = json["keyID"]?.stringValue, !keyID.isEmpty,
              let signature = json["signature"]?.stringValue.flatMap({ Data(base64Encoded: $0) }) else { return nil }
        self.init(seq: Int(seq), hash: hash, keyID: keyID, signature: Array(signature))
    }
}
