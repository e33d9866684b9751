extension JSONWriter {
    static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else { JSONWriter.append("null", &out); return }
        GoFloatFormat.writeJSON(d, into: &out)
    }
}

/// Go's float formatting, so numbers we print match what Kubernetes prints.
public enum GoFloatFormat {
    /// encoding/json's form: the shortest digits that round-trip, in fixed
    /// notation for 1e-6 ≤ |d| < 1e21 (no trailing ".0"), otherwise
    /// `d.ddde±X` with at least one exponent digit. `d` must be finite.
    public static func json(_ d: Double) -> String {
        var out: [UInt8] = []
        writeJSON(d, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `strconv.FormatFloat(d, 'g', -1, 64)`, which is how Kubernetes turns a
    /// float map key into a string: exponent form (at least two exponent
    /// digits) when the decimal exponent is < -4 or ≥ 6. `d` must be finite.
    /// With `float32`, the shortest digits of `Float(d)`, as `bitSize` 32 gives.
    public static func g(_ d: Double, float32: Bool = false) -> String {
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, point) = float32
            ? shortestDigits(description: Float(d.magnitude).description)
            : shortestDigits(d.magnitude)
        let exponent = point - 1
        var out: [UInt8] = d.sign == .minus ? [UInt8(ascii: "-")] : []
        if exponent < -4 || exponent >= 6 {
            out.append(digits[0])
            if digits.count > 1 { out.append(UInt8(ascii: ".")); out.append(contentsOf: digits[1...]) }
            out.append(UInt8(ascii: "e"))
            out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            if exponent.magnitude < 10 { out.append(UInt8(ascii: "0")) }
            JSONWriter.writeInt(Int64(exponent.magnitude), into: &out)
        } else {
            appendFixed(digits, point, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func writeJSON(_ d: Double, into out: inout [UInt8]) {
        if d == 0 {
            if d.sign == .minus { out.append(UInt8(ascii: "-")) }
            out.append(UInt8(ascii: "0"))
            return
        }
        if d.sign == .minus { out.append(UInt8(ascii: "-")) }
        let (digits, pointPosition) = shortestDigits(d.magnitude)
        let magnitude = d.magnitude
        if magnitude < 1e-6 || magnitude >= 1e21 {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            let exponent = pointPosition - 1
            out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            JSONWriter.writeInt(Int64(exponent.magnitude), into: &out)
            return
        }
        appendFixed(digits, pointPosition, into: &out)
    }

    static func appendFixed(_ digits: [UInt8], _ pointPosition: Int, into out: inout [UInt8]) {
        if pointPosition <= 0 {
            out.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: ".")])
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -pointPosition))
            out.append(contentsOf: digits)
        } else if pointPosition >= digits.count {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: pointPosition - digits.count))
        } else {
            out.append(contentsOf: digits[..<pointPosition])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[pointPosition...])
        }
    }

    /// The shortest round-trip decimal digits of a positive finite double and the
    /// position of the decimal point relative to them (value = 0.DIGITS × 10^point).
    /// Swift's `description` already computes the shortest digits (Errol/Ryu-style);
    /// we only re-lay them out.
    static func shortestDigits(_ d: Double) -> (digits: [UInt8], point: Int) {
        shortestDigits(description: d.description)
    }

    static func shortestDigits(description: String) -> (digits: [UInt8], point: Int) {
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        var point = 0
        var seenPoint = false
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for c in description.utf8 {
            if inExponent {
                if c == UInt8(ascii: "-") { exponentNegative = true } else if c != UInt8(ascii: "+") {
                    exponent = exponent * 10 + Int(c - 48)
                }
                continue
            }
            switch c {
            case UInt8(ascii: "."): seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            default:
                if digits.isEmpty && c == UInt8(ascii: "0") {
                    if seenPoint { point -= 1 }
                    continue
                }
                digits.append(c)
                if !seenPoint { point += 1 }
            }
        }
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, point + (exponentNegative ? -exponent : exponent))
    }
}
