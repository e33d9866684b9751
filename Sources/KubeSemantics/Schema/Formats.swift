/// The string formats the server checks (kube-openapi's strfmt registry, the common ones).
enum Formats {
    static func isValid(_ s: String, format: String) -> Bool {
        switch format {
        case "date-time": return isDateTime(s)
        case "date": return isDate(Array(s.utf8)[...])
        case "uuid": return isUUID(s)
        case "byte": return isBase64(s)
        default: return true
        }
    }

    private static func digits(_ b: ArraySlice<UInt8>, _ count: Int) -> Int? {
        guard b.count >= count else { return nil }
        var v = 0
        for c in b.prefix(count) {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }

    /// `YYYY-MM-DD`.
    static func isDate(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.count == 10, digits(b, 4) != nil, b[b.startIndex + 4] == UInt8(ascii: "-"), b[b.startIndex + 7] == UInt8(ascii: "-"),
              let month = digits(b.dropFirst(5), 2), let day = digits(b.dropFirst(8), 2) else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// RFC 3339 date-time, also with a space or lowercase separators and without a zone, as strfmt accepts.
    static func isDateTime(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 19, isDate(b[0..<10]), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]) else { return false }
        var t = b[11...]
        guard let h = digits(t, 2), t.dropFirst(2).first == UInt8(ascii: ":"), let m = digits(t.dropFirst(3), 2),
              t.dropFirst(5).first == UInt8(ascii: ":"), let sec = digits(t.dropFirst(6), 2),
              h < 24, m < 60, sec < 61 else { return false }
        t = t.dropFirst(8)
        if t.first == UInt8(ascii: ".") {
            t = t.dropFirst()
            let fraction = t.prefix { $0 >= 0x30 && $0 <= 0x39 }
            guard !fraction.isEmpty else { return false }
            t = t.dropFirst(fraction.count)
        }
        if t.isEmpty { return true }
        if t.count == 1 { return t.first == UInt8(ascii: "Z") || t.first == UInt8(ascii: "z") }
        guard t.count == 6, t.first == UInt8(ascii: "+") || t.first == UInt8(ascii: "-"),
              let zh = digits(t.dropFirst(), 2), t.dropFirst(3).first == UInt8(ascii: ":"), let zm = digits(t.dropFirst(4), 2) else { return false }
        return zh < 24 && zm < 60
    }

    static func isUUID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                guard c == UInt8(ascii: "-") else { return false }
            } else if !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) {
                return false
            }
        }
        return true
    }

    static func isBase64(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count % 4 == 0 else { return false }
        let body = b.prefix { $0 != UInt8(ascii: "=") }
        guard b.count - body.count <= 2, b.dropFirst(body.count).allSatisfy({ $0 == UInt8(ascii: "=") }) else { return false }
        return body.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") }
    }
}
