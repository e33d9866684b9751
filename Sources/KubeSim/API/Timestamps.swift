import Foundation

/// RFC 3339 UTC timestamps with second precision, as metadata carries them.
/// Formatted by hand: ISO8601DateFormatter goes through ICU and cost more
/// than the rest of a write.
enum Timestamps {
    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// Parses the second-precision form (fractions and offsets are not produced by the server).
    static func parse(_ text: String) -> Date? {
        let digits = text.unicodeScalars
        guard text.count >= 20, text.hasSuffix("Z") else { return nil }
        var parts = tm()
        let fields = text.dropLast().split(whereSeparator: { "-T:.".contains($0) }).compactMap { Int32($0) }
        guard fields.count >= 6, digits.count >= 20 else { return nil }
        parts.tm_year = fields[0] - 1900
        parts.tm_mon = fields[1] - 1
        parts.tm_mday = fields[2]
        parts.tm_hour = fields[3]
        parts.tm_min = fields[4]
        parts.tm_sec = fields[5]
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}
