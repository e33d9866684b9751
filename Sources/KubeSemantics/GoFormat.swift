import KubeJSON

/// Go's `%q` and `%v` as the API server's messages use them, so our texts match byte for byte.
enum GoFormat {
    /// Go's `strconv.Quote` for the characters Kubernetes messages meet in practice.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{0B}": out += "\\v"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A value as `field.Error` prints a bad value: strings quoted, numbers and booleans bare,
    /// null as `"null"`, anything else as compact JSON.
    static func value(_ v: JSON) -> String {
        switch v {
        case .null: return "\"null\""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        case .string(let s): return quote(s)
        case .array, .object: return v.serializedString()
        }
    }

    /// A number as Go's `%v` prints a float64 (`10`, `10.5`, `1e+21`).
    static func number(_ d: Double) -> String {
        if let i = Int64(exactly: d), abs(d) < 1e21 { return String(i) }
        return GoFloatFormat.g(d)
    }

    /// A JSON number as `%v` prints it, keeping integers exact.
    static func number(_ v: JSON) -> String {
        switch v {
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        default: return value(v)
        }
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
