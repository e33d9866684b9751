import KubeJSON

/// An RFC 6901 JSON pointer (`/spec/containers/0/image`, `~1` for `/`, `~0` for `~`).
struct JSONPointer: Equatable, CustomStringConvertible {
    var tokens: [String]
    var description: String

    init(_ text: String) throws(PatchError) {
        description = text
        if text.isEmpty { tokens = []; return }
        guard text.hasPrefix("/") else {
            throw PatchError(message: "JSON pointer \(GoFormat.quote(text)) must be empty or start with '/'")
        }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences("~1", with: "/").replacingOccurrences("~0", with: "~")
        }
    }

    var parent: [String] { Array(tokens.dropLast()) }

    /// `true` when `self` is `other` or lies inside it.
    func isWithin(_ other: JSONPointer) -> Bool {
        tokens.count >= other.tokens.count && Array(tokens.prefix(other.tokens.count)) == other.tokens
    }

    /// An array index token: digits without a leading zero (`"0"` is fine), never `-`.
    static func index(_ token: String, count: Int, allowEnd: Bool) -> Int? {
        if token == "-" { return allowEnd ? count : nil }
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              token == "0" || !token.hasPrefix("0"), let i = Int(token) else { return nil }
        return i <= (allowEnd ? count : count - 1) ? i : nil
    }
}

extension Substring {
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        String(self).replacingOccurrences(target, with: replacement)
    }
}

extension String {
    /// Plain substring replacement without Foundation.
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
