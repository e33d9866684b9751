import Crypto
import Foundation

/// The controller's Ed25519 key for ledger checkpoints.
///
/// Built once: rebuilding Crypto's key derives the public key again, which
/// costs as much as the signature itself.
public struct LedgerSigner: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Crypto's key type is not declared Sendable; it is immutable, and signing only reads it.
    private final class Key: @unchecked Sendable {
        let key: Curve25519.Signing.PrivateKey
        init(_ key: Curve25519.Signing.PrivateKey) { self.key = key }
    }
    private let key: Key
    public var rawRepresentation: [UInt8] { Array(key.key.rawRepresentation) }
    public let publicKey: [UInt8]
    /// The first 16 hex digits of SHA-256 over the public key.
    public let keyID: String

    /// A new random key.
    public init() {
        self.init(key: Curve25519.Signing.PrivateKey())
    }

    /// A key from its 32 raw bytes.
    public init(rawRepresentation: [UInt8]) throws {
        self.init(key: try Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation))
    }

    private init(key: Curve25519.Signing.PrivateKey) {
        self.key = Key(key)
        publicKey = Array(key.publicKey.rawRepresentation)
        keyID = LedgerKeyring.keyID(of: publicKey)
    }

    /// Names the key, never its bytes: a signer interpolated into a log line leaks nothing.
    public var description: String { "LedgerSigner(keyID: \(keyID))" }
    public var debugDescription: String { description }

    /// Throws what the crypto library reports; never an empty signature in its place.
    public func sign(_ evolution: EvolutionRef, head: LedgerHead) throws -> LedgerCheckpoint {
        let message = LedgerCheckpoint.message(for: evolution, head: head)
        let signature = Array(try key.key.signature(for: message))
        return LedgerCheckpoint(seq: head.seq, hash: head.hash, keyID: keyID, signature: signature)
    }
}

/// The public keys that may have signed checkpoints, by key id.
public struct LedgerKeyring: Sendable, Equatable {
    public private(set) var keys: [String: [UInt8]]

    public init(publicKeys: [[UInt8]] = []) {
        keys = [:]
        for key in publicKeys { keys[Self.keyID(of: key)] = key }
    }

    public static func keyID(of publicKey: [UInt8]) -> String {
        SHA256.hash(data: publicKey).map { String($0, radix: 16).leftPadded }.joined().prefix(16).description
    }

    public mutating func add(_ publicKey: [UInt8]) {
        keys[Self.keyID(of: publicKey)] = publicKey
    }

    /// Why `checkpoint` is not a valid signature over `evolution`'s head, or nil when it is.
    public func problem(with checkpoint: LedgerCheckpoint, of evolution: EvolutionRef) -> String? {
        if checkpoint.signature.isEmpty { return "it is not signed" }
        guard let raw = keys[checkpoint.keyID] else {
            return "signed with key \(checkpoint.keyID), which is not among the controller's keys (\(keys.keys.sorted().joined(separator: ", ")))"
        }
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
              key.isValidSignature(checkpoint.signature, for: LedgerCheckpoint.message(for: evolution, head: checkpoint.head)) else {
            return "the signature of key \(checkpoint.keyID) does not match seq \(checkpoint.seq), hash \(checkpoint.hash.hex)"
        }
        return nil
    }
}

private extension String {
    var leftPadded: String { count == 1 ? "0" + self : self }
}
