import KubeJSON

/// A stable fingerprint of a step's content, used for forward correction:
/// a step whose hash is unchanged and converged is not run again.
///
/// FNV-1a (64-bit) over the canonical JSON text (object keys sorted at every
/// level, compact), written as 16 lowercase hex digits. These modules have no
/// cryptographic hash available, and none is needed here: the hash only tells
/// "same content as last time" apart from "changed". The ledger, which must
/// resist tampering, re-hashes the applied objects with SHA-256.
public enum ContentHash {
    public static func of(_ value: JSON) -> String {
        hex(fnv1a64(value.canonicalized().serialized()))
    }

    public static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

extension JSON {
    /// The same value with every object's keys sorted (byte order), so two
    /// objects that are equal as JSON serialize to the same text.
    public func canonicalized() -> JSON {
        switch self {
        case .array(let a): return .array(a.map { $0.canonicalized() })
        case .object(let o):
            let sorted = zip(o.keys, o.values).sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            return .object(JSONObject(sorted.map { ($0.0, $0.1.canonicalized()) }))
        case .double(let d):
            // 1.0 and 1 are the same JSON value; hash them the same way.
            if let i = Int64(exactly: d) { return .int(i) }
            return self
        default: return self
        }
    }
}
