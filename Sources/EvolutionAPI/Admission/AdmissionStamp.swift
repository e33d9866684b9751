import KubeJSON

/// Who set an acknowledgment or a retry request, as Causeway's admission webhook saw the
/// request: written by the webhook (`causeway webhook`) into an annotation beside the one it
/// attributes, read by the controller. Only the webhook writes these: whatever a request does
/// to them itself is undone, so a user cannot stamp another's name.
///
/// `causeway.dev/ack-by.<step>: {"user":"alice@example.com","groups":["sre"],"value":"approved","mac":"…"}`
/// `value` is what the attributed annotation said when stamped: a later value is not covered.
/// `mac` (HMAC-SHA256 with a key only the webhook and the controller hold, over the Evolution,
/// the annotation, the value and the user) is what makes it the webhook's: a stamp written
/// while the webhook was down, or copied from another Evolution, does not verify.
public struct AdmissionStamp: Sendable, Hashable {
    /// `ack.causeway.dev/<step>`: an acknowledgment; `retry.causeway.dev/step: <step>`: a retry request.
    public static let ackAnnotationPrefix = "ack.causeway.dev/"
    public static let retryAnnotation = "retry.causeway.dev/step"
    public static let ackStampPrefix = "causeway.dev/ack-by."
    public static let retryStamp = "causeway.dev/retry-by"

    public static func ackStamp(for step: String) -> String { ackStampPrefix + step }

    /// Whether `annotation` is one of the stamps (which only the webhook may write).
    public static func isStamp(_ annotation: String) -> Bool { annotation.hasPrefix(ackStampPrefix) || annotation == retryStamp }

    public var user: String
    public var groups: [String]
    public var value: String
    public var mac: String?

    public init(user: String, groups: [String], value: String, mac: String? = nil) {
        self.user = user
        self.groups = groups
        self.value = value
        self.mac = mac
    }

    /// What the MAC covers: the Evolution (namespace/name), the stamp's annotation, and the stamp.
    public func signedText(evolution: String, annotation: String) -> String {
        (["evolution": .string(evolution), "annotation": .string(annotation), "user": .string(user),
          "groups": .array(groups.map(JSON.string)), "value": .string(value)] as JSON).serializedString()
    }

    /// The annotation's value.
    public var text: String {
        var o: JSONObject = ["user": .string(user), "groups": .array(groups.map(JSON.string)), "value": .string(value)]
        if let mac { o["mac"] = .string(mac) }
        return JSON.object(o).serializedString()
    }

    /// Reads an annotation's value; nil when it is not a stamp.
    public init?(text: String) {
        guard let json = try? JSON.parse(Array(text.utf8)), let user = json["user"]?.stringValue, let value = json["value"]?.stringValue
        else { return nil }
        self.init(user: user, groups: (json["groups"]?.arrayValue ?? []).compactMap(\.stringValue), value: value, mac: json["mac"]?.stringValue)
    }
}
