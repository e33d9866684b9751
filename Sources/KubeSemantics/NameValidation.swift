/// The apimachinery `validation.Is…` checks: each returns the server's messages, empty when valid.
///
/// Label selectors need them, and KubeSim uses them for `metadata.name` and `metadata.labels`.
public enum NameValidation {
    static let qualifiedNameErrorMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let labelValueErrorMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let dns1123SubdomainErrorMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    static let dns1123SubdomainFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
    static let dns1123LabelErrorMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"

    /// `IsQualifiedName`: a label or annotation key, `[prefix/]name`.
    public static func qualifiedName(_ value: String) -> [String] {
        var errors: [String] = []
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errors.append("prefix part must be non-empty")
            } else {
                errors += dns1123Subdomain(String(prefix)).map { "prefix part " + $0 }
            }
        default:
            return ["a qualified name " + regexError(qualifiedNameErrorMessage, qualifiedNameFormat, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errors.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            errors.append("name part must be no more than 63 characters")
        }
        if !isQualifiedNamePart(name.utf8) {
            errors.append("name part " + regexError(qualifiedNameErrorMessage, qualifiedNameFormat, "MyName", "my.name", "123-abc"))
        }
        return errors
    }

    /// `IsValidLabelValue`: empty, or a qualified name part of at most 63 characters.
    public static func labelValue(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        if !value.isEmpty && !isQualifiedNamePart(value.utf8) {
            errors.append(regexError(labelValueErrorMessage, "(" + qualifiedNameFormat + ")?", "MyValue", "my_value", "12345"))
        }
        return errors
    }

    /// `IsDNS1123Subdomain`: names of most objects (at most 253 characters, dots allowed).
    public static func dns1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 253 { errors.append("must be no more than 253 characters") }
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        if !labels.allSatisfy({ isDNSLabel($0.utf8) }) {
            errors.append(regexError(dns1123SubdomainErrorMessage, dns1123SubdomainFormat, "example.com"))
        }
        return errors
    }

    /// `IsDNS1123Label`: namespace names (at most 63 characters, no dots).
    public static func dns1123Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        if !isDNSLabel(value.utf8) {
            errors.append(regexError(dns1123LabelErrorMessage, dns1123LabelFormat, "my-name", "123-abc"))
        }
        return errors
    }

    /// Validates a `metadata.labels` map: one `FieldValueInvalid` cause per bad key or value, all at `field`.
    public static func labels(_ labels: [(key: String, value: String)], field: String = "metadata.labels") -> [FieldError] {
        var causes: [FieldError] = []
        for (key, value) in labels {
            for message in qualifiedName(key) { causes.append(.invalid(field, .string(key), message)) }
            for message in labelValue(value) { causes.append(.invalid(field, .string(value), message)) }
        }
        return causes
    }

    /// apimachinery's `RegexError`: the message, examples and the regex it validated with.
    static func regexError(_ message: String, _ format: String, _ examples: String...) -> String {
        var out = message + " (e.g. "
        for (i, example) in examples.enumerated() {
            if i > 0 { out += " or " }
            out += "'" + example + "', "
        }
        return out + "regex used for validation is '" + format + "')"
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A)
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, anchored.
    private static func isQualifiedNamePart<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard let first = bytes.first, let last = bytes.reversed().first, isAlnum(first), isAlnum(last) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, anchored.
    private static func isDNSLabel<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard let first = bytes.first, let last = bytes.reversed().first, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }
}
