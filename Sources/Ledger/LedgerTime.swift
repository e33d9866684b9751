#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import RFC3339

/// A ledger timestamp: UTC with millisecond precision, written as RFC 3339 with
/// exactly three fractional digits, e.g. `2025-03-04T05:06:07.089Z`.
///
/// One textual form per instant, so the hash chain is the same on every machine.
/// Years 0000 through 9999 only (the four-digit form); parsing accepts exactly
/// the form this type writes and nothing looser.
public struct LedgerTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    /// 0000-01-01T00:00:00.000Z.
    public static let earliest = LedgerTime(millisecondsSinceEpoch: -62_167_219_200_000)
    /// 9999-12-31T23:59:59.999Z.
    public static let latest = LedgerTime(millisecondsSinceEpoch: 253_402_300_799_999)

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The wall-clock time now, truncated to the millisecond.
    public static func now() -> LedgerTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return LedgerTime(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    public static func < (lhs: LedgerTime, rhs: LedgerTime) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public var isRepresentable: Bool { self >= .earliest && self <= .latest }

    /// The RFC 3339 text. Times outside `earliest...latest` are clamped to that range.
    public var rfc3339: String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { rfc3339 }

    /// Appends the 24 bytes of the RFC 3339 form.
    func write(into out: inout [UInt8]) {
        let ms = min(max(millisecondsSinceEpoch, Self.earliest.millisecondsSinceEpoch), Self.latest.millisecondsSinceEpoch)
        RFC3339Timestamp(millisecondsSinceEpoch: ms).write(.fixed(digits: 3), to: &out)
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` (a real calendar date, seconds 00–59).
    public init?(rfc3339 text: String) {
        var text = text
        guard let value = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = value
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> LedgerTime? {
        guard let parsed = try? RFC3339Timestamp(parsingUTF8: b, options: grammar),
              let ms = parsed.millisecondsSinceEpoch
        else { return nil }
        return LedgerTime(millisecondsSinceEpoch: ms)
    }

    /// The one form `write(into:)` produces: uppercase, `Z`, three fraction digits, no leap second.
    private static let grammar = RFC3339Timestamp.ParseOptions(fraction: .exactly(digits: 3), allowsLowercase: false,
                                                                 allowsNumericOffset: false, allowsLeapSecond: false,
                                                                 checksCalendar: true)
}
