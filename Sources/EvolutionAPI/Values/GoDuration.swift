/// A span of time written in Go's duration syntax (`30s`, `5m`, `1h30m`, `250ms`),
/// the syntax every Kubernetes user already knows from `kubectl wait --timeout`
/// and from Flux and Argo CD fields.
///
/// Stored as nanoseconds in an `Int64`, exactly as Go's `time.Duration`, so a
/// value survives parse → format → parse unchanged and agrees with what Go
/// tooling would print for the same text.
public struct GoDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = GoDuration(nanoseconds: 0)
    public static func milliseconds(_ n: Int64) -> GoDuration { GoDuration(nanoseconds: n * 1_000_000) }
    public static func seconds(_ n: Int64) -> GoDuration { GoDuration(nanoseconds: n * 1_000_000_000) }
    public static func minutes(_ n: Int64) -> GoDuration { .seconds(n * 60) }
    public static func hours(_ n: Int64) -> GoDuration { .seconds(n * 3600) }

    public static func < (a: GoDuration, b: GoDuration) -> Bool { a.nanoseconds < b.nanoseconds }
    public static func + (a: GoDuration, b: GoDuration) -> GoDuration { GoDuration(nanoseconds: a.nanoseconds &+ b.nanoseconds) }
    public static func * (a: GoDuration, n: Int64) -> GoDuration { GoDuration(nanoseconds: a.nanoseconds &* n) }

    /// Go's `Duration.String()`: `1h30m0s`, `250ms`, `1.5s`, `0s`.
    public var description: String { GoDurationFormat.string(nanoseconds) }

    /// The message every duration error uses, so users see the same fix everywhere.
    public static func syntaxHint(_ text: String) -> String {
        "\"\(text)\" is not a duration; use Go duration syntax such as 30s, 5m, 1h30m"
    }

    /// Parses Go duration syntax: an optional sign, then one or more decimal
    /// numbers with a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`); `0` alone is allowed.
    /// Returns `nil` for anything else, including overflow past ±292 years.
    public init?(parsing text: String) {
        guard let n = GoDurationParser.parse(Array(text.unicodeScalars)) else { return nil }
        self.nanoseconds = n
    }
}

enum GoDurationParser {
    static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    static func parse(_ s: [Unicode.Scalar]) -> Int64? {
        var i = 0
        var negative = false
        if i < s.count, s[i] == "-" || s[i] == "+" { negative = s[i] == "-"; i += 1 }
        if i < s.count, s[i] == "0", i + 1 == s.count { return 0 }
        guard i < s.count else { return nil }
        var total: Int64 = 0
        while i < s.count {
            // Integer part, then an optional fraction; at least one digit overall.
            var whole: Int64 = 0
            var digits = 0
            while i < s.count, let d = digit(s[i]) {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(d)
                guard !o1, !o2 else { return nil }
                whole = a; digits += 1; i += 1
            }
            var fraction: Int64 = 0
            var scale: Int64 = 1
            if i < s.count, s[i] == "." {
                i += 1
                while i < s.count, let d = digit(s[i]) {
                    if scale < 1_000_000_000_000_000 { fraction = fraction * 10 + d; scale *= 10 }
                    digits += 1; i += 1
                }
            }
            guard digits > 0 else { return nil }
            var unitEnd = i
            while unitEnd < s.count, digit(s[unitEnd]) == nil, s[unitEnd] != "." { unitEnd += 1 }
            let unitText = String(String.UnicodeScalarView(s[i..<unitEnd]))
            guard let unit = units.first(where: { $0.0 == unitText })?.1 else { return nil }
            i = unitEnd
            let (w, o1) = whole.multipliedReportingOverflow(by: unit)
            guard !o1 else { return nil }
            // The fraction in this unit, truncated to whole nanoseconds as Go does.
            let f = Int64((Double(fraction) / Double(scale)) * Double(unit))
            let (sum, o2) = total.addingReportingOverflow(w)
            guard !o2 else { return nil }
            let (sum2, o3) = sum.addingReportingOverflow(f)
            guard !o3 else { return nil }
            total = sum2
        }
        return negative ? -total : total
    }

    static func digit(_ c: Unicode.Scalar) -> Int64? {
        c.value >= 48 && c.value <= 57 ? Int64(c.value - 48) : nil
    }
}

enum GoDurationFormat {
    /// A port of Go's `time.Duration.String`.
    static func string(_ d: Int64) -> String {
        if d == 0 { return "0s" }
        let negative = d < 0
        var u = d.magnitude
        var out: String
        if u < 1_000_000_000 {
            // Sub-second: the largest of ns, µs, ms that keeps an integer part.
            let (unit, scale): (String, UInt64) = u < 1_000 ? ("ns", 1) : u < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            out = decimal(u, scale: scale) + unit
        } else {
            let seconds = decimal(u % 60_000_000_000, scale: 1_000_000_000) + "s"
            u /= 60_000_000_000
            if u > 0 {
                let minutes = "\(u % 60)m"
                u /= 60
                out = (u > 0 ? "\(u)h" : "") + minutes + seconds
            } else {
                out = seconds
            }
        }
        return negative ? "-" + out : out
    }

    /// `value / scale` with the fraction's trailing zeros trimmed.
    static func decimal(_ value: UInt64, scale: UInt64) -> String {
        let whole = value / scale
        var fraction = value % scale
        guard fraction > 0 else { return "\(whole)" }
        var width = String(scale).count - 1
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        let digits = String(fraction)
        return "\(whole)." + String(repeating: "0", count: width - digits.count) + digits
    }
}
