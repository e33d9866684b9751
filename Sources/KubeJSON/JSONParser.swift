#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSON {
    /// The deepest nesting of arrays and objects `parse` accepts by default.
    public static let defaultMaxDepth = 512

    /// Parses one JSON text (RFC 8259) from UTF-8 bytes.
    ///
    /// Strict: invalid UTF-8, lone surrogates in escapes, control characters in
    /// strings, leading zeros, trailing commas and anything after the value are
    /// errors. Integers that fit in `Int64` stay exact; other numbers become
    /// `Double` (a number too large for a `Double` is an error, as in Go).
    /// Duplicate object keys keep their first position and last value, as Go does.
    public static func parse<Bytes: Collection>(_ bytes: Bytes, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSON
    where Bytes.Element == UInt8 {
        let result: Result<JSON, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try parse(buffer: buffer, maxDepth: maxDepth) }
        }
        if let result { return try result.get() }
        return try parse(Array(bytes), maxDepth: maxDepth)
    }

    /// Parses one JSON text from a string.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSON {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try parse(buffer: buffer, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSON {
        var parser = JSONParser(input: buffer, maxDepth: maxDepth)
        return try parser.parseDocument()
    }
}

/// A recursive-descent parser over a byte buffer; one instance parses one text.
struct JSONParser {
    let input: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var pos = 0
    var depth = 0
    /// Reused for strings that contain escapes.
    var scratch: [UInt8] = []

    init(input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if pos != input.count { throw error("unexpected content after the JSON value") }
        return value
    }

    func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(reason, at: offset ?? pos, in: input)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < input.count {
            switch input[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSON {
        guard pos < input.count else { throw error("unexpected end of input, expected a value") }
        switch input[pos] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character \(describe(input[pos])), expected a value")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard input.count - pos >= n,
              memcmp(input.baseAddress! + pos, word.utf8Start, n) == 0
        else { throw error("invalid literal, expected '\(word)'") }
        pos += n
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth) levels") }
    }

    mutating func parseArray() throws(JSONParseError) -> JSON {
        try enter()
        pos += 1
        var elements: [JSON] = []
        skipWhitespace()
        if pos < input.count, input[pos] == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard pos < input.count else { throw error("unterminated array, expected ',' or ']'") }
            let c = input[pos]
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { break }
            throw error("expected ',' or ']' in array, found \(describe(c))", at: pos - 1)
        }
        depth -= 1
        return .array(elements)
    }

    mutating func parseObject() throws(JSONParseError) -> JSON {
        try enter()
        pos += 1
        // Members collect in local arrays and become a JSONObject once, which
        // avoids copy-on-write checks per member; duplicates are rare, so the
        // check is a scan while small and a set once large.
        var keys: [String] = []
        var values: [JSON] = []
        var seen: Set<String>?
        skipWhitespace()
        if pos < input.count, input[pos] == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard pos < input.count, input[pos] == UInt8(ascii: "\"") else {
                throw error(pos < input.count ? "expected a string key, found \(describe(input[pos]))" : "unterminated object")
            }
            let key = try parseString()
            skipWhitespace()
            guard pos < input.count, input[pos] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
            pos += 1
            skipWhitespace()
            let value = try parseValue()
            if keys.count >= JSONObject.indexThreshold, seen == nil { seen = Set(keys) }
            let duplicate: Bool
            if seen != nil { duplicate = !seen!.insert(key).inserted } else { duplicate = keys.contains(key) }
            if duplicate, let i = keys.firstIndex(of: key) {
                values[i] = value  // Go keeps the last value
            } else {
                keys.append(key)
                values.append(value)
            }
            skipWhitespace()
            guard pos < input.count else { throw error("unterminated object, expected ',' or '}'") }
            let c = input[pos]
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { break }
            throw error("expected ',' or '}' in object, found \(describe(c))", at: pos - 1)
        }
        depth -= 1
        return .object(JSONObject(distinctKeys: keys, values: values))
    }

    func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }
}
