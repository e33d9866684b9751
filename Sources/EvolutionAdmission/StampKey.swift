import Crypto
import EvolutionAPI
import Foundation

/// The key stamps are signed with (HMAC-SHA256): in Secret `causeway-stamp-key` of the
/// controller's namespace, made by the controller on first start, read by the webhook.
public struct StampKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let secretName = "causeway-stamp-key"
    public static let secretField = "hmac.key"

    private let bytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: bytes) }

    public init(bytes: [UInt8]) { self.bytes = bytes }

    // A key never reaches a log, a test report or a debugger's summary.
    public var description: String { "StampKey(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// 32 random bytes.
    public static func newBytes() -> [UInt8] { SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) } }

    /// HMAC-SHA256 of `text`, base64.
    public func mac(_ text: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)).base64EncodedString()
    }

    /// Whether `mac` is this key's over `text`.
    public func verifies(mac: String?, of text: String) -> Bool {
        guard let mac, let code = Data(base64Encoded: mac) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Array(text.utf8), using: key)
    }

    public func sign(_ stamp: AdmissionStamp, evolution: String, annotation: String) -> AdmissionStamp {
        var signed = stamp
        signed.mac = mac(stamp.signedText(evolution: evolution, annotation: annotation))
        return signed
    }

    /// Whether the webhook (holding this key) made `stamp` for this Evolution and annotation.
    public func verifies(_ stamp: AdmissionStamp, evolution: String, annotation: String) -> Bool {
        verifies(mac: stamp.mac, of: stamp.signedText(evolution: evolution, annotation: annotation))
    }

    public func sign(_ mark: GovernanceMark, object: ObjectReference) -> GovernanceMark {
        var signed = mark
        signed.mac = mac(mark.signedText(object: object))
        return signed
    }

    /// Whether the controller (holding this key) put `mark` on this object.
    public func verifies(_ mark: GovernanceMark, object: ObjectReference) -> Bool {
        verifies(mac: mark.mac, of: mark.signedText(object: object))
    }

    public func sign(_ entry: JournalEntry) -> JournalEntry {
        var signed = entry
        signed.mac = mac(entry.signedText)
        return signed
    }

    /// Whether the webhook (holding this key) wrote `entry` as it is.
    public func verifies(_ entry: JournalEntry) -> Bool { verifies(mac: entry.mac, of: entry.signedText) }
}
