/// Who requests are made as, on top of the authenticated identity (client-go's
/// `rest.ImpersonationConfig`): `Impersonate-User`, one `Impersonate-Group`
/// per group, `Impersonate-Uid` and one `Impersonate-Extra-<key>` per value.
///
/// For a ServiceAccount, name only the user (`serviceAccount(namespace:name:)`):
/// the API server adds the account's groups itself, and naming groups would
/// need the `impersonate` verb on `groups`, which RBAC cannot narrow to a
/// namespace's groups, so granting it grants every group (system:masters too).
public struct Impersonation: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var uid: String?
    public var groups: [String]
    public var extra: [String: [String]]

    public init(user: String, uid: String? = nil, groups: [String] = [], extra: [String: [String]] = [:]) {
        self.user = user
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// `system:serviceaccount:NAMESPACE:NAME`.
    public static func serviceAccount(namespace: String, name: String) -> Impersonation {
        Impersonation(user: "system:serviceaccount:\(namespace):\(name)")
    }

    public var description: String { user }

    /// The request headers, as client-go's impersonating round tripper writes them.
    var headers: [(String, String)] {
        var h = [("Impersonate-User", user)]
        if let uid, !uid.isEmpty { h.append(("Impersonate-Uid", uid)) }
        for group in groups { h.append(("Impersonate-Group", group)) }
        for key in extra.keys.sorted() {
            for value in extra[key] ?? [] { h.append(("Impersonate-Extra-" + Self.escapeHeaderKey(key), value)) }
        }
        return h
    }

    /// Bytes that are not HTTP token characters, and "%" itself, become %XX.
    static func escapeHeaderKey(_ key: String) -> String {
        let token = Set("!#$&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var out = ""
        for byte in key.utf8 {
            if token.contains(byte) { out.unicodeScalars.append(Unicode.Scalar(byte)) } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
