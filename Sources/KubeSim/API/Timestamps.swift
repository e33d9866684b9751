import Foundation
internal import RFC3339

/// RFC 3339 UTC timestamps with second precision, as metadata carries them.
/// Formatted by hand: ISO8601DateFormatter goes through ICU and cost more
/// than the rest of a write.
enum Timestamps {
    /// `2026-11-18T11:06:40Z`; the fraction of the second is dropped.
    static func format(_ date: Date) -> String {
        RFC3339Timestamp(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down))).text(.omitted)
    }

    /// Parses the second-precision UTC form; a fraction is accepted and
    /// dropped. Offsets are not produced by the server and not accepted.
    static func parse(_ text: String) -> Date? {
        guard let parsed = try? RFC3339Timestamp(parsing: text, options: grammar) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(parsed.secondsSinceEpoch))
    }

    private static let grammar = RFC3339Timestamp.ParseOptions(fraction: .optional, allowsLowercase: false,
                                                                 allowsNumericOffset: false, allowsLeapSecond: true,
                                                                 checksCalendar: true)
}
