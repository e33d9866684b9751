import KubeJSON

/// A simple path into an object: `.status.observedGeneration`,
/// `.status.conditions[0].type`, `.metadata.annotations['example.com/x']`.
///
/// Deliberately not full JSONPath (no filters or wildcards): a convergence
/// check must name one value, and a path that could match many would make
/// "converged" ambiguous. Use a `condition` check to find a condition by type.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var segments: [Segment]
    public let text: String

    public var description: String { text }

    /// Parses the path; `nil` when it is not of the supported form.
    /// A leading `$` and kubectl's `{...}` braces are accepted and ignored.
    public init?(_ text: String) {
        self.text = text
        var s = Substring(text)
        if s.hasPrefix("{"), s.hasSuffix("}") { s = s.dropFirst().dropLast() }
        if s.hasPrefix("$") { s = s.dropFirst() }
        let chars = Array(s)
        var segments: [Segment] = []
        var i = 0
        func key() -> String? {
            var key = ""
            while i < chars.count, chars[i] != ".", chars[i] != "[" { key.append(chars[i]); i += 1 }
            return key.isEmpty ? nil : key
        }
        if i < chars.count, chars[i] != ".", chars[i] != "[" {
            guard let k = key() else { return nil }
            segments.append(.key(k))
        }
        while i < chars.count {
            if chars[i] == "." {
                i += 1
                guard let k = key() else { return nil }
                segments.append(.key(k))
            } else if chars[i] == "[" {
                i += 1
                guard i < chars.count else { return nil }
                if chars[i] == "'" || chars[i] == "\"" {
                    let quote = chars[i]
                    i += 1
                    var k = ""
                    while i < chars.count, chars[i] != quote { k.append(chars[i]); i += 1 }
                    guard i + 1 < chars.count, chars[i + 1] == "]", !k.isEmpty else { return nil }
                    segments.append(.key(k))
                    i += 2
                } else {
                    var digits = ""
                    while i < chars.count, chars[i].isASCII, chars[i].isNumber { digits.append(chars[i]); i += 1 }
                    guard i < chars.count, chars[i] == "]", let n = Int(digits) else { return nil }
                    segments.append(.index(n))
                    i += 1
                }
            } else {
                return nil
            }
        }
        guard !segments.isEmpty else { return nil }
        self.segments = segments
    }

    /// The value at this path, or `nil` when any segment is missing.
    public func evaluate(_ value: JSON) -> JSON? {
        var current: JSON? = value
        for segment in segments {
            switch segment {
            case .key(let k): current = current?[k]
            case .index(let n): current = current?[n]
            }
        }
        return current
    }

    public static let syntaxHint = "use a dotted path such as .status.observedGeneration or .status.conditions[0].status"
}
