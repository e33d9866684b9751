import KubeJSON

/// What a plain (unquoted, untagged) YAML scalar means to Kubernetes.
///
/// Kubernetes reads YAML with a fork of go-yaml v2, i.e. YAML 1.1 typing:
/// `yes`/`on`/`y` are booleans, `0755` is octal, `1_000` is 1000, `~` is null,
/// timestamps stay the strings they were written as. These rules are that
/// resolver's, checked case by case against kubectl (see the fixture corpus).
enum YAMLScalarResolver {
    enum Resolved: Equatable {
        case null
        case bool(Bool)
        case int(Int64)
        /// An integer in (Int64.max, UInt64.max]: exact in Go, a double for us.
        case uint(UInt64)
        case double(Double)
        /// `.inf`, `-.inf`, `.nan`: YAML floats that JSON cannot carry.
        case nonFinite(String)
        case string
    }

    static func resolvePlain(_ s: String) -> Resolved {
        guard let first = s.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"),
             UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
             UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "~"):
            return lookup(s) ?? .string
        case UInt8(ascii: "."):
            if let special = lookup(s) { return special }
            return parseDotFloat(s).map(Resolved.double) ?? .string
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let special = lookup(s) { return special }
            if looksLikeTimestamp(s) { return .string }
            return resolveNumber(s)
        default:
            return .string
        }
    }

    /// The fixed words of YAML 1.1 as go-yaml v2 knows them.
    static func lookup(_ s: String) -> Resolved? {
        switch s {
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
        case "~", "null", "Null", "NULL": return .null
        case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
             "-.inf", "-.Inf", "-.INF": return .nonFinite(s)
        default: return nil
        }
    }

    /// go-yaml v2's quick check: every timestamp form starts with `YYYY-`.
    /// Such scalars resolve to timestamps, which decode into interface{} as the original string.
    static func looksLikeTimestamp(_ s: String) -> Bool {
        var digits = 0
        for c in s.utf8 {
            if c &- 48 < 10 { digits += 1; continue }
            return digits == 4 && c == UInt8(ascii: "-") && isTimestamp(s)
        }
        return false
    }

    /// The layouts go-yaml v2 tries: `2006-1-2`, optionally followed by `T`/`t`/space
    /// and `15:4:5` with fraction and zone.
    static func isTimestamp(_ s: String) -> Bool {
        let u = Array(s.utf8)
        var i = 0
        func number(maxDigits: Int, exactly: Bool = false) -> Bool {
            let start = i
            while i < u.count, u[i] &- 48 < 10, i - start < maxDigits { i += 1 }
            return exactly ? i - start == maxDigits : i > start
        }
        func expect(_ c: Character) -> Bool {
            guard i < u.count, u[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard number(maxDigits: 4, exactly: true), expect("-"), number(maxDigits: 2), expect("-"), number(maxDigits: 2)
        else { return false }
        if i == u.count { return true }
        guard i < u.count, u[i] == UInt8(ascii: "T") || u[i] == UInt8(ascii: "t") || u[i] == UInt8(ascii: " ") else { return false }
        let spaceSeparated = u[i] == UInt8(ascii: " ")
        i += 1
        guard number(maxDigits: 2), expect(":"), number(maxDigits: 2), expect(":"), number(maxDigits: 2) else { return false }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            guard number(maxDigits: 9) else { return false }
        }
        if i == u.count { return spaceSeparated }
        if spaceSeparated { return false }
        if u[i] == UInt8(ascii: "Z") { return i + 1 == u.count }
        guard u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") else { return false }
        i += 1
        return number(maxDigits: 2, exactly: true) && expect(":") && number(maxDigits: 2, exactly: true) && i == u.count
    }

    /// Integers as Go's `strconv.ParseInt(s, 0, 64)` reads them after removing `_`
    /// (0x, 0o, 0b and leading-0 octal), then unsigned, then YAML-style floats.
    static func resolveNumber(_ s: String) -> Resolved {
        let plain = s.utf8.contains(UInt8(ascii: "_")) ? s.replacingUnderscores() : s
        if let (negative, magnitude) = parseGoInteger(plain) {
            if negative {
                if magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
                if magnitude == UInt64(Int64.max) + 1 { return .int(.min) }
            } else if magnitude <= UInt64(Int64.max) {
                return .int(Int64(magnitude))
            } else if !plain.hasPrefix("+") {
                return .uint(magnitude)
            }
        }
        if isYAMLStyleFloat(plain), let d = Double(plain), d.isFinite { return .double(d) }
        return .string
    }

    /// Sign, base prefix and digits; nil when not an integer or beyond 64 bits.
    static func parseGoInteger(_ s: String) -> (negative: Bool, magnitude: UInt64)? {
        var u = Substring(s).utf8[...]
        var negative = false
        if let c = u.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
            negative = c == UInt8(ascii: "-")
            u = u.dropFirst()
        }
        var radix: UInt64 = 10
        if u.count >= 2, u.first == UInt8(ascii: "0") {
            switch u[u.index(after: u.startIndex)] | 0x20 {
            case UInt8(ascii: "x"): radix = 16; u = u.dropFirst(2)
            case UInt8(ascii: "o"): radix = 8; u = u.dropFirst(2)
            case UInt8(ascii: "b"): radix = 2; u = u.dropFirst(2)
            default: radix = 8; u = u.dropFirst()
            }
        }
        guard !u.isEmpty else { return nil }
        var value: UInt64 = 0
        for c in u {
            let digit: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(c - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(c - 55)
            default: return nil
            }
            guard digit < radix else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: radix)
            let (sum, o2) = times.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = sum
        }
        return (negative, value)
    }

    /// go-yaml v2's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func isYAMLStyleFloat(_ s: String) -> Bool {
        var u = Substring(s).utf8[...]
        if let c = u.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { u = u.dropFirst() }
        let intDigits = u.prefix { $0 &- 48 < 10 }.count
        u = u.dropFirst(intDigits)
        if u.first == UInt8(ascii: ".") {
            u = u.dropFirst()
            let fraction = u.prefix { $0 &- 48 < 10 }.count
            if intDigits == 0 && fraction == 0 { return false }
            u = u.dropFirst(fraction)
        } else if intDigits == 0 {
            return false
        }
        if let e = u.first, e | 0x20 == UInt8(ascii: "e") {
            u = u.dropFirst()
            if let c = u.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { u = u.dropFirst() }
            let expDigits = u.prefix { $0 &- 48 < 10 }.count
            if expDigits == 0 { return false }
            u = u.dropFirst(expDigits)
        }
        return u.isEmpty
    }

    /// Scalars starting with `.` go straight to Go's ParseFloat: `.5`, `.5e3`.
    static func parseDotFloat(_ s: String) -> Double? {
        guard isYAMLStyleFloat(s), let d = Double(s), d.isFinite else { return nil }
        return d
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(decoding: utf8.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
    }
}
