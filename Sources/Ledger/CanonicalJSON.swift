#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KubeJSON

/// The canonical JSON text of values inside an entry's `detail` and `extensions`:
/// object members sorted bytewise by the UTF-8 of their keys at every depth,
/// so two equal `JSON` values (equality ignores member order) encode identically.
///
/// Numbers: integers in decimal; other numbers in Go's `encoding/json` form, with
/// `-0` written `0` (our parser reads `-0` back as the integer 0) and non-finite
/// values written `null` (as `JSON.serialized()` does). Strings escape only `"`,
/// `\` and control characters, exactly as `JSON.serialized()` does.
enum CanonicalJSON {
    static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: [110, 117, 108, 108])  // null
        case .bool(let b):
            if b { out.append(contentsOf: [116, 114, 117, 101]) } else { out.append(contentsOf: [102, 97, 108, 115, 101]) }
        case .int(let i): writeInt(i, into: &out)
        case .double(let d):
            if d == 0 { out.append(UInt8(ascii: "0")) }
            else if !d.isFinite { out.append(contentsOf: [110, 117, 108, 108]) }
            else { out.append(contentsOf: GoFloatFormat.json(d).utf8) }
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (n, element) in a.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o): writeObject(o, into: &out)
        }
    }

    static func writeObject(_ o: JSONObject, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if isSorted(o.keys) {
            for i in 0..<o.keys.count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(o.keys[i], into: &out)
                out.append(UInt8(ascii: ":"))
                write(o.values[i], into: &out)
            }
        } else {
            let order = o.keys.indices.sorted { utf8Less(o.keys[$0], o.keys[$1]) }
            for (n, i) in order.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                writeString(o.keys[i], into: &out)
                out.append(UInt8(ascii: ":"))
                write(o.values[i], into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Bytewise order of UTF-8 (which is also Unicode scalar order), unlike `String.<`.
    static func utf8Less(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                let c = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return c != 0 ? c < 0 : x.count < y.count
            }
        }
    }

    static func isSorted(_ keys: [String]) -> Bool {
        var i = 1
        while i < keys.count {
            if !utf8Less(keys[i - 1], keys[i]) { return false }
            i += 1
        }
        return true
    }

    /// The same value with members in canonical order at every depth and numbers that
    /// survive a write/read round trip unchanged (`-0` → `0`, non-finite → `null`).
    static func normalized(_ value: JSON) -> JSON {
        switch value {
        case .double(let d):
            if d == 0 { return .int(0) }
            if !d.isFinite { return .null }
            return value
        case .array(let a): return .array(a.map(normalized))
        case .object(let o): return .object(normalized(o))
        default: return value
        }
    }

    static func normalized(_ o: JSONObject) -> JSONObject {
        let order = isSorted(o.keys) ? Array(o.keys.indices) : o.keys.indices.sorted { utf8Less(o.keys[$0], o.keys[$1]) }
        var result = JSONObject(minimumCapacity: o.count)
        for i in order { result.set(o.keys[i], normalized(o.values[i])) }
        return result
    }

    @inline(__always)
    static func writeInt(_ value: Int64, into out: inout [UInt8]) { JSONText.appendInteger(value, to: &out) }

    @inline(__always)
    static func writeInt(_ value: Int, into out: inout [UInt8]) { JSONText.appendInteger(Int64(value), to: &out) }

    /// A quoted string with KubeJSON's escaping (the golden-hash test pins it).
    @inline(__always)
    static func writeString(_ s: String, into out: inout [UInt8]) { JSONText.appendQuoted(s, to: &out) }
}
