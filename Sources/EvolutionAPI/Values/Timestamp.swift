internal import RFC3339

/// A point in time, in nanoseconds since the Unix epoch (UTC).
///
/// The engine never reads a clock: the caller passes `now` in, and every time
/// the engine stores in status comes from that input, so decisions replay
/// exactly. Text form is RFC 3339 as Go's `time.RFC3339Nano` writes it
/// (fraction only when non-zero, trailing zeros trimmed, always `Z`).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }
    public init(secondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = secondsSinceEpoch * 1_000_000_000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }
    public static func + (t: Timestamp, d: GoDuration) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: t.nanosecondsSinceEpoch &+ d.nanoseconds)
    }
    public static func - (a: Timestamp, b: Timestamp) -> GoDuration {
        GoDuration(nanoseconds: a.nanosecondsSinceEpoch &- b.nanosecondsSinceEpoch)
    }

    public var description: String { rfc3339 }

    /// `2026-03-10T09:30:00Z`, or `2026-03-10T09:30:00.25Z` with a fraction.
    public var rfc3339: String {
        RFC3339Timestamp(nanosecondsSinceEpoch: nanosecondsSinceEpoch).text(.trimmed)
    }

    /// Parses RFC 3339 (`Z` or `±hh:mm` offsets, optional fraction up to nanoseconds).
    ///
    /// Looser than RFC 3339 in two ways this type always had: any day 01–31
    /// rolls over into the next month, and offset digits are not range-checked.
    /// Nil also for instants outside what `Int64` nanoseconds hold (years
    /// 1677–2262).
    public init?(rfc3339 text: String) {
        guard let parsed = try? RFC3339Timestamp(parsing: text, options: Self.grammar),
              let ns = parsed.nanosecondsSinceEpoch
        else { return nil }
        self.nanosecondsSinceEpoch = ns
    }

    private static let grammar = RFC3339Timestamp.ParseOptions(fraction: .optional, allowsLowercase: true,
                                                                 allowsNumericOffset: true, allowsLeapSecond: true,
                                                                 checksCalendar: false)
}
