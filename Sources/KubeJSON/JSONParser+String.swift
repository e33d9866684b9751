extension JSONParser {
    /// Parses a string starting at its opening quote.
    ///
    /// The common case (no escapes) becomes a `String` straight from the input
    /// bytes; ASCII-only strings skip UTF-8 validation entirely.
    mutating func parseString() throws(JSONParseError) -> String {
        let start = pos + 1
        var i = start
        var nonASCII = false
        while i < input.count {
            let c = input[i]
            if c == UInt8(ascii: "\"") {
                pos = i + 1
                let bytes = UnsafeBufferPointer(rebasing: input[start..<i])
                return try makeString(bytes, nonASCII: nonASCII, at: start)
            }
            if c == UInt8(ascii: "\\") { return try parseEscapedString(from: start, firstEscape: i) }
            if c < 0x20 { throw error("control character \(describe(c)) in string; escape it", at: i) }
            if c >= 0x80 { nonASCII = true }
            i += 1
        }
        throw error("unterminated string", at: start - 1)
    }

    func makeString(_ bytes: UnsafeBufferPointer<UInt8>, nonASCII: Bool, at offset: Int) throws(JSONParseError) -> String {
        if !nonASCII { return String(decoding: bytes, as: UTF8.self) }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw error("invalid UTF-8 in string", at: offset + firstInvalidUTF8(bytes))
        }
        return s
    }

    /// The offset of the first byte that breaks UTF-8 in `bytes`, for error messages.
    func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput, .error: return offset
            }
        }
    }

    mutating func parseEscapedString(from start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<firstEscape]))
        var nonASCII = scratch.contains { $0 >= 0x80 }
        var i = firstEscape
        while i < input.count {
            let c = input[i]
            switch c {
            case UInt8(ascii: "\""):
                pos = i + 1
                let bytes = scratch
                return try bytes.withUnsafeBufferPointer { b throws(JSONParseError) in
                    try makeString(b, nonASCII: nonASCII, at: start)
                }
            case UInt8(ascii: "\\"):
                guard i + 1 < input.count else { throw error("unterminated escape", at: i) }
                let e = input[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape(at: &i)
                    if scalar.value >= 0x80 { nonASCII = true }
                    scratch.append(contentsOf: UTF8.encode(scalar)!)
                default: throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'", at: i - 2)
                }
            default:
                if c < 0x20 { throw error("control character \(describe(c)) in string; escape it", at: i) }
                if c >= 0x80 { nonASCII = true }
                scratch.append(c)
                i += 1
            }
        }
        throw error("unterminated string", at: start - 1)
    }

    /// Reads the four hex digits after `\u` (at `i`), and a following low
    /// surrogate escape when the first is a high surrogate.
    mutating func parseUnicodeEscape(at i: inout Int) throws(JSONParseError) -> Unicode.Scalar {
        let escapeStart = i - 2
        let first = try hex4(at: i)
        i += 4
        switch first {
        case 0xD800...0xDBFF:
            guard i + 6 <= input.count, input[i] == UInt8(ascii: "\\"), input[i + 1] == UInt8(ascii: "u") else {
                throw error("lone high surrogate \\u\(String(first, radix: 16, uppercase: true)) in string", at: escapeStart)
            }
            let second = try hex4(at: i + 2)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw error("high surrogate not followed by a low surrogate", at: escapeStart)
            }
            i += 6
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
        case 0xDC00...0xDFFF:
            throw error("lone low surrogate \\u\(String(first, radix: 16, uppercase: true)) in string", at: escapeStart)
        default:
            return Unicode.Scalar(first)!
        }
    }

    func hex4(at i: Int) throws(JSONParseError) -> UInt32 {
        guard i + 4 <= input.count else { throw error("truncated \\u escape", at: i) }
        var value: UInt32 = 0
        for j in i..<i + 4 {
            let c = input[j]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit \(describe(c)) in \\u escape", at: j)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
