import KubeJSON

extension YAMLComposer {
    static let tagPrefix = "tag:yaml.org,2002:"

    /// The JSON value of one scalar: plain scalars are resolved, quoted and
    /// block scalars are strings, explicit standard tags are checked.
    func scalar(_ value: String, tag: String?, plain: Bool, at mark: YAMLMark) throws(YAMLError) -> JSON {
        guard let tag, tag != "!" else {
            return plain ? try json(YAMLScalarResolver.resolvePlain(value), value, at: mark) : .string(value)
        }
        guard tag.hasPrefix(Self.tagPrefix) else { return .string(value) }  // application tags: the text
        let resolved = YAMLScalarResolver.resolvePlain(value)
        switch tag.dropFirst(Self.tagPrefix.count) {
        case "str", "timestamp": return .string(value)
        case "binary":
            guard let bytes = Base64.decode(value) else { throw fail("!!binary value is not valid base64", at: mark) }
            return .string(String(decoding: bytes, as: UTF8.self))
        case "int":
            switch resolved {
            case .int, .uint: return try json(resolved, value, at: mark)
            default: throw fail("cannot decode '\(value)' as an !!int", at: mark)
            }
        case "float":
            switch resolved {
            case .int(let i): return .double(Double(i))
            case .uint(let u): return .double(Double(u))
            case .double, .nonFinite: return try json(resolved, value, at: mark)
            default: throw fail("cannot decode '\(value)' as a !!float", at: mark)
            }
        case "bool":
            guard case .bool = resolved else { throw fail("cannot decode '\(value)' as a !!bool", at: mark) }
            return try json(resolved, value, at: mark)
        case "null":
            guard case .null = resolved else { throw fail("cannot decode '\(value)' as a !!null", at: mark) }
            return .null
        default:
            return try json(resolved, value, at: mark)
        }
    }

    private func json(_ resolved: YAMLScalarResolver.Resolved, _ text: String, at mark: YAMLMark) throws(YAMLError) -> JSON {
        switch resolved {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .uint(let u): return .double(Double(u))
        case .double(let d): return .double(d)
        case .string: return .string(text)
        case .nonFinite(let s):
            throw fail("'\(s)' is not a number JSON can represent; quote it if you meant the string", at: mark)
        }
    }

    func fail(_ reason: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(reason, line: mark.line, column: mark.column, document: currentDocument)
    }
}

/// Standard base64 (RFC 4648) with whitespace ignored, as YAML's !!binary allows line breaks.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        var padding = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - 71)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c + 4)
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): padding += 1; continue
            case 0x20, 0x0A, 0x0D, 0x09: continue
            default: return nil
            }
            if padding > 0 { return nil }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return padding <= 2 ? out : nil
    }
}
