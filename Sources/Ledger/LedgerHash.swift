import Crypto

/// A SHA-256 digest in the chain: an entry's `hash` or its `prev`.
///
/// Kept as four words so comparing two hashes (the verifier's inner loop) is four
/// integer compares; written as 64 lowercase hex digits.
public struct LedgerHash: Sendable, Hashable, CustomStringConvertible {
    // Bytes 0–7, 8–15, 16–23, 24–31 of the digest, each read big-endian.
    var w0, w1, w2, w3: UInt64

    /// 64 zeros: the `prev` of a ledger's first entry.
    public static let zero = LedgerHash(w0: 0, w1: 0, w2: 0, w3: 0)

    init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    public init(_ digest: SHA256.Digest) {
        self = digest.withUnsafeBytes { raw in
            LedgerHash(w0: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                       w1: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian,
                       w2: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self).bigEndian,
                       w3: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self).bigEndian)
        }
    }

    /// SHA-256 of `bytes`.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> LedgerHash {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return LedgerHash(hasher.finalize())
    }

    /// Parses exactly 64 lowercase hex digits.
    public init?(hex: String) {
        var hex = hex
        guard let value = hex.withUTF8({ Self.parse($0) }) else { return nil }
        self = value
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> LedgerHash? {
        guard b.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for w in 0..<4 {
            var v: UInt64 = 0
            for i in (w * 16)..<(w * 16 + 16) {
                let c = b[i]
                let nibble: UInt8
                switch c {
                case 48...57: nibble = c - 48
                case 97...102: nibble = c - 87
                default: return nil
                }
                v = v << 4 | UInt64(nibble)
            }
            switch w {
            case 0: words.0 = v
            case 1: words.1 = v
            case 2: words.2 = v
            default: words.3 = v
            }
        }
        return LedgerHash(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// Appends the 64 hex digits (built on the stack, appended at once: this runs once per verified entry).
    func write(into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { digits in
            func put(_ word: UInt64, at start: Int) {
                for i in 0..<16 {
                    let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * i)) & 0xF
                    digits[start + i] = nibble < 10 ? 48 + nibble : 87 + nibble
                }
            }
            put(w0, at: 0)
            put(w1, at: 16)
            put(w2, at: 32)
            put(w3, at: 48)
            out.append(contentsOf: UnsafeBufferPointer(digits))
        }
    }

    public var hex: String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}
