/// Version 4 UUIDs in the lowercase form the API server uses for uids and Audit-Id
/// headers, formatted directly: Foundation's UUID().uuidString.lowercased() built
/// and case-mapped a String per request, a visible cost at thousands of writes/s.
enum RandomUUID {
    private static let hex = Array("0123456789abcdef".utf8)

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        high = (high & ~0xF000) | 0x4000                      // version 4
        low = (low & ~(0xC << 60)) | (0x8 << 60)              // RFC 4122 variant
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        for (i, word) in [high, low].enumerated() {
            for nibble in stride(from: 60, through: 0, by: -4) {
                let position = i * 16 + (60 - nibble) / 4
                if position == 8 || position == 12 || position == 16 || position == 20 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(hex[Int((word >> UInt64(nibble)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
