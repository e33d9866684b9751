extension JSON {
    /// Compact UTF-8 JSON text, keys in the object's order.
    ///
    /// Numbers print as Go's encoding/json prints them (shortest round-trip
    /// digits; exponent form below 1e-6 and from 1e21), so our output matches
    /// what the API server would write. Non-finite doubles, which JSON cannot
    /// express and our parsers never produce, are written as `null`.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        JSONWriter.write(self, into: &out)
        return out
    }

    /// The compact JSON text as a string.
    public func serializedString() -> String {
        String(decoding: serialized(), as: UTF8.self)
    }

    /// Indented JSON text (two spaces), for people.
    public func prettyString() -> String {
        var out: [UInt8] = []
        JSONWriter.write(self, into: &out, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }
}

extension JSON: CustomStringConvertible {
    public var description: String { serializedString() }
}

enum JSONWriter {
    static func write(_ value: JSON, into out: inout [UInt8], indent: Int? = nil) {
        switch value {
        case .null: append("null", &out)
        case .bool(let b): append(b ? "true" : "false", &out)
        case .int(let i): writeInt(i, into: &out)
        case .double(let d): writeDouble(d, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (n, element) in a.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent.map { $0 + 1 }, &out)
                write(element, into: &out, indent: indent.map { $0 + 1 })
            }
            if !a.isEmpty { newline(indent, &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(indent.map { $0 + 1 }, &out)
                writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                write(v, into: &out, indent: indent.map { $0 + 1 })
            }
            if !o.isEmpty { newline(indent, &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    static func newline(_ indent: Int?, _ out: inout [UInt8]) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    @inline(__always)
    static func append(_ s: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    static func writeInt(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            out.append(UInt8(truncatingIfNeeded: magnitude) + 48)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var n = 20
            while magnitude > 0 {
                n -= 1
                digits[n] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                magnitude /= 10
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[n..<20]))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes a quoted string, escaping `"`, `\` and control characters.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            for i in 0..<bytes.count {
                let c = bytes[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                runStart = i + 1
                out.append(UInt8(ascii: "\\"))
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(c)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(contentsOf: [UInt8(ascii: "u"), 48, 48, hexDigits[Int(c >> 4)], hexDigits[Int(c & 0xF)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// The serializer's building blocks, for encoders that choose their own layout
/// (the ledger's canonical form) but must escape exactly as `serialized()` does.
public enum JSONText {
    /// Appends `s` quoted: `"` and `\` escaped, \b \f \n \r \t short, other C0 controls as lowercase `\u00xx`.
    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        JSONWriter.writeString(s, into: &out)
    }

    /// Appends an integer in decimal.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        JSONWriter.writeInt(value, into: &out)
    }
}
