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

    public func sign(_ stamp: AdmissionStamp, evolution: String, annotation: String) -> AdmissionStamp {
        var signed = stamp
        signed.mac = nil
        let code = HMAC<SHA256>.authenticationCode(for: Array(signed.signedText(evolution: evolution, annotation: annotation).utf8), using: key)
        signed.mac = Data(code).base64EncodedString()
        return signed
    }

    /// Whether the webhook (holding this key) made `stamp` for this Evolution and annotation.
    public func verifies(_ stamp: AdmissionStamp, evolution: String, annotation: String) -> Bool {
        guard let mac = stamp.mac, let code = Data(base64Encoded: mac) else { return false }
        var unsigned = stamp
        unsigned.mac = nil
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Array(unsigned.signedText(evolution: evolution, annotation: annotation).utf8),
                                                      using: key)
    }
}
