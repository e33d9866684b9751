import KubeJSON

extension LedgerEntry {
    /// The bytes `hash` is the SHA-256 of: this entry's canonical encoding.
    ///
    /// A compact JSON object (no whitespace) whose members are, in this order:
    /// `version`, `seq`, `at`, `evolution` (an object of `namespace`, `name`, `uid`
    /// in that order), `generation`, `event`, `step`, `target`, `actor`, `detail`,
    /// `id`, `prev`, then the `extensions` members sorted by key. `hash` is excluded.
    ///
    /// - Integers in decimal: `-` for negatives, no leading zeros, no `+`.
    /// - `at` as `LedgerTime.rfc3339` (`YYYY-MM-DDTHH:MM:SS.mmmZ`); `prev` as 64
    ///   lowercase hex digits; `event` as its name (`LedgerEvent.rawValue`).
    /// - `step` and `target` are `null` when absent; no member is ever omitted.
    /// - Strings are UTF-8 as is, escaping only `"` and `\` (as `\"`, `\\`) and
    ///   U+0000–U+001F (`\b \f \n \r \t`, others as `\u00xx`, lowercase hex);
    ///   `/` and non-ASCII characters are not escaped.
    /// - Inside `detail` and `extension` values, at every depth: object members
    ///   sorted bytewise by the UTF-8 of their keys; arrays in order; non-integer
    ///   numbers in Go's `encoding/json` form (shortest round-trip digits, exponent
    ///   form below 1e-6 and from 1e21), `-0` as `0`, non-finite as `null`.
    ///
    /// The encoding depends only on the entry's values, never on how a stored line
    /// happened to be formatted, so the chain verifies byte-for-byte on any machine.
    /// A stored JSON line is this text with `,"hash":"<64 hex>"` inserted before
    /// the final `}`.
    public func canonicalBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(384)
        writeCanonicalBody(into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// SHA-256 of `canonicalBytes()`.
    public func computedHash() -> LedgerHash {
        var scratch: [UInt8] = []
        return computedHash(scratch: &scratch)
    }

    /// `computedHash()` reusing `scratch` for the encoding (the verifier's hot path).
    func computedHash(scratch: inout [UInt8]) -> LedgerHash {
        scratch.removeAll(keepingCapacity: true)
        writeCanonicalBody(into: &scratch)
        scratch.append(UInt8(ascii: "}"))
        return scratch.withUnsafeBytes { LedgerHash.of($0) }
    }

    /// The stored form: one line of JSON, `hash` last, ending in `\n`.
    public func jsonLine() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(448)
        writeLine(into: &out)
        return out
    }

    func writeLine(into out: inout [UInt8]) {
        writeCanonicalBody(into: &out)
        Self.append(#","hash":""#, &out)
        hash.write(into: &out)
        Self.append("\"}\n", &out)
    }

    /// Everything but the closing brace.
    func writeCanonicalBody(into out: inout [UInt8]) {
        Self.append(#"{"version":"#, &out)
        CanonicalJSON.writeInt(version, into: &out)
        Self.append(#","seq":"#, &out)
        CanonicalJSON.writeInt(seq, into: &out)
        Self.append(#","at":""#, &out)
        at.write(into: &out)
        Self.append(#"","evolution":{"namespace":"#, &out)
        CanonicalJSON.writeString(evolution.namespace, into: &out)
        Self.append(#","name":"#, &out)
        CanonicalJSON.writeString(evolution.name, into: &out)
        Self.append(#","uid":"#, &out)
        CanonicalJSON.writeString(evolution.uid, into: &out)
        Self.append(#"},"generation":"#, &out)
        CanonicalJSON.writeInt(generation, into: &out)
        Self.append(#","event":"#, &out)
        CanonicalJSON.writeString(event.rawValue, into: &out)
        Self.append(#","step":"#, &out)
        Self.writeOptional(step, into: &out)
        Self.append(#","target":"#, &out)
        Self.writeOptional(target, into: &out)
        Self.append(#","actor":"#, &out)
        CanonicalJSON.writeString(actor, into: &out)
        Self.append(#","detail":"#, &out)
        CanonicalJSON.writeObject(detail, into: &out)
        Self.append(#","id":"#, &out)
        CanonicalJSON.writeString(id, into: &out)
        Self.append(#","prev":""#, &out)
        prev.write(into: &out)
        out.append(UInt8(ascii: "\""))
        if !extensions.isEmpty {
            let keys = extensions.keys.indices.sorted { CanonicalJSON.utf8Less(extensions.keys[$0], extensions.keys[$1]) }
            for i in keys {
                out.append(UInt8(ascii: ","))
                CanonicalJSON.writeString(extensions.keys[i], into: &out)
                out.append(UInt8(ascii: ":"))
                CanonicalJSON.write(extensions.values[i], into: &out)
            }
        }
    }

    @inline(__always)
    static func writeOptional(_ s: String?, into out: inout [UInt8]) {
        if let s { CanonicalJSON.writeString(s, into: &out) } else { append("null", &out) }
    }

    @inline(__always)
    static func append(_ s: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
}
