/// A `?fieldSelector=` for the fields every kind supports: `metadata.name` and `metadata.namespace`,
/// with `=`, `==` and `!=`.
///
/// Terms are split on unescaped commas and each on its first operator, as `fields.ParseSelector` does;
/// values may escape `\,`, `\=` and `\\`. Unknown fields are refused with the wording of the kind's
/// registry: built-in kinds say `"data.k" is not a known field selector: only "metadata.name",
/// "metadata.namespace"`, custom resources say `field label not supported: spec.a`.
public struct FieldSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Field: String, Sendable, Equatable {
        case name = "metadata.name"
        case namespace = "metadata.namespace"
    }

    public struct Term: Sendable, Equatable {
        public var field: Field
        /// `true` for `!=`.
        public var negated: Bool
        public var value: String
    }

    public private(set) var terms: [Term]

    public static let everything = FieldSelector(terms: [])

    init(terms: [Term]) { self.terms = terms }

    /// - Parameters:
    ///   - kindDescription: the kind, for messages (`ConfigMap`); the server's texts do not name it today.
    ///   - isCustomResource: picks the custom-resource wording for unknown fields.
    public init(parsing text: String, kindDescription: String, isCustomResource: Bool) throws(SelectorError) {
        var terms: [Term] = []
        for part in Self.splitTerms(text).sorted() where !part.isEmpty {
            guard let (lhs, op, rhs) = Self.splitTerm(part) else {
                throw SelectorError(message: "invalid selector: '\(text)'; can't understand '\(part)'")
            }
            let value = try Self.unescape(rhs)
            guard let field = Field(rawValue: lhs) else {
                if isCustomResource {
                    throw SelectorError(message: "field label not supported: \(lhs)")
                }
                throw SelectorError(message: "\(GoFormat.quote(lhs)) is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
            }
            terms.append(Term(field: field, negated: op == "!=", value: value))
        }
        self.init(terms: terms)
    }

    /// Cluster-scoped objects have no namespace; they match `metadata.namespace=` (empty).
    public func matches(name: String, namespace: String?) -> Bool {
        terms.allSatisfy { term in
            let actual = term.field == .name ? name : (namespace ?? "")
            return (actual == term.value) != term.negated
        }
    }

    public var isEverything: Bool { terms.isEmpty }

    public var description: String {
        terms.map { "\($0.field.rawValue)\($0.negated ? "!=" : "=")\(Self.escape($0.value))" }.joined(separator: ",")
    }

    /// Splits on commas not preceded by a backslash escape.
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var escaped = false
        for c in text {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                current.append(c)
                escaped = true
            } else if c == "," {
                terms.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        terms.append(current)
        return terms
    }

    /// The first `!=`, `==` or `=` not inside an escape.
    private static func splitTerm(_ term: String) -> (String, String, String)? {
        let chars = Array(term)
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            for op in ["!=", "==", "="] {
                let opChars = Array(op)
                if i + opChars.count <= chars.count, Array(chars[i..<i + opChars.count]) == opChars {
                    return (String(chars[..<i]), op, String(chars[(i + opChars.count)...]))
                }
            }
            i += 1
        }
        return nil
    }

    private static func unescape(_ value: String) throws(SelectorError) -> String {
        var out = ""
        var escaped = false
        for c in value {
            if escaped {
                guard c == "\\" || c == "," || c == "=" else {
                    throw SelectorError(message: "invalid field selector: invalid escape sequence: \\\(c)")
                }
                out.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," || c == "=" {
                throw SelectorError(message: "invalid field selector: unescaped character in value: \(c)")
            } else {
                out.append(c)
            }
        }
        if escaped { throw SelectorError(message: "invalid field selector: invalid escape sequence: trailing \\") }
        return out
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            if c == "\\" || c == "," || c == "=" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
